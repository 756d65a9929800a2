// The SPARQL editor: YASGUI on this server's own endpoint. Nothing is fetched from elsewhere: the
// autocompleters that call prefix.cc or LOV are off, and the endpoint list is this server only.
"use strict";
(function () {
  const root = document.getElementById("yasgui");
  if (!root || !window.Yasgui) return;
  const endpoint = new URL(root.dataset.endpoint, window.location.href).href;
  const prefixes = JSON.parse(root.dataset.prefixes);
  const examples = JSON.parse(root.dataset.examples);
  window.Yasgui.Yasqe.defaults.autocompleters = ["variables"];
  window.Yasgui.Yasqe.defaults.value = root.dataset.defaultQuery;
  const yasgui = new window.Yasgui(root, {
    requestConfig: { endpoint: endpoint, method: "POST", acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }], keys: [] },
    persistenceId: null,
    populateFromUrl: false,
    yasqe: { value: root.dataset.defaultQuery, persistenceId: null },
    yasr: { persistenceId: null, prefixes: prefixes },
  });
  window.stskgEditor = yasgui;
  function open(text, run) {
    const tab = yasgui.getTab();
    tab.setQuery(text);
    if (run) tab.query();
  }
  document.querySelectorAll("[data-example]").forEach((button) => {
    button.addEventListener("click", () => open(examples[Number(button.dataset.example)].query, false));
  });
  if (root.dataset.query) open(root.dataset.query, true);
})();
