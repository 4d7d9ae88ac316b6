/* Policy-office analytics: filters, KPIs, ECharts charts, tables, export links. */
"use strict";

(() => {
  const { el, get, post } = Staff;
  const $ = (id) => document.getElementById(id);
  const BLUE = "#1d5fa8";
  const PALETTE = [BLUE, "#5b8fd0", "#e08a2e", "#3a9e6f", "#9b6bcc", "#c9504a", "#8a99ad"];
  const hasCharts = typeof window.echarts !== "undefined";
  const charts = {};
  let report = null;
  let trendBy = "day";

  function chart(id) {
    if (!hasCharts) return null;
    if (!charts[id]) {
      $(id).replaceChildren(); // drop an earlier "no data" placeholder
      charts[id] = echarts.init($(id), null, { renderer: "canvas" });
    }
    return charts[id];
  }

  const isoDay = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  function setLastDays(days) {
    const end = new Date();
    const start = new Date(end);
    start.setDate(end.getDate() - days + 1);
    $("from").value = isoDay(start);
    $("to").value = isoDay(end);
  }

  function params() {
    const query = new URLSearchParams();
    if ($("from").value) query.set("from", $("from").value);
    if ($("to").value) query.set("to", $("to").value);
    if ($("channel").value) query.set("channel", $("channel").value);
    return query.toString();
  }

  async function load() {
    const query = params();
    $("export-xlsx").href = "/staff/analytics/export.xlsx?" + query;
    $("export-csv").href = "/staff/analytics/export.csv?" + query;
    history.replaceState(null, "", "?" + query);
    try {
      report = await get("/staff/api/analytics?" + query);
      $("status").hidden = true;
      draw();
    } catch (error) {
      $("status").textContent = error.message;
      $("status").hidden = false;
    }
  }

  const percent = (value) => (value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`);

  function draw() {
    const s = report.summary;
    $("kpi-total").textContent = s.total;
    $("kpi-rate").textContent = percent(s.answer_rate);
    $("kpi-unanswered").textContent = s.unanswered;
    $("kpi-low").textContent = s.low_confidence;
    $("kpi-handoff").textContent = s.handoff;
    $("kpi-feedback").textContent = report.feedback.available ? percent(report.feedback.ratio) : "未启用";
    drawMeasures();
    drawTrend();
    drawDistricts();
    drawFeedback();
    drawTables();
  }

  function empty(id, text) {
    if (charts[id]) { charts[id].dispose(); delete charts[id]; }
    $(id).replaceChildren(el("div", { class: "placeholder", text }));
  }

  function drawMeasures() {
    const top = report.measures.slice(0, 12).reverse();
    if (!hasCharts) return empty("chart-measures", "图表组件未安装");
    if (!top.length) return empty("chart-measures", "所选时间内没有涉及具体措施的提问");
    chart("chart-measures").setOption({
      color: [BLUE],
      grid: { left: 8, right: 40, top: 10, bottom: 10, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: top.map((m) => `${m.name}（${m.clause}）`), axisLabel: { width: 220, overflow: "truncate" } },
      series: [{ type: "bar", name: "提问次数", data: top.map((m) => m.count), label: { show: true, position: "right" }, barMaxWidth: 22 }],
    }, true);
  }

  function drawTrend() {
    if (!hasCharts) return empty("chart-trend", "图表组件未安装");
    const rows = trendBy === "day" ? report.daily : report.weekly;
    const labels = rows.map((r) => (trendBy === "day" ? r.date.slice(5) : `${r.week_start.slice(5)}起`));
    chart("chart-trend").setOption({
      color: [BLUE, "#3a9e6f", "#e08a2e"],
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: labels, boundaryGap: trendBy !== "day" },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "问题数", type: trendBy === "day" ? "line" : "bar", data: rows.map((r) => r.total), areaStyle: { opacity: 0.08 },
          barMaxWidth: 36 },
        { name: "已回答", type: "line", data: rows.map((r) => r.answered) },
        { name: "未回答", type: "line", data: rows.map((r) => r.unanswered) },
      ],
    }, true);
  }

  function drawDistricts() {
    const d = report.districts;
    if (!hasCharts) return empty("chart-districts", "图表组件未安装");
    if (!d.cells.length) return empty("chart-districts", "所选时间内没有同时提到区市和措施的提问");
    // districts across (short names), measures down (long names read best horizontally)
    const xs = d.districts.map((x) => x.name);
    const ys = d.measures.map((m) => m.name).reverse();
    const max = Math.max(...d.cells.map((c) => c.count));
    $("chart-districts").style.height = `${Math.max(260, ys.length * 44 + 110)}px`;
    chart("chart-districts").resize();
    chart("chart-districts").setOption({
      grid: { left: 8, right: 24, top: 10, bottom: 56, containLabel: true },
      tooltip: { formatter: (p) => `${xs[p.value[0]]} · ${ys[p.value[1]]}：${p.value[2]} 次` },
      xAxis: { type: "category", data: xs, position: "top", axisLabel: { interval: 0 }, splitArea: { show: true } },
      yAxis: { type: "category", data: ys, axisLabel: { width: 220, overflow: "truncate" }, splitArea: { show: true } },
      visualMap: { min: 0, max, calculable: true, orient: "horizontal", left: "center", bottom: 0, itemHeight: 160,
                   text: ["多", "少"], inRange: { color: ["#eaf2fb", "#7fa9dc", BLUE, "#0d3564"] } },
      series: [{ type: "heatmap", name: "提问次数", label: { show: true },
                 itemStyle: { borderColor: "#fff", borderWidth: 2 },
                 data: d.cells.map((c) => [xs.indexOf(c.district_name), ys.indexOf(c.measure_name), c.count]) }],
    }, true);
  }

  function drawFeedback() {
    const f = report.feedback;
    const reasons = $("feedback-reasons");
    if (!f.available) {
      reasons.replaceChildren(el("tr", {}, el("td", { colspan: 2, class: "muted", text: "反馈功能尚未启用（等待反馈数据表）。" })));
      return empty("chart-feedback", "暂无反馈数据");
    }
    reasons.replaceChildren(...(f.reasons.length ? f.reasons.map((r) => el("tr", {}, el("td", { text: r.reason }), el("td", { class: "num", text: r.count })))
                                                 : [el("tr", {}, el("td", { colspan: 2, class: "muted", text: "暂无" }))]));
    if (!hasCharts) return empty("chart-feedback", "图表组件未安装");
    if (!f.up && !f.down) return empty("chart-feedback", "所选时间内没有反馈");
    chart("chart-feedback").setOption({
      color: [BLUE, "#e08a2e"],
      tooltip: { trigger: "item", formatter: "{b}：{c} 次（{d}%）" },
      legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["45%", "70%"], label: { formatter: "{b}\n{d}%" },
                 data: [{ name: "有帮助", value: f.up }, { name: "没帮助", value: f.down }] }],
    }, true);
  }

  function drawTables() {
    const measureCell = (q) => (q.nearest_measure_name ? `${q.nearest_measure_name}（${q.nearest_clause}）` : "—");
    const none = (cols) => [el("tr", {}, el("td", { colspan: cols, class: "muted", text: "所选时间内没有数据" }))];
    $("top-questions").replaceChildren(...(report.questions.length ? report.questions.slice(0, 20).map((q) =>
      el("tr", {}, el("td", { text: q.text }), el("td", { class: "num", text: q.count }), el("td", { text: measureCell(q) }))) : none(3)));
    $("unanswered").replaceChildren(...(report.unanswered.length ? report.unanswered.map((q) =>
      el("tr", {}, el("td", { text: q.text }), el("td", { class: "num", text: q.count }), el("td", { class: "num", text: q.unanswered }),
        el("td", { class: "num", text: q.low_confidence }),
        el("td", { class: "num", text: q.avg_confidence === null ? "—" : q.avg_confidence.toFixed(2) }),
        el("td", { text: measureCell(q) }), el("td", { text: q.last_asked }))) : none(7)));
    $("models").replaceChildren(...(report.models.length ? report.models.map((m) =>
      el("tr", {}, el("td", { text: m.name }), el("td", { text: `${m.first} 至 ${m.last}` }),
        el("td", { class: "num", text: m.total }), el("td", { class: "num", text: percent(m.answer_rate) }),
        el("td", { class: "num", text: m.down }), el("td", { class: "num", text: percent(m.down_rate) }))) : none(6)));
    $("gaps").replaceChildren(...(report.gaps.length ? report.gaps.map((g) =>
      el("tr", {}, el("td", { text: g.verdict_name }), el("td", { text: g.theme }), el("td", { class: "num", text: g.count }),
        el("td", { text: g.districts.map((d) => `${d.name}（${d.count}）`).join("、") || "—" }),
        el("td", { text: `${g.first} 至 ${g.last}` }), el("td", { text: g.questions.join("；") }),
        el("td", { text: g.notes.join("；") || "—" }))) : none(7)));
  }

  // --- controls ------------------------------------------------------------------------------------
  $("filters").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  for (const button of document.querySelectorAll(".quick button")) {
    button.addEventListener("click", () => { setLastDays(Number(button.dataset.days)); load(); });
  }
  for (const [id, by] of [["trend-day", "day"], ["trend-week", "week"]]) {
    $(id).addEventListener("click", () => {
      trendBy = by;
      $("trend-day").classList.toggle("active", by === "day");
      $("trend-week").classList.toggle("active", by === "week");
      if (report) drawTrend();
    });
  }
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));

  const initial = new URLSearchParams(location.search);
  if (initial.get("from")) $("from").value = initial.get("from"); else setLastDays(30);
  if (initial.get("to")) $("to").value = initial.get("to");
  if (initial.get("channel")) $("channel").value = initial.get("channel");
  load();

  /* A person's right to erasure: one conversation out of every store (POST /staff/api/erase). */
  $("erase-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const reference = $("erase-reference").value.trim();
    if (!reference || !window.confirm(`确定删除对话 ${reference} 的全部记录？删除后不可恢复。`)) return;
    try {
      const done = await post("/staff/api/erase", { reference });
      $("erase-result").textContent =
        `已删除：提问 ${done.questions} 条、反馈 ${done.feedback} 条、工单 ${done.tickets} 个、对话事件 ${done.tracker_events} 条`;
      $("erase-reference").value = "";
    } catch (error) {
      $("erase-result").textContent = error.message;
    }
  });
})();
