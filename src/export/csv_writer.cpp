#include "csv_writer.hpp"

#include <array>
#include <charconv>
#include <utility>

#include "gridbatch/utf8.hpp"
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

CsvWriter::CsvWriter(std::ostream& out, std::string destination,
                     const std::vector<std::string>& variable_names, CsvOptions options)
    : out_(out, std::move(destination)),
      has_variables_(!variable_names.empty()),
      vars_(variable_names),
      options_(options) {
  bool first = true;
  for (std::string_view field : kExportFields) {
    if (!first) {
      Separator();
    }
    Verbatim(field);
    first = false;
  }
  for (const std::string& name : variable_names) {
    Separator();
    Verbatim("var." + SanitizeUtf8(name));
  }
  out_.Append("\r\n");
}

void CsvWriter::Write(const store::ExportRow& row) {
  JobCells(row);
  if (has_variables_) {
    VarCells(row.vars);
  }
  out_.Append("\r\n");
  out_.FlushIfFull();
}

void CsvWriter::JobCells(const store::ExportRow& row) {
  Text(row.batch);
  Separator();
  Text(row.prompt_id);
  Separator();
  Text(row.model);
  Separator();
  Text(row.prompt);
  Separator();
  Text(row.state);
  Separator();
  Text(row.output);
  Separator();
  Number(row.runtime);
  Separator();
  Text(row.remote_id);
  Separator();
  Number(row.attempts);
  Separator();
  Text(row.error);
  Separator();
  Text(row.created);
  Separator();
  Text(row.submitted_at);
  Separator();
  Text(row.finished_at);
  Separator();
  Number(row.repeat);
}

void CsvWriter::VarCells(const std::optional<std::string_view>& vars_json) {
  for (const std::optional<VarCell>& cell : vars_.Cells(vars_json)) {
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

void CsvWriter::Finish() {
  out_.Finish();
}

void CsvWriter::Text(std::string_view text) {
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

void CsvWriter::Text(const std::optional<std::string_view>& text) {
  if (text) {
    Text(*text);
  }
}

void CsvWriter::Number(std::int64_t value) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out_.Append(std::string_view(digits, static_cast<std::size_t>(result.ptr - digits)));
}

void CsvWriter::Number(const std::optional<std::int64_t>& value) {
  if (value) {
    Number(*value);
  }
}

void CsvWriter::Verbatim(std::string_view text) {
  if (NeedsQuotes(text)) {
    AppendQuoted(out_, text, "");
  } else {
    out_.Append(text);
  }
}

}  // namespace gridbatch::exporter
