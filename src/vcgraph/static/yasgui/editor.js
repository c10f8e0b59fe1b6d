// vcgraph's SPARQL editor: YASGUI on this server's endpoint, with the project's example queries.
// Configuration comes from the page's JSON block (no inline script, so the page's CSP can forbid them).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("vcgraph-editor-config").textContent);
  var YasguiClass = window.Yasgui && (window.Yasgui.default || window.Yasgui);
  var endpoint = new URL(config.endpoint, window.location.href).href;
  // Only completers that work offline: the class/property ones query lov.linkeddata.es from the browser.
  YasguiClass.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
  var yasgui = new YasguiClass(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: "vcgraph-" + endpoint,
    yasqe: { value: config.examples.length ? config.examples[0].query : "SELECT * WHERE { ?s ?p ?o } LIMIT 10" },
  });
  var picker = document.getElementById("examples");
  config.examples.forEach(function (example, index) {
    var option = document.createElement("option");
    option.value = String(index);
    option.textContent = example.title;
    picker.appendChild(option);
  });
  picker.addEventListener("change", function () {
    var example = config.examples[Number(picker.value)];
    if (!example) { return; }
    // A new tab per example, so the user's own query in the current tab is never overwritten.
    yasgui.addTab(true, { name: example.title, yasqe: { value: example.query }, requestConfig: { endpoint: endpoint } });
    picker.value = "";
  });
})();
