// The results table: one row per prompt and repeat, its sweep variables,
// and one column per model with that model's output (long ones folded in a
// <details>), state, runtime and error. Rows are written as they stream in;
// the page's script filters them by text and by state.
#include <nlohmann/json.hpp>

#include "html_escape.hpp"
#include "html_report.hpp"

namespace gridbatch::report {
namespace {

// Outputs longer than this, or of more lines, fold open on a click.
constexpr std::size_t kFoldChars = 280;
constexpr int kFoldLines = 6;
constexpr std::size_t kSummaryChars = 160;

bool Folds(const std::string& text) {
  if (text.size() > kFoldChars) return true;
  int lines = 0;
  for (const char c : text) lines += c == '\n' ? 1 : 0;
  return lines >= kFoldLines;
}

// The first kSummaryChars bytes on one line, cut at a character boundary.
std::string Opening(const std::string& text) {
  std::size_t cut = std::min(text.size(), kSummaryChars);
  while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  std::string line = text.substr(0, cut);
  for (char& c : line) c = c == '\n' || c == '\r' || c == '\t' ? ' ' : c;
  return line;
}

void AppendText(std::string& html, const std::string& text, const char* css_class) {
  html += std::string("<div class=\"") + css_class + "\">";
  if (Folds(text)) {
    html += "<details><summary>";
    AppendHtml(html, Opening(text));
    html += "&hellip;</summary>";
    AppendHtml(html, text);
    html += "</details>";
  } else {
    AppendHtml(html, text);
  }
  html += "</div>";
}

void AppendCell(std::string& html, const store::ReportCell& cell) {
  html += "<div class=\"job state-" + Html(cell.state) + "\"><span class=\"badge\">" +
          Html(cell.state) + "</span>";
  if (cell.runtime) {
    html += "<span class=\"runtime\">" + Html(FormatDuration(static_cast<double>(*cell.runtime))) +
            "</span>";
  }
  if (cell.attempts > 1) {
    html += "<span class=\"attempts\">" + std::to_string(cell.attempts) + " attempts</span>";
  }
  if (cell.output) {
    AppendText(html, *cell.output, "output");
    if (cell.output_chars > static_cast<std::int64_t>(cell.output->size())) {
      html += "<div class=\"cut\">first part of " + std::to_string(cell.output_chars) +
              " characters; <code>gridbatch export</code> has all</div>";
    }
  }
  if (cell.error && cell.state != "completed") AppendText(html, *cell.error, "error");
  html += "</div>";
}

// The variables' values as the manifest gave them: strings bare, others as JSON.
std::vector<std::string> VariableValues(const std::optional<std::string>& vars,
                                        const std::vector<std::string>& names) {
  std::vector<std::string> values(names.size());
  if (!vars) return values;
  const nlohmann::json object = nlohmann::json::parse(*vars, nullptr, false);
  if (!object.is_object()) return values;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto it = object.find(names[i]);
    if (it == object.end()) continue;
    values[i] = it->is_string()
                    ? it->get<std::string>()
                    : it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return values;
}

}  // namespace

void HtmlReport::WriteTableHead() {
  out_ << "<section id=\"results\"><h2>Results</h2>\n<div class=\"filters\">"
       << "<input id=\"filter-text\" type=\"search\" placeholder=\"filter: any text in the row\">"
       << "<select id=\"filter-state\"><option value=\"\">any state</option>";
  for (const JobState state : kAllJobStates) {
    out_ << "<option value=\"" << ToString(state) << "\">a model " << ToString(state)
         << "</option>";
  }
  out_ << "</select><span id=\"filter-count\"></span></div>\n"
       << "<div class=\"table-wrap\"><table id=\"results-table\"><thead><tr><th>#</th>";
  if (many_batches_) out_ << "<th>batch</th>";
  out_ << "<th>prompt</th>";
  for (const auto& name : data_.variable_names) {
    out_ << "<th class=\"var\">" << Html(name) << "</th>";
  }
  for (const auto& model : data_.models) out_ << "<th class=\"model\">" << Html(model) << "</th>";
  out_ << "</tr></thead><tbody>\n";
}

void HtmlReport::AddRow(const store::ReportResultRow& row) {
  ++shown_;
  total_ = row.total;
  std::string states;
  for (const auto& cell : row.cells) states += " " + cell.state;
  std::string html = "<tr data-states=\"" + Html(states) + " \"><td class=\"n\">" +
                     std::to_string(row.index) + "</td>";
  if (many_batches_) html += "<td>" + Html(row.batch) + "</td>";
  html += "<td class=\"prompt\"><div class=\"id\">" + Html(row.prompt_id) +
          (row.repeat > 0 ? " &middot; repeat " + std::to_string(row.repeat) : std::string()) +
          "</div>";
  AppendText(html, row.prompt, "text");
  html += "</td>";
  for (const auto& value : VariableValues(row.vars, data_.variable_names)) {
    html += "<td class=\"var\">" + Html(value) + "</td>";
  }
  // Cells come sorted by model, as data_.models is.
  std::size_t next = 0;
  for (const auto& model : data_.models) {
    html += "<td class=\"model\">";
    while (next < row.cells.size() && row.cells[next].model == model) {
      AppendCell(html, row.cells[next++]);
    }
    html += "</td>";
  }
  out_ << html << "</tr>\n";
}

void HtmlReport::Finish() {
  out_ << "</tbody></table></div>\n<p class=\"shown\" id=\"results-shown\" data-shown=\"" << shown_
       << "\" data-total=\"" << total_ << "\">";
  if (total_ == 0) {
    out_ << "no jobs";
  } else if (shown_ == total_) {
    out_ << "showing all " << total_ << " rows (one per prompt and repeat)";
  } else {
    out_ << "showing " << shown_ << " of " << total_
         << " rows (one per prompt and repeat), chosen evenly across the batch; raise --max-rows "
            "for more, or see them all with <code>gridbatch export</code>";
  }
  out_ << "</p></section>\n";
  WriteScripts();
}

}  // namespace gridbatch::report
