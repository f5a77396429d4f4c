/* The timeline page: vis-timeline fed by the stored query `timeline` (SPARQL results JSON). */
"use strict";
(async function () {
  const box = document.getElementById("timeline");
  const status = document.getElementById("timeline-status");
  try {
    const { rows, total } = await kg.results(box.dataset.src);
    const v = (row, name) => kg.value(row, name);
    const items = [];
    for (const row of rows) {
      const date = v(row, "date");
      if (!date) continue;
      const kind = v(row, "kind");
      const what = v(row, "what") || v(row, "event").split("/").pop();
      const place = v(row, "place");
      const item = {
        id: v(row, "event"),
        content: what.length > 64 ? what.slice(0, 63) + "…" : what,
        type: "point",
        start: date,
        className: kind.replace(/\s+/g, "-"),
        title: kind + (place ? " · " + place : "") + " · " + (v(row, "dateText") || date),
        group: kind,
      };
      items.push(item);
    }
    const first = ["visit", "meeting", "agreement", "forum"];
    const rank = (k) => (first.includes(k) ? first.indexOf(k) : first.length);
    const kinds = [...new Set(items.map((i) => i.group))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const groups = new vis.DataSet(kinds.map((k, n) => ({ id: k, content: k, order: n })));
    const dated = items.map((i) => i.start).sort();
    const timeline = new vis.Timeline(box, new vis.DataSet(items), groups, {
      stack: true,
      zoomKey: "ctrlKey",
      orientation: "top",
      groupOrder: "order",
      start: "2022-09-01",
      end: "2026-06-01",
      margin: { item: 6 },
    });
    timeline.on("select", (props) => {
      if (props.items.length) window.location.href = kg.path(props.items[0]);
    });
    status.textContent = items.length + " dated events (" + dated[0] + " to " + dated[dated.length - 1] + "); " +
      (rows.length - items.length) + " undated not shown" +
      (total > rows.length ? "; only the first " + rows.length + " of " + total + " rows (the server's row limit)" : "");
    // vis-timeline keeps its root hidden until the first full draw: ready once it shows
    const poll = setInterval(() => {
      const root = box.querySelector(".vis-timeline");
      if (root && getComputedStyle(root).visibility === "visible" && box.querySelector(".vis-item")) {
        clearInterval(poll);
        box.dataset.ready = String(items.length);
      }
    }, 100);
  } catch (err) {
    status.textContent = "Could not draw the timeline: " + err.message;
    status.className = "error";
  }
})();
