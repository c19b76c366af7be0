// Draws the transfer page's chart from the JSON beside it (a file, not an inline script: the page's CSP allows
// only this connector's own scripts).
(function () {
  var source = document.getElementById("chart-data");
  if (source && window.Plotly) {
    Plotly.newPlot("chart", JSON.parse(source.textContent).data, {margin: {t: 10}});
  }
})();
