/* Helpers shared by the pictures: fetch SPARQL results JSON from this server. */
"use strict";
window.kg = {
  /** GET a URL answering SPARQL 1.1 results JSON; resolves to {vars, rows: [{var: binding}], total}
   * (total > rows.length when the server cut the answer at its row limit: ?truncate=1). */
  async results(url) {
    const response = await fetch(url, { headers: { Accept: "application/sparql-results+json" } });
    if (!response.ok) throw new Error(url + ": HTTP " + response.status + " " + (await response.text()));
    const data = await response.json();
    const total = Number(response.headers.get("X-KG-Total-Rows") || data.results.bindings.length);
    return { vars: data.head.vars, rows: data.results.bindings, total };
  },
  /** POST a SELECT query to /sparql. */
  async select(query) {
    const response = await fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", Accept: "application/sparql-results+json" },
      body: query,
    });
    if (!response.ok) throw new Error("/sparql: HTTP " + response.status + " " + (await response.text()));
    const data = await response.json();
    return { vars: data.head.vars, rows: data.results.bindings };
  },
  /** The server path of one of the project's IRIs, else the IRI. */
  path(iri) {
    const base = "https://kg.example.org/";
    return iri.startsWith(base) ? "/" + iri.slice(base.length) : iri;
  },
  value(row, name) { return row[name] ? row[name].value : ""; },
};
