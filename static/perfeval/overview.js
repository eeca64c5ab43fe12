// Charts of the overview (/overview/): Apache ECharts from static/vendor, data from the page's
// json_script "overview-data". Every chart also has its table under "以表格查看" (and in print).
(function () {
  "use strict";
  var source = document.getElementById("overview-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var BRAND = "#8f1d15";
  var GRADE_COLOURS = { "优": "#1a7f37", "良": "#0969da", "中": "#9a6700", "差": "#b3261e" };
  var charts = [];

  function bar(el, rows, name, colours) {
    return {
      animation: false,
      grid: { left: 40, right: 12, top: 16, bottom: 48 },
      tooltip: { trigger: "axis", formatter: function (p) { return p[0].name + "：" + p[0].value + " 份"; } },
      xAxis: { type: "category", data: rows.map(function (r) { return r[0]; }), axisLabel: { interval: 0, rotate: rows.length > 5 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{
        type: "bar", barMaxWidth: 36, label: { show: true, position: "top" },
        data: rows.map(function (r) { return { value: r[1], itemStyle: { color: (colours && colours[r[0]]) || BRAND } }; })
      }]
    };
  }

  function scatter(points) {
    return {
      animation: false,
      grid: { left: 48, right: 24, top: 28, bottom: 48 },
      tooltip: {
        formatter: function (p) {
          var d = p.data;
          return d[2] + "<br>执行率 " + d[0].toFixed(2) + "%，总分 " + d[1].toFixed(2) + "，风险分 " + d[4];
        }
      },
      xAxis: { type: "value", name: "预算执行率 %", nameLocation: "middle", nameGap: 28, min: 0, max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); } },
      yAxis: { type: "value", name: "总分", min: 0, max: 100 },
      series: [{
        type: "scatter", symbolSize: 8,
        data: points.map(function (p) { return [p.rate, p.score, p.name, p.id, p.risk]; }),
        itemStyle: { color: function (p) { return p.data[4] > 0 ? "#b3261e" : "#0969da"; }, opacity: 0.7 },
        markArea: { silent: true, itemStyle: { color: "rgba(179,38,30,0.06)" }, data: [[{ xAxis: 0, yAxis: 90 }, { xAxis: 80, yAxis: 100 }]] }
      }]
    };
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var kind = el.getAttribute("data-chart");
    var option = null;
    if (kind === "grades") option = bar(el, data.grades, "份", GRADE_COLOURS);
    else if (kind === "scores") option = bar(el, data.scores, "份");
    else if (kind === "execution") option = bar(el, data.execution, "份");
    else if (kind === "scatter") option = scatter(data.scatter);
    if (!option) return;
    var chart = echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(option);
    if (kind === "scatter") {
      chart.on("click", function (p) { if (p.data && p.data[3]) window.location.href = data.review_url.replace("/0/", "/" + p.data[3] + "/"); });
    }
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
