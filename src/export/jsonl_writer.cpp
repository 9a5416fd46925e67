#include "jsonl_writer.hpp"

#include <charconv>

#include "gridbatch/json_escape.hpp"
#include "gridbatch/utf8.hpp"
#include "text_scan.hpp"

namespace gridbatch::exporter {
namespace {

// Building an nlohmann::json per record and dumping it ran 2.5 to 6 times
// slower than this hand-written escaping (docs/BENCHMARKS.md, "Export").
void AppendEscape(OutputBuffer& out, unsigned char c) {
  char buffer[6];
  out.Append(JsonEscapeOf(c, buffer));
}

}  // namespace

JsonlWriter::JsonlWriter(std::ostream& out, std::string destination)
    : out_(out, std::move(destination)) {}

void JsonlWriter::Write(const store::ExportRow& row) {
  std::size_t field = 0;
  Key(field++), String(row.batch);
  Key(field++), String(row.prompt_id);
  Key(field++), String(row.model);
  Key(field++), String(row.prompt);
  Key(field++), String(row.state);
  Key(field++), String(row.output);
  Key(field++), Number(row.runtime);
  Key(field++), String(row.remote_id);
  Key(field++), Number(row.attempts);
  Key(field++), String(row.error);
  Key(field++), String(row.created);
  Key(field++), String(row.submitted_at);
  Key(field++), String(row.finished_at);
  Key(field++), Number(row.repeat);
  out_.Append(",\"vars\":");
  out_.Append(vars_.Json(row.vars));
  out_.Append("}\n");
  out_.FlushIfFull();
}

void JsonlWriter::Finish() {
  out_.Finish();
}

void JsonlWriter::Key(std::size_t index) {
  out_.Append(index == 0 ? "{\"" : ",\"");
  out_.Append(kExportFields[index]);
  out_.Append("\":");
}

void JsonlWriter::String(std::string_view text) {
  std::string sanitized;
  if (!IsValidUtf8(text)) {
    sanitized = SanitizeUtf8(text);
    text = sanitized;
  }
  out_.Append('"');
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!kJsonNeedsEscape[c]) {
      continue;
    }
    out_.Append(text.substr(start, i - start));
    AppendEscape(out_, c);
    start = i + 1;
  }
  out_.Append(text.substr(start));
  out_.Append('"');
}

void JsonlWriter::String(const std::optional<std::string_view>& text) {
  if (text) {
    String(*text);
  } else {
    out_.Append("null");
  }
}

void JsonlWriter::Number(std::int64_t value) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out_.Append(std::string_view(digits, static_cast<std::size_t>(result.ptr - digits)));
}

void JsonlWriter::Number(const std::optional<std::int64_t>& value) {
  if (value) {
    Number(*value);
  } else {
    out_.Append("null");
  }
}

}  // namespace gridbatch::exporter
