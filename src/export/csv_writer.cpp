#include "csv_writer.hpp"

#include <array>
#include <charconv>
#include <span>
#include <utility>

#include "gridbatch/util/utf8.hpp"
#include "text_scan.hpp"

namespace gridbatch::exporter {
namespace {

constexpr std::array<bool, 256> MakeQuoteTable() {
  std::array<bool, 256> table{};
  table[static_cast<unsigned char>(',')] = true;
  table[static_cast<unsigned char>('"')] = true;
  table[static_cast<unsigned char>('\r')] = true;
  table[static_cast<unsigned char>('\n')] = true;
  return table;
}
constexpr std::array<bool, 256> kNeedsQuotes = MakeQuoteTable();

bool NeedsQuotes(std::string_view text) {
  for (char c : text) {
    if (kNeedsQuotes[static_cast<unsigned char>(c)]) {
      return true;
    }
  }
  return false;
}

bool StartsLikeFormula(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  const char c = text.front();
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

// Appends `text` inside quotes with each quote doubled.
void AppendQuoted(OutputBuffer& out, std::string_view text, std::string_view prefix) {
  out.Append('"');
  out.Append(prefix);
  std::size_t start = 0;
  for (std::size_t quote = text.find('"'); quote != std::string_view::npos;
       quote = text.find('"', quote + 1)) {
    out.Append(text.substr(start, quote + 1 - start));
    out.Append('"');
    start = quote + 1;
  }
  out.Append(text.substr(start));
  out.Append('"');
}

}  // namespace

CsvCells::CsvCells(std::ostream& out, std::string destination, CsvOptions options)
    : out_(out, std::move(destination)), options_(options) {}

void CsvCells::Vars(VarsDecoder& vars, const std::optional<std::string_view>& vars_json) {
  for (const std::optional<VarCell>& cell : vars.Cells(vars_json)) {
    Separator();
    if (!cell) {
      continue;
    }
    if (cell->is_text) {
      Text(std::string_view(cell->text));
    } else {
      Verbatim(cell->text);
    }
  }
}

void CsvCells::Text(std::string_view text) {
  std::string sanitized;
  if (!IsValidUtf8(text)) {
    sanitized = SanitizeUtf8(text);
    text = sanitized;
  }
  const bool neutralise =
      options_.formulas == CsvOptions::Formulas::kNeutralise && StartsLikeFormula(text);
  const std::string_view prefix = neutralise ? "'" : "";
  if (text.empty() || NeedsQuotes(text)) {
    AppendQuoted(out_, text, prefix);
  } else {
    out_.Append(prefix);
    out_.Append(text);
  }
}

void CsvCells::Text(const std::optional<std::string_view>& text) {
  if (text) {
    Text(*text);
  }
}

void CsvCells::Number(std::int64_t value) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out_.Append(std::string_view(digits, static_cast<std::size_t>(result.ptr - digits)));
}

void CsvCells::Number(const std::optional<std::int64_t>& value) {
  if (value) {
    Number(*value);
  }
}

void CsvCells::Verbatim(std::string_view text) {
  if (NeedsQuotes(text)) {
    AppendQuoted(out_, text, "");
  } else {
    out_.Append(text);
  }
}

namespace {

// The header's first cells: `fields`, then a var.NAME column per variable.
void WriteFieldsAndVariables(CsvCells& cells, std::span<const std::string_view> fields,
                             const std::vector<std::string>& variable_names) {
  bool first = true;
  for (std::string_view field : fields) {
    if (!first) {
      cells.Separator();
    }
    cells.Verbatim(field);
    first = false;
  }
  for (const std::string& name : variable_names) {
    cells.Separator();
    cells.Verbatim("var." + SanitizeUtf8(name));
  }
}

}  // namespace

CsvWriter::CsvWriter(std::ostream& out, std::string destination,
                     const std::vector<std::string>& variable_names, CsvOptions options)
    : cells_(out, std::move(destination), options),
      has_variables_(!variable_names.empty()),
      vars_(variable_names) {
  WriteFieldsAndVariables(cells_, kExportFields, variable_names);
  cells_.EndRecord();
}

void CsvWriter::Write(const ExportRow& row) {
  JobCells(row);
  if (has_variables_) {
    cells_.Vars(vars_, row.vars);
  }
  cells_.EndRecord();
}

void CsvWriter::JobCells(const ExportRow& row) {
  CsvCells& c = cells_;
  c.Text(row.batch);
  c.Separator();
  c.Text(row.prompt_id);
  c.Separator();
  c.Text(row.model);
  c.Separator();
  c.Text(row.prompt);
  c.Separator();
  c.Text(row.state);
  c.Separator();
  c.Text(row.output);
  c.Separator();
  c.Number(row.runtime);
  c.Separator();
  c.Text(row.remote_id);
  c.Separator();
  c.Number(row.attempts);
  c.Separator();
  c.Text(row.error);
  c.Separator();
  c.Text(row.previous_error);
  c.Separator();
  c.Text(row.created);
  c.Separator();
  c.Text(row.submitted_at);
  c.Separator();
  c.Text(row.finished_at);
  c.Separator();
  c.Number(row.repeat);
}

void CsvWriter::Finish() {
  cells_.Finish();
}

WideCsvWriter::WideCsvWriter(std::ostream& out, std::string destination,
                             std::vector<std::string> models,
                             const std::vector<std::string>& variable_names, CsvOptions options)
    : cells_(out, std::move(destination), options),
      models_(std::move(models)),
      vars_(variable_names) {
  WriteFieldsAndVariables(cells_, kWideFields, variable_names);
  for (const std::string& model : models_) {
    for (std::string_view field : kWideModelFields) {
      cells_.Separator();
      cells_.Verbatim(std::string(field) + "." + SanitizeUtf8(model));
    }
  }
  cells_.EndRecord();
}

void WideCsvWriter::Write(const WideRow& row) {
  CsvCells& c = cells_;
  c.Text(std::string_view(row.batch));
  c.Separator();
  c.Text(std::string_view(row.prompt_id));
  c.Separator();
  c.Number(row.repeat);
  c.Separator();
  c.Text(std::string_view(row.prompt));
  c.Vars(vars_, row.vars);
  for (const std::string& model : models_) {
    const WideRow::Job* job = FindJob(row, model);
    c.Separator();
    if (job) c.Text(std::string_view(job->state));
    c.Separator();
    if (job && job->output) c.Text(std::string_view(*job->output));
    c.Separator();
    if (job) c.Number(job->runtime);
    c.Separator();
    if (job && job->error) c.Text(std::string_view(*job->error));
  }
  c.EndRecord();
}

}  // namespace gridbatch::exporter
