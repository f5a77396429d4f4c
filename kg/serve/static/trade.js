/* Trade by partner and year: an echarts line chart from the stored query `trade` with sources. */
"use strict";
(async function () {
  const box = document.getElementById("chart");
  const tbody = document.querySelector("#points tbody");
  try {
    const { rows, total } = await kg.results(box.dataset.src);
    const v = (row, name) => kg.value(row, name);
    const points = rows.filter((r) => v(r, "unit") === "USD" && v(r, "year"));
    const series = new Map();
    for (const r of points) {
      const name = v(r, "partnerLabel") + " · " + v(r, "measureLabel");
      if (!series.has(name)) series.set(name, []);
      series.get(name).push({
        value: [Number(v(r, "year")), Number(v(r, "value")) / 1e9],
        source: v(r, "sources"), quote: v(r, "quotes"), figure: v(r, "figure"),
        qualifier: v(r, "qualifierLabel"), inferred: v(r, "yearInferred") === "true",
      });
      const tr = document.createElement("tr");
      for (const text of [v(r, "partnerLabel"), v(r, "year") + (v(r, "yearInferred") === "true" ? " (inferred)" : ""), v(r, "measureLabel"),
        (v(r, "qualifierLabel") !== "exactly" ? v(r, "qualifierLabel") + " " : "") + Number(v(r, "value")).toLocaleString("en")]) {
        const td = document.createElement("td"); td.textContent = text; tr.appendChild(td);
      }
      const td = document.createElement("td");
      for (const source of v(r, "sources").split(" | ").filter(Boolean)) {
        const a = document.createElement("a"); a.href = kg.path(source); a.textContent = source.split("/").pop(); td.appendChild(a);
      }
      tr.appendChild(td); tbody.appendChild(tr);
    }
    const chart = echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      legend: { type: "scroll", top: 0 },
      grid: { top: 50, left: 70, right: 30, bottom: 40 },
      xAxis: { type: "value", name: "year", minInterval: 1, min: "dataMin", max: "dataMax", axisLabel: { formatter: (x) => String(x) } },
      yAxis: { type: "value", name: "billion USD" },
      tooltip: {
        trigger: "item", confine: true, extraCssText: "max-width: 420px; white-space: normal;",
        formatter: (p) => {
          const d = p.data; const esc = (s) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
          return `<b>${esc(p.seriesName)}</b> ${d.value[0]}${d.inferred ? " (year inferred)" : ""}: ${d.qualifier && d.qualifier !== "exactly" ? esc(d.qualifier) + " " : ""}${d.value[1]} bn USD` +
            `<br><i>${esc(d.quote)}</i><br>source: ${esc(d.source.split("/").pop())}`;
        },
      },
      series: [...series.entries()].map(([name, data]) => ({
        name, type: "line", symbolSize: 10, data: data.sort((a, b) => a.value[0] - b.value[0]),
      })),
    });
    chart.on("click", (p) => { if (p.data && p.data.figure) window.location.href = kg.path(p.data.figure); });
    window.addEventListener("resize", () => chart.resize());
    if (total > rows.length) {
      const note = document.createElement("p");
      note.className = "notice";
      note.textContent = "Only the first " + rows.length + " of " + total + " rows are drawn (the server's row limit).";
      box.after(note);
    }
    box.dataset.ready = String(points.length);
  } catch (err) {
    box.textContent = "Could not draw the chart: " + err.message;
  }
})();
