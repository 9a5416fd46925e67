#include "jsonl_writer.hpp"

#include <charconv>

#include "gridbatch/util/json_escape.hpp"
#include "gridbatch/util/utf8.hpp"
#include "text_scan.hpp"

namespace gridbatch::exporter {
namespace {

// Building an nlohmann::json per record and dumping it ran 2.5 to 6 times
// slower than this hand-written escaping (docs/BENCHMARKS.md, "Export").
void AppendEscape(OutputBuffer& out, unsigned char c) {
  char buffer[6];
  out.Append(JsonEscapeOf(c, buffer));
}

void AppendString(OutputBuffer& out, std::string_view text) {
  std::string sanitized;
  if (!IsValidUtf8(text)) {
    sanitized = SanitizeUtf8(text);
    text = sanitized;
  }
  out.Append('"');
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!kJsonNeedsEscape[c]) {
      continue;
    }
    out.Append(text.substr(start, i - start));
    AppendEscape(out, c);
    start = i + 1;
  }
  out.Append(text.substr(start));
  out.Append('"');
}

void AppendNumber(OutputBuffer& out, std::int64_t value) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.Append(std::string_view(digits, static_cast<std::size_t>(result.ptr - digits)));
}

void AppendNullable(OutputBuffer& out, const std::optional<std::string>& text) {
  if (text) {
    AppendString(out, *text);
  } else {
    out.Append("null");
  }
}

}  // namespace

JsonlWriter::JsonlWriter(std::ostream& out, std::string destination)
    : out_(out, std::move(destination)) {}

void JsonlWriter::Write(const ExportRow& row) {
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
  Key(field++), String(row.previous_error);
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
  AppendString(out_, text);
}

void JsonlWriter::String(const std::optional<std::string_view>& text) {
  if (text) {
    String(*text);
  } else {
    out_.Append("null");
  }
}

void JsonlWriter::Number(std::int64_t value) {
  AppendNumber(out_, value);
}

void JsonlWriter::Number(const std::optional<std::int64_t>& value) {
  if (value) {
    Number(*value);
  } else {
    out_.Append("null");
  }
}

WideJsonlWriter::WideJsonlWriter(std::ostream& out, std::string destination,
                                 std::vector<std::string> models)
    : out_(out, std::move(destination)), models_(std::move(models)) {}

void WideJsonlWriter::Write(const WideRow& row) {
  out_.Append("{\"batch\":");
  AppendString(out_, row.batch);
  out_.Append(",\"prompt_id\":");
  AppendString(out_, row.prompt_id);
  out_.Append(",\"repeat\":");
  AppendNumber(out_, row.repeat);
  out_.Append(",\"prompt\":");
  AppendString(out_, row.prompt);
  out_.Append(",\"vars\":");
  out_.Append(vars_.Json(row.vars));
  out_.Append(",\"models\":{");
  bool first = true;
  for (const std::string& model : models_) {
    out_.Append(first ? "" : ",");
    first = false;
    AppendString(out_, model);
    out_.Append(':');
    const WideRow::Job* job = FindJob(row, model);
    if (!job) {
      out_.Append("null");
      continue;
    }
    out_.Append("{\"state\":");
    AppendString(out_, job->state);
    out_.Append(",\"output\":");
    AppendNullable(out_, job->output);
    out_.Append(",\"runtime\":");
    if (job->runtime) {
      AppendNumber(out_, *job->runtime);
    } else {
      out_.Append("null");
    }
    out_.Append(",\"error\":");
    AppendNullable(out_, job->error);
    out_.Append('}');
  }
  out_.Append("}}\n");
  out_.FlushIfFull();
}

void WideJsonlWriter::Finish() {
  out_.Finish();
}

}  // namespace gridbatch::exporter
