/* Hotline console: search as you type, the answer card with a copy button, ask the bot, tickets. */
"use strict";

(() => {
  const { el, get, post, copyText, time } = Staff;
  const $ = (id) => document.getElementById(id);
  const DEBOUNCE_MS = 60;

  // --- search --------------------------------------------------------------------------------------
  const input = $("search");
  let timer = null;
  let inFlight = null;
  let typedAt = 0;
  let results = [];
  let selected = null;

  input.addEventListener("input", () => {
    typedAt = performance.now();
    clearTimeout(timer);
    timer = setTimeout(runSearch, DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { clearTimeout(timer); runSearch(); }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const index = results.indexOf(selected) + (event.key === "ArrowDown" ? 1 : -1);
      if (results[index]) show(results[index]);
    }
  });

  async function runSearch() {
    const query = input.value.trim();
    if (inFlight) inFlight.abort();
    if (!query) { render([]); $("search-status").textContent = ""; return; }
    inFlight = new AbortController();
    try {
      const data = await get("/staff/api/search?q=" + encodeURIComponent(query), inFlight.signal);
      if (input.value.trim() !== data.query) return; // an older answer arriving late
      render(data.results);
      const ms = Math.round(performance.now() - typedAt);
      window.__lastSearchMs = ms;
      $("search-status").textContent = data.results.length ? `${data.results.length} 条结果` : "";
    } catch (error) {
      if (error.name === "AbortError") return;
      $("search-status").textContent = error.message;
    }
  }

  function render(found) {
    results = found;
    const list = $("results");
    list.replaceChildren(...found.map((result) => el("li", {},
      el("button", { type: "button", "data-id": result.id, onclick: () => show(result) },
        result.title, el("small", { text: result.kind === "measure" ? `措施 · ${result.clause}` : "条款全文" })))));
    $("empty").hidden = found.length > 0;
    $("empty").textContent = input.value.trim() ? "没有找到相关内容，换个关键词试试（如措施名称、对象、区市）。"
                                                : "输入关键词，结果会随输入即时显示。";
    if (found.length) show(found[0]); else { $("card").hidden = true; selected = null; }
  }

  function show(result) {
    selected = result;
    for (const button of $("results").querySelectorAll("button")) {
      button.classList.toggle("selected", button.dataset.id === result.id);
    }
    const card = result.card;
    $("card").hidden = false;
    $("card").dataset.id = result.id;
    $("card-title").textContent = card.title;
    $("card-clause").textContent = card.clause;
    $("card-citation").textContent = card.citation;
    $("card-clause-text").textContent = card.clause_text;
    $("copy-status").textContent = "";
    const fields = [];
    const field = (label, value, cls) => fields.push(el("dt", { text: label }), el("dd", { class: cls }, value));
    if (card.type === "policy_card") {
      field("支持内容", card.support);
      field("对象", card.who);
      field("金额", card.amount, "amount");
      if (card.shares && card.shares.length) {
        field("分担", el("table", { class: "shares" }, el("tbody", {}, card.shares.map((s) =>
          el("tr", {}, el("td", { text: s.level }), el("td", { text: `${s.percent}%` }), el("td", { text: s.amount || "" }))))));
      }
      field("牵头单位", card.lead_units.join("、"));
      $("card-measures").hidden = true;
    } else {
      field("条款", card.clause_title);
      if (card.lead_units.length) field("牵头单位", card.lead_units.join("、"));
      $("card-measures").hidden = !card.measures.length;
      $("card-measures").replaceChildren(...card.measures.map((m) =>
        el("li", {}, el("button", { type: "button", onclick: () => { input.value = m.name; runSearch(); } }, m.name))));
    }
    $("card-fields").replaceChildren(...fields);
  }

  $("copy").addEventListener("click", async () => {
    if (!selected) return;
    const ok = await copyText(selected.plain_text);
    $("copy-status").textContent = ok ? "已复制，可直接读给来电群众。" : "复制失败，请手动选中文字复制。";
  });

  // --- ask the bot ---------------------------------------------------------------------------------
  $("ask-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = $("ask-input").value.trim();
    if (!question) return;
    const button = event.submitter || $("ask-form").querySelector("button");
    button.disabled = true;
    const box = $("ask-replies");
    box.replaceChildren(el("div", { class: "reply question", text: question }), el("p", { class: "muted", text: "正在询问…" }));
    try {
      const data = await post("/staff/api/ask", { message: question });
      const items = [el("div", { class: "reply question", text: question })];
      for (const reply of data.replies) {
        if (reply.text) items.push(el("div", { class: "reply", text: reply.text }));
        if (reply.buttons && reply.buttons.length) {
          items.push(el("ul", { class: "chips" }, reply.buttons.map((b) => el("li", {},
            el("button", { type: "button", title: "在左侧检索这一项", onclick: () => { input.value = b.title; runSearch(); } }, b.title)))));
        }
      }
      if (data.replies.length === 0) items.push(el("p", { class: "muted", text: "智能助手没有回复。" }));
      box.replaceChildren(...items);
    } catch (error) {
      box.replaceChildren(el("div", { class: "reply question", text: question }), el("p", { class: "alert", text: error.message }));
    } finally {
      button.disabled = false;
    }
  });

  // --- hand-off tickets ----------------------------------------------------------------------------
  const ticketBox = $("tickets");
  async function loadTickets() {
    if (!ticketBox) return;
    try {
      const data = await get("/staff/api/tickets");
      $("ticket-count").textContent = data.tickets.length;
      $("ticket-count").classList.toggle("zero", data.tickets.length === 0);
      ticketBox.replaceChildren(...(data.tickets.length ? data.tickets.map(ticketView)
                                                         : [el("p", { class: "muted", text: "暂无待处理工单。" })]));
    } catch (error) {
      ticketBox.replaceChildren(el("p", { class: "alert", text: error.message }));
    }
  }

  function ticketView(ticket) {
    const note = el("textarea", { rows: 2, maxlength: 2000, placeholder: "处理备注（如：已回电，告知申报时间）" });
    const status = el("p", { class: "muted small", "aria-live": "polite" });
    const done = el("button", { type: "button", class: "primary" }, "处理完成");
    const view = el("article", { class: "ticket", "data-ticket": ticket.id },
      el("h3", {}, `#${ticket.id} · ${time(ticket.created_at)}`),
      el("p", {}, el("span", { class: "muted" }, "问题："), ticket.question),
      el("p", {}, el("span", { class: "muted" }, "回电："),
        ticket.callback_phone ? el("a", { class: "phone", href: "tel:" + ticket.callback_phone }, ticket.callback_phone)
                              : el("span", { class: "muted" }, "未留电话")),
      el("details", {}, el("summary", {}, `对话记录（${ticket.transcript.length} 条）`),
        el("ol", {}, ticket.transcript.map((line) =>
          el("li", {}, el("b", {}, line.who === "user" ? "群众：" : "助手："), line.text)))),
      note, done, status);
    done.addEventListener("click", async () => {
      done.disabled = true;
      try {
        await post(`/staff/api/tickets/${ticket.id}/close`, { note: note.value });
        view.remove();
        const left = ticketBox.querySelectorAll(".ticket").length;
        $("ticket-count").textContent = left;
        $("ticket-count").classList.toggle("zero", left === 0);
        if (!left) ticketBox.replaceChildren(el("p", { class: "muted", text: "暂无待处理工单。" }));
      } catch (error) {
        status.textContent = error.message;
        done.disabled = false;
      }
    });
    return view;
  }

  if (ticketBox) {
    $("tickets-refresh").addEventListener("click", loadTickets);
    loadTickets();
    // New tickets every 30 s, unless an agent is writing a note (a refresh would wipe it).
    setInterval(() => {
      if (![...ticketBox.querySelectorAll("textarea")].some((area) => area.value)) loadTickets();
    }, 30000);
  }
})();
