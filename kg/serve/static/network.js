/* An entity's neighbourhood (links in and out) as a small cytoscape network, from /sparql. */
"use strict";
(async function () {
  const box = document.getElementById("network");
  if (!box) return;
  const iri = box.dataset.iri;
  if (/[<>"\s]/.test(iri)) return;
  const query = `
    SELECT ?s ?p ?o ?sl ?ol ?pl WHERE {
      { VALUES ?s { <${iri}> } ?s ?p ?o FILTER(isIRI(?o)) }
      UNION { VALUES ?o { <${iri}> } ?s ?p ?o }
      FILTER(?p NOT IN (rdf:type, prov:wasDerivedFrom, owl:sameAs, kgo:inferred, oa:hasSource))
      FILTER(STRSTARTS(STR(?s), "https://kg.example.org/id/") && STRSTARTS(STR(?o), "https://kg.example.org/id/"))
      OPTIONAL { ?s rdfs:label ?sl } OPTIONAL { ?o rdfs:label ?ol } OPTIONAL { ?p rdfs:label ?pl }
    } LIMIT 120`;
  try {
    const { rows } = await kg.select(query);
    const nodes = new Map();
    const edges = [];
    const short = (x) => x.split(/[/#]/).pop();
    const add = (id, label) => {
      if (!nodes.has(id)) nodes.set(id, { data: { id, label: label || short(id), kind: kg.path(id).split("/")[2] || "" } });
    };
    add(iri, "");
    for (const row of rows) {
      const s = kg.value(row, "s"), o = kg.value(row, "o");
      add(s, kg.value(row, "sl"));
      add(o, kg.value(row, "ol"));
      edges.push({ data: { id: "e" + edges.length, source: s, target: o, label: kg.value(row, "pl") || short(kg.value(row, "p")) } });
    }
    const label = document.getElementById("label");
    if (label) nodes.get(iri).data.label = label.textContent;
    cytoscape({
      container: box,
      elements: [...nodes.values(), ...edges],
      style: [
        { selector: "node", style: { label: "data(label)", "font-size": 10, "background-color": "#7fb8c9", width: 14, height: 14, "text-wrap": "ellipsis", "text-max-width": 140 } },
        { selector: `node[id = "${iri}"]`, style: { "background-color": "#0b6e8a", width: 24, height: 24, "font-weight": "bold" } },
        { selector: "edge", style: { width: 1, "line-color": "#b8c4cc", "target-arrow-color": "#b8c4cc", "target-arrow-shape": "triangle", "curve-style": "bezier", label: "data(label)", "font-size": 8, color: "#8795a1" } },
      ],
      layout: { name: "concentric", concentric: (n) => (n.id() === iri ? 2 : 1), levelWidth: () => 1, minNodeSpacing: 40, spacingFactor: 1.3, animate: false },
    }).on("tap", "node", (event) => {
      if (event.target.id() !== iri) window.location.href = kg.path(event.target.id());
    });
    box.dataset.ready = String(nodes.size);
  } catch (err) {
    box.textContent = "Could not draw the network: " + err.message;
  }
})();
