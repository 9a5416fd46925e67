// The report page's script (embedded by cmake/embed_text.cmake): draws the
// charts from the #report-data JSON with Chart.js and filters the results
// table. (The check of the page that tests read is in report_page.cpp's
// first script, so that it reports even when this one fails.) Text from the
// data is only ever set as textContent or drawn on a canvas, never parsed
// as HTML.
(function () {
  'use strict';
  var palette = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777',
    '#4d7c0f', '#64748b', '#9a3412'];
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var colorOf = {};
  data.models.forEach(function (model, i) { colorOf[model] = palette[i % palette.length]; });

  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = 'system-ui, sans-serif';

  function duration(seconds) {
    if (seconds < 1) return Math.round(seconds * 1000) + ' ms';
    if (seconds < 60) return (Math.round(seconds * 10) / 10) + ' s';
    if (seconds < 3600) return Math.floor(seconds / 60) + ' min ' + Math.round(seconds % 60) + ' s';
    return Math.floor(seconds / 3600) + ' h ' + Math.round((seconds % 3600) / 60) + ' min';
  }
  function amount(value, unit) {
    return unit === 's' ? duration(value) : String(Math.round(value));
  }
  function shorten(text, n) {
    return text.length > n ? text.slice(0, n - 1) + '\u2026' : text;
  }

  function progressChart() {
    var p = data.progress;
    var slices = p.series.length ? p.series[0].submitted.length : 0;
    var labels = [];
    for (var i = 1; i <= slices; i++) labels.push(duration(i * p.bucket_seconds));
    var datasets = [];
    p.series.forEach(function (s) {
      datasets.push({ label: s.model + ' submitted', data: s.submitted, borderColor: colorOf[s.model],
        borderDash: [6, 4], pointRadius: 0, borderWidth: 2 });
      datasets.push({ label: s.model + ' finished', data: s.finished, borderColor: colorOf[s.model],
        backgroundColor: colorOf[s.model], pointRadius: 0, borderWidth: 2 });
    });
    return { type: 'line', data: { labels: labels, datasets: datasets },
      options: { scales: { x: { title: { display: true, text: 'time since the first submit' } },
        y: { beginAtZero: true, title: { display: true, text: 'jobs' } } } } };
  }

  function histogramChart(d, xTitle) {
    var labels = [];
    var bins = d.models.length ? d.models[0].bins.length : 0;
    for (var i = 0; i < bins; i++) {
      var from = d.low + i * d.width;
      var to = d.integral ? from + d.width - 1 : from + d.width;
      if (i === bins - 1 && d.open) labels.push('\u2265 ' + amount(from, d.unit));
      else if (d.integral && d.width === 1) labels.push(amount(from, d.unit));
      else labels.push(amount(from, d.unit) + '\u2013' + amount(to, d.unit));
    }
    var datasets = d.models.map(function (m) {
      return { label: m.model + ' (p50 ' + amount(m.p50, d.unit) + ', p90 ' + amount(m.p90, d.unit) +
        ', p99 ' + amount(m.p99, d.unit) + ')', data: m.bins, backgroundColor: colorOf[m.model] };
    });
    return { type: 'bar', data: { labels: labels, datasets: datasets },
      options: { scales: { x: { title: { display: true, text: xTitle } },
        y: { beginAtZero: true, title: { display: true, text: 'jobs' } } } } };
  }

  function failuresChart() {
    var f = data.failures;
    var labels = f.reasons.map(function (r) { return r === '' ? 'other reasons' : shorten(r, 60); });
    var byModel = {};
    f.counts.forEach(function (c) {
      if (!byModel[c.model]) byModel[c.model] = labels.map(function () { return 0; });
      byModel[c.model][c.reason] = c.jobs;
    });
    var datasets = Object.keys(byModel).sort().map(function (model) {
      return { label: model, data: byModel[model], backgroundColor: colorOf[model] };
    });
    return { type: 'bar', data: { labels: labels, datasets: datasets },
      options: { indexAxis: 'y', scales: { x: { stacked: true, beginAtZero: true,
        title: { display: true, text: 'failed jobs' } }, y: { stacked: true } } } };
  }

  function attemptsChart() {
    var min = 20, max = 0;
    data.attempts.forEach(function (a) {
      min = Math.min(min, a.attempts);
      max = Math.max(max, a.attempts);
    });
    var labels = [];
    for (var i = min; i <= max; i++) labels.push(i === 20 ? '20+' : String(i));
    var byModel = {};
    data.attempts.forEach(function (a) {
      if (!byModel[a.model]) byModel[a.model] = labels.map(function () { return 0; });
      byModel[a.model][a.attempts - min] = a.jobs;
    });
    var datasets = Object.keys(byModel).sort().map(function (model) {
      return { label: model, data: byModel[model], backgroundColor: colorOf[model] };
    });
    return { type: 'bar', data: { labels: labels, datasets: datasets },
      options: { scales: { x: { stacked: true, title: { display: true, text: 'submits of the job' } },
        y: { stacked: true, beginAtZero: true, title: { display: true, text: 'jobs' } } } } };
  }

  var builders = {
    progress: progressChart,
    runtime: function () { return histogramChart(data.runtime, 'runtime'); },
    turnaround: function () { return histogramChart(data.turnaround, 'submit to final'); },
    output_length: function () { return histogramChart(data.output_length, 'characters'); },
    failures: failuresChart,
    attempts: attemptsChart
  };
  var canvases = document.querySelectorAll('canvas[data-chart]');
  canvases.forEach(function (canvas) {
    try {
      new Chart(canvas, builders[canvas.dataset.chart]());
    } catch (e) {
      window.gridbatchErrors.push('chart ' + canvas.dataset.chart + ': ' + e);
    }
  });

  // The results table's filters: a row stays when its text holds the
  // filter text and, with a state chosen, one of its jobs is in that state.
  var text = document.getElementById('filter-text');
  var state = document.getElementById('filter-state');
  var count = document.getElementById('filter-count');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#results-table tbody tr'));
  var rowText = rows.map(function (row) { return row.textContent.toLowerCase(); });
  function filter() {
    var needle = text.value.toLowerCase();
    var wanted = state.value === '' ? '' : ' ' + state.value + ' ';
    var shown = 0;
    rows.forEach(function (row, i) {
      var keep = rowText[i].indexOf(needle) >= 0 &&
        (wanted === '' || row.dataset.states.indexOf(wanted) >= 0);
      row.hidden = !keep;
      if (keep) shown++;
    });
    count.textContent = shown + ' of ' + rows.length + ' rows match';
  }
  text.addEventListener('input', filter);
  state.addEventListener('change', filter);
  filter();

})();
