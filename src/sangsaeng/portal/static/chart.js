// Draws the transfer page's chart from the JSON beside it (a file, not an inline script: the page's CSP allows
// only this connector's own scripts).
(function () {
  var source = document.getElementById("chart-data");
  if (source && window.Plotly) {
    var chart = JSON.parse(source.textContent);
    var layout = chart.layout || {};
    layout.margin = {t: 10};
    Plotly.newPlot("chart", chart.data, layout);
  }
})();
