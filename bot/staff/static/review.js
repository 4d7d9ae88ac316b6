/* The review queue: one card per group of identical questions, a verdict per card (bot.staff.reviews). */
"use strict";

(() => {
  const { el, get, post } = Staff;
  const $ = (id) => document.getElementById(id);
  let aspects = {};
  let verdicts = {};
  const kbByLabel = new Map();

  function query() {
    const q = new URLSearchParams();
    if ($("from").value) q.set("from", $("from").value);
    if ($("to").value) q.set("to", $("to").value);
    if ($("pending").checked) q.set("pending", "1");
    if ($("q").value.trim()) q.set("q", $("q").value.trim());
    return q;
  }

  function showError(message) {
    $("status").textContent = message;
    $("status").hidden = !message;
  }

  async function fillKb(text) {
    const data = await get("/staff/api/kb-items?" + new URLSearchParams({ q: text }));
    const list = $("kb-options");
    list.replaceChildren();
    for (const item of data.items) {
      const label = `${item.name}（${{ measure: "措施", clause: "条款", target: "目标" }[item.kind]} ${item.id}）`;
      kbByLabel.set(label, item);
      list.append(el("option", { value: label }));
    }
  }

  function card(item) {
    const picker = el("input", { class: "kb-picker", list: "kb-options", placeholder: "搜索正确的措施、条款或目标",
                                 "aria-label": "正确的措施、条款或目标",
                                 value: item.review && item.review.target_name ? item.review.target_name : "" });
    picker.addEventListener("input", () => fillKb(picker.value).catch((e) => showError(e.message)));
    const aspect = el("select", { class: "aspect", "aria-label": "问的方面" },
      el("option", { value: "", text: "问的方面（可不选）" }),
      Object.entries(aspects).map(([value, name]) =>
        el("option", { value, text: name, selected: item.review && item.review.aspect === value })));
    // The user's own word for the measure (e.g. 小站子): exported as an alias suggestion for the KB.
    const alias = el("input", { class: "alias", maxlength: "20", placeholder: "用户对该措施的叫法（问题里的原词，可不填）",
                                "aria-label": "用户对该措施的叫法",
                                value: item.review && item.review.alias ? item.review.alias : "" });
    const note = el("input", { class: "note", maxlength: "200", placeholder: "备注（政策空白必填：用户需要什么）",
                               "aria-label": "备注", value: item.review && item.review.note ? item.review.note : "" });
    const result = el("span", { class: "review-result", role: "status",
                                text: item.review ? `已标注：${item.review.verdict_name}` +
                                  (item.review.target_name ? ` → ${item.review.target_name}` : "") +
                                  `（${item.review.reviewer} ${item.review.reviewed_at}）` : "" });

    async function send(verdict) {
      const chosen = kbByLabel.get(picker.value);
      const body = { question_ids: item.question_ids, verdict, aspect: aspect.value || null, note: note.value || null };
      if (chosen && verdict !== "out_of_scope") { body.target_kind = chosen.kind; body.target_id = chosen.id; }
      if (alias.value.trim()) body.alias = alias.value.trim();  // without a measure: the server says why not
      try {
        const saved = await post("/staff/api/reviews", body);
        result.textContent = `已标注：${verdicts[verdict]}` + (saved.target_name ? ` → ${saved.target_name}` : "");
        showError("");
      } catch (error) {
        result.textContent = error.message;
      }
    }

    const context = el("ol", { class: "context" }, item.context.map((turn) =>
      el("li", { class: turn.current ? "current" : "" },
        el("div", { class: "said", text: "用户：" + turn.text }),
        turn.reply ? el("div", { class: "reply muted", text: "助手：" + turn.reply }) : null)));
    const facts = [
      `结果：${item.outcome_name}`,
      `措施：${item.measure_name || "—"}`,
      `置信度：${item.confidence === null ? "—" : item.confidence}`,
      `模型：${item.model_version ? item.model_version.slice(0, 8) : "未记录"}`,
      `次数：${item.count}`,
      item.thumbs_down ? `没帮助：${item.thumbs_down}` : null,
    ].filter(Boolean);
    return el("article", { class: "panel review-item", "data-question-id": String(item.question_id) },
      el("h3", { class: "question", text: item.text }),
      el("p", { class: "facts muted", text: facts.join(" · ") }),
      item.feedback_reasons.length ? el("p", { class: "reasons", text: "没帮助的原因：" + item.feedback_reasons.join("；") }) : null,
      context,
      el("div", { class: "verdict" }, picker, alias, aspect, note,
        Object.entries(verdicts).map(([value, name]) =>
          el("button", { type: "button", class: "verdict-" + value, "data-verdict": value, text: name,
                         onclick: () => send(value) })),
        result));
  }

  async function load() {
    try {
      const data = await get("/staff/api/reviews?" + query());
      aspects = data.aspects;
      verdicts = data.verdicts;
      $("queue-total").textContent = `共 ${data.total} 条`;
      $("queue").replaceChildren(...data.items.map(card));
      showError("");
    } catch (error) {
      showError(error.message);
    }
  }

  $("filters").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  const initial = new URLSearchParams(location.search);
  for (const key of ["from", "to", "q"]) if (initial.get(key)) $(key).value = initial.get(key);
  if (initial.get("pending") === "1") $("pending").checked = true;
  fillKb("").catch((e) => showError(e.message));
  load();
})();
