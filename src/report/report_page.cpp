// The page around the results table: head, summary, charts and the inline
// scripts. The charts' numbers travel as one JSON object in a
// <script type="application/json"> element that page/report.js reads.
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "html_escape.hpp"
#include "html_report.hpp"

namespace gridbatch::report {

// Generated from Chart.js and page/ by cmake/embed_text.cmake.
extern const std::vector<std::string_view> kChartJs;
extern const std::vector<std::string_view> kPageScript;
extern const std::vector<std::string_view> kPageStyle;

namespace {

// Nothing may be fetched: no host, no file, no frame; inline script and
// style only. Chart.js draws on canvases and needs nothing else.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

// First in <head>: collects errors (and any blocked request) and, once the
// page has loaded and the charts have rendered, writes a check of the page
// into #page-check for tests: errors seen, canvases and the pixels drawn on
// each, resources fetched. It runs even if the page's own script failed.
constexpr const char* kPageCheck = R"js(
window.addEventListener('load', function () {
  setTimeout(function () {
    var canvases = document.querySelectorAll('canvas');
    var drawn = 0;
    canvases.forEach(function (canvas) {
      var pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      var painted = 0;
      for (var i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
      canvas.dataset.paintedPixels = String(painted);
      if (painted > 0) drawn++;
    });
    var check = document.getElementById('page-check');
    check.dataset.charts = String(canvases.length);
    check.dataset.drawn = String(drawn);
    check.dataset.resources = String(performance.getEntriesByType('resource').length);
    check.dataset.errors = String(window.gridbatchErrors.length);
    check.textContent = window.gridbatchErrors.join('\n');
    check.dataset.state = 'done';
  }, 0);
});
window.gridbatchErrors = [];
window.addEventListener('error', function (e) { gridbatchErrors.push('error: ' + e.message); });
window.addEventListener('unhandledrejection', function (e) { gridbatchErrors.push('rejection: ' + e.reason); });
document.addEventListener('securitypolicyviolation', function (e) {
  gridbatchErrors.push('blocked by the page policy: ' + e.violatedDirective + ' ' + e.blockedURI);
});
(function () {
  var original = console.error;
  console.error = function () {
    gridbatchErrors.push('console.error: ' + Array.prototype.join.call(arguments, ' '));
    return original.apply(console, arguments);
  };
})();
)js";

void WriteAll(std::ostream& out, const std::vector<std::string_view>& chunks) {
  for (const std::string_view chunk : chunks) out << chunk;
}

std::string Number(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return grouped;
}

std::string Card(const std::string& label, const std::string& value, const std::string& id,
                 const std::string& note = "") {
  return "<div class=\"card\"><div class=\"label\">" + Html(label) +
         "</div><div class=\"value\" id=\"" + id + "\">" + Html(value) + "</div>" +
         (note.empty() ? "" : "<div class=\"note\">" + Html(note) + "</div>") + "</div>";
}

std::string CountsTable(const store::ReportBatchCounts& batch) {
  std::string html = "<table class=\"counts\"><thead><tr><th>model</th>";
  for (const JobState state : kAllJobStates) {
    html += "<th>" + std::string(ToString(state)) + "</th>";
  }
  html += "<th>total</th></tr></thead><tbody>";
  const auto row = [&](const std::string& model, const store::StateCounts& counts, bool all) {
    html += all ? "<tr class=\"all\"><td>all models</td>" : "<tr><td>" + Html(model) + "</td>";
    const std::string where = " data-batch=\"" + Html(batch.name) + "\" data-model=\"" +
                              (all ? std::string("*") : Html(model)) + "\"";
    for (const JobState state : kAllJobStates) {
      html += "<td class=\"n state-" + std::string(ToString(state)) +
              (counts[state] ? "" : " zero") + "\"" + where + " data-state=\"" +
              std::string(ToString(state)) + "\">" + std::to_string(counts[state]) + "</td>";
    }
    html += "<td class=\"n\"" + where + " data-state=\"total\">" + std::to_string(counts.Total()) +
            "</td></tr>";
  };
  for (const auto& model : batch.models) row(model.model, model.counts, false);
  row("", batch.counts, true);
  return html + "</tbody></table>";
}

std::string PercentileTable(const store::ReportDistribution& d, bool seconds) {
  std::string html =
      "<table class=\"percentiles\"><thead><tr><th>model</th><th>jobs</th><th>min</th>"
      "<th>p50</th><th>p90</th><th>p99</th><th>max</th></tr></thead><tbody>";
  const auto cell = [&](double v) {
    if (seconds) return "<td class=\"n\">" + Html(FormatDuration(v)) + "</td>";
    return "<td class=\"n\">" + Number(static_cast<std::uint64_t>(std::llround(v))) + "</td>";
  };
  for (const auto& m : d.models) {
    html += "<tr><td>" + Html(m.model) + "</td><td class=\"n\">" + Number(m.count) + "</td>" +
            cell(m.min) + cell(m.p50) + cell(m.p90) + cell(m.p99) + cell(m.max) + "</tr>";
  }
  return html + "</tbody></table>";
}

std::string FailureTable(const std::vector<store::ReportFailure>& failures) {
  std::string html =
      "<table class=\"failures\"><thead><tr><th>reason</th><th>model</th><th>jobs</th>"
      "</tr></thead><tbody>";
  for (const auto& f : failures) {
    html += "<tr><td>" + (f.reason.empty() ? std::string("<i>other reasons</i>") : Html(f.reason)) +
            "</td><td>" + Html(f.model) + "</td><td class=\"n\">" + Number(f.jobs) + "</td></tr>";
  }
  return html + "</tbody></table>";
}

// A chart's figure, or a line saying why there is none (every canvas on the
// page has something to draw).
std::string Figure(const std::string& id, const std::string& title, bool has_data,
                   const std::string& empty_note, const std::string& below = "") {
  std::string html =
      "<figure id=\"figure-" + id + "\"><figcaption>" + Html(title) + "</figcaption>";
  if (!has_data) return html + "<p class=\"empty\">" + Html(empty_note) + "</p></figure>";
  return html + "<div class=\"chart\"><canvas id=\"chart-" + id + "\" data-chart=\"" + id +
         "\"></canvas></div>" + below + "</figure>";
}

nlohmann::json DistributionJson(const store::ReportDistribution& d, const char* unit) {
  nlohmann::json models = nlohmann::json::array();
  for (const auto& m : d.models) {
    models.push_back(
        {{"model", m.model}, {"bins", m.bins}, {"p50", m.p50}, {"p90", m.p90}, {"p99", m.p99}});
  }
  return {{"unit", unit},
          {"low", d.low},
          {"width", d.bin_width},
          {"high", d.high},
          {"open", d.last_bin_open},
          {"integral", d.integral},
          {"models", std::move(models)}};
}

nlohmann::json ChartData(const store::ReportData& data) {
  nlohmann::json progress = nlohmann::json::array();
  for (const auto& s : data.progress.models) {
    progress.push_back({{"model", s.model}, {"submitted", s.submitted}, {"finished", s.finished}});
  }
  nlohmann::json reasons = nlohmann::json::array();
  nlohmann::json failures = nlohmann::json::array();
  for (const auto& f : data.failures) {
    if (reasons.empty() || reasons.back() != f.reason) reasons.push_back(f.reason);
    failures.push_back({{"reason", reasons.size() - 1}, {"model", f.model}, {"jobs", f.jobs}});
  }
  nlohmann::json attempts = nlohmann::json::array();
  for (const auto& a : data.attempts) {
    attempts.push_back({{"attempts", a.attempts}, {"model", a.model}, {"jobs", a.jobs}});
  }
  return {{"models", data.models},
          {"progress", {{"bucket_seconds", data.progress.bucket_seconds}, {"series", progress}}},
          {"runtime", DistributionJson(data.runtime, "s")},
          {"turnaround", DistributionJson(data.turnaround, "s")},
          {"output_length", DistributionJson(data.output_length, "chars")},
          {"failures", {{"reasons", reasons}, {"counts", failures}}},
          {"attempts", attempts}};
}

}  // namespace

std::string FormatDuration(double seconds) {
  char text[64];
  if (seconds < 1) {
    std::snprintf(text, sizeof text, "%.0f ms", seconds * 1000);
  } else if (seconds < 60) {
    std::snprintf(text, sizeof text, "%.1f s", seconds);
  } else if (seconds < 3600) {
    const auto s = std::llround(seconds);
    std::snprintf(text, sizeof text, "%lld min %lld s", s / 60, s % 60);
  } else {
    const auto m = std::llround(seconds / 60);
    std::snprintf(text, sizeof text, "%lld h %lld min", m / 60, m % 60);
  }
  return text;
}

HtmlReport::HtmlReport(std::ostream& out, const store::ReportData& data, PageOptions options)
    : out_(out), data_(data), options_(std::move(options)) {
  many_batches_ = data_.summary.batches.size() > 1;
}

void HtmlReport::Begin() {
  WriteHead();
  WriteSummary();
  WriteCharts();
  WriteTableHead();
}

void HtmlReport::WriteHead() {
  out_ << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
       << "<meta http-equiv=\"Content-Security-Policy\" content=\"" << kContentSecurityPolicy
       << "\">\n"
       << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       << "<title>gridbatch report: " << Html(options_.selection) << "</title>\n"
       << "<script>" << kPageCheck << "</script>\n<style>\n";
  WriteAll(out_, kPageStyle);
  out_ << "</style></head>\n<body>\n<header><h1>gridbatch report <span class=\"selection\">"
       << Html(options_.selection) << "</span></h1><p class=\"meta\">database <code>"
       << Html(options_.database) << "</code> &middot; snapshot " << Html(data_.summary.snapshot_at)
       << "</p></header>\n";
}

void HtmlReport::WriteSummary() {
  const store::ReportSummary& s = data_.summary;
  const store::StateCounts& t = s.totals;
  const std::uint64_t in_flight =
      t[JobState::kSubmitting] + t[JobState::kSubmitted] + t[JobState::kRunning];
  out_ << "<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">"
       << Card("jobs", Number(t.Total()), "summary-total")
       << Card("completed", Number(t[JobState::kCompleted]), "summary-completed")
       << Card("failed", Number(t[JobState::kFailed]), "summary-failed")
       << Card("pending / in flight", Number(t[JobState::kPending]) + " / " + Number(in_flight),
               "summary-open")
       << Card(in_flight + t[JobState::kPending] > 0 ? "wall time so far" : "wall time",
               s.first_submit.empty() ? "-" : FormatDuration(s.wall_seconds), "summary-wall",
               s.first_submit.empty() ? "nothing submitted yet" : "from " + s.first_submit)
       << Card("submits", Number(s.submits), "summary-submits",
               Number(s.retried_submits) + " after a job's first")
       << Card("suspected duplicate submits", Number(s.suspected_duplicates), "summary-duplicates",
               "resubmitted after an interrupted submit; " + Number(s.uncertain) +
                   " in 'submitting' now")
       << "</div>\n";
  for (const auto& batch : s.batches) {
    out_ << "<h3>batch " << Html(batch.name) << "</h3>" << CountsTable(batch) << "\n";
  }
  if (s.batches.empty()) out_ << "<p class=\"empty\">no batches loaded</p>";
  out_ << "</section>\n";
}

void HtmlReport::WriteCharts() {
  out_ << "<section id=\"charts\"><h2>Charts</h2><div class=\"grid\">\n"
       << Figure("progress", "Progress: jobs submitted and finished, cumulative",
                 !data_.progress.models.empty(), "nothing submitted yet")
       << Figure("runtime", "Runtime per model (completed jobs, as the service reports it)",
                 !data_.runtime.models.empty(), "no completed job with a runtime yet",
                 PercentileTable(data_.runtime, true))
       << Figure("turnaround", "Turnaround per model: submit to final (completed and failed jobs)",
                 !data_.turnaround.models.empty(), "no finished job yet",
                 PercentileTable(data_.turnaround, true))
       << Figure("output_length", "Output length per model (characters, completed jobs)",
                 !data_.output_length.models.empty(), "no output yet",
                 PercentileTable(data_.output_length, false))
       << Figure("failures", "Failures by reason and model", !data_.failures.empty(),
                 "no failed job", FailureTable(data_.failures))
       << Figure("attempts", "Submits per job (attempts)", !data_.attempts.empty(), "no jobs")
       << "</div></section>\n";
}

void HtmlReport::WriteScripts() {
  out_ << "<output id=\"page-check\" data-state=\"pending\" hidden></output>\n"
       << "<script type=\"application/json\" id=\"report-data\">"
       << ScriptSafeJson(
              ChartData(data_).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
       << "</script>\n<script>\n";
  WriteAll(out_, kChartJs);
  out_ << "\n</script>\n<script>\n";
  WriteAll(out_, kPageScript);
  out_ << "\n</script>\n</body></html>\n";
}

}  // namespace gridbatch::report
