/* The ad-hoc query page: YASGUI (editor + results) against this server's /sparql. */
"use strict";
(function () {
  const box = document.getElementById("yasgui");
  const endpoint = new URL(box.dataset.endpoint, window.location.href).href;
  Yasgui.Yasqe.defaults.value = box.dataset.example;
  const yasgui = new Yasgui(box, {
    requestConfig: { endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint }] },
    persistenceId: null,
    yasqe: { autocompleters: ["variables", "prefixes"], value: box.dataset.example },
  });
  box.dataset.ready = "1";
  window.kgYasgui = yasgui;
})();
