#include "prompt_file_reader.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <system_error>

#include "gridbatch/util/utf8.hpp"
#include "key_suggestion.hpp"
#include "manifest_keys.hpp"
#include "text_position.hpp"

namespace gridbatch::manifest {
namespace {

using Json = nlohmann::ordered_json;

const auto& kJsonlKeys = kJsonlRecordKeys;
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

bool IsBlank(std::string_view line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t'; });
}

bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// nlohmann's message without its "[json.exception.parse_error.101] " tag
// and "parse error at line 1, column 7: " prefix, which repeat what the
// diagnostic already says.
std::string JsonProblem(const nlohmann::json::exception& e) {
  std::string what = e.what();
  if (what.starts_with("[json.exception.")) what.erase(0, what.find("] ") + 2);
  if (what.starts_with("parse error")) {
    const std::size_t colon = what.find(": ", what.find("column "));
    if (colon != std::string::npos) what.erase(0, colon + 2);
  }
  // "last read: '...'" may end inside a multi-byte character.
  return SanitizeUtf8(what);
}

// A JSON scalar as the text a template or an export shows.
std::optional<std::string> ScalarText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  return std::nullopt;
}

}  // namespace

std::string GeneratedId(std::string_view prefix, std::uint64_t hash) {
  std::string id(prefix);
  id.push_back('-');
  id += HexDigits(hash);
  return id;
}

std::optional<std::string> PromptFileReader::Open() {
  std::error_code ec;
  if (std::filesystem::is_directory(file_.open_path, ec)) return "is a directory";
  in_.open(file_.open_path, std::ios::binary);
  if (!in_) return std::strerror(errno);
  return std::nullopt;
}

// std::getline, in pieces, stopping once the line is past kMaxLineBytes
// (then line_too_long_ is set and the rest of the line is left unread).
bool PromptFileReader::ReadLine() {
  line_.clear();
  line_too_long_ = false;
  std::array<char, std::size_t{64} * 1024> piece;
  bool extracted = false;
  for (;;) {
    in_.getline(piece.data(), static_cast<std::streamsize>(piece.size()));
    const auto count = static_cast<std::size_t>(in_.gcount());
    extracted = extracted || count > 0;
    // failbit with a full piece and no end of file: the line goes on.
    if (in_.fail() && !in_.eof() && !in_.bad() && count == piece.size() - 1) {
      line_.append(piece.data(), count);
      in_.clear();
      if (line_.size() > kMaxLineBytes) {
        line_too_long_ = true;
        break;
      }
      continue;
    }
    // The newline, when there was one, is counted but not stored.
    const bool newline = !in_.fail() && !in_.eof();
    line_.append(piece.data(), newline ? count - 1 : count);
    break;
  }
  if (!extracted || in_.bad()) return false;
  content_.Add(line_);
  ++line_number_;
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  if (line_number_ == 1 && line_.starts_with(kByteOrderMark)) line_.erase(0, kByteOrderMark.size());
  return true;
}

bool PromptFileReader::Next(PromptRecord& record, DiagnosticList& errors) {
  while (ReadLine()) {
    if (line_too_long_) {
      Report(errors, 1,
             "the line is longer than 4 MiB (a prompt may be at most 1 MiB); the rest of the "
             "file was not read");
      return false;
    }
    if (line_number_ == 1 && (line_.starts_with("\xFF\xFE") || line_.starts_with("\xFE\xFF"))) {
      Report(errors, 1,
             "the file is UTF-16 (it starts with a UTF-16 byte order mark); it must be UTF-8");
      return false;
    }
    if (IsBlank(line_)) continue;
    if (const auto bad = FindInvalidUtf8(line_)) {
      Report(errors, ColumnOf(line_, *bad), "invalid UTF-8");
      continue;
    }
    if (ParseLine(record, errors)) return true;
  }
  return false;
}

bool PromptFileReader::ParseLine(PromptRecord& record, DiagnosticList& errors) {
  record.file = &file_.display_name;
  record.settings = &file_.settings;
  record.where = {line_number_, 1};
  record.vars.clear();
  record.id.clear();
  record.generated_id = true;
  if (file_.format == PromptFileFormat::kJsonl) return ParseJsonLine(record, errors);
  return Finish(line_, record, errors);
}

bool PromptFileReader::ParseJsonLine(PromptRecord& record, DiagnosticList& errors) {
  Json json;
  try {
    json = Json::parse(line_);
  } catch (const nlohmann::json::parse_error& e) {
    Report(errors, ColumnOf(line_, e.byte > 0 ? e.byte - 1 : 0), "invalid JSON: " + JsonProblem(e));
    return false;
  } catch (const nlohmann::json::exception& e) {
    // Syntactically valid but unrepresentable, e.g. a number past a double's range.
    Report(errors, 1, "invalid JSON: " + JsonProblem(e));
    return false;
  }
  if (!json.is_object()) {
    Report(errors, 1, "each line must be a JSON object");
    return false;
  }
  const std::size_t before = errors.count();
  for (const auto& [key, value] : json.items()) {  // NOLINT: value unused
    if (std::find(kJsonlKeys.begin(), kJsonlKeys.end(), key) == kJsonlKeys.end()) {
      Report(errors, 1, "unknown key '" + key + "'" + DidYouMean(key, kJsonlKeys));
    }
  }
  if (const auto id = json.find("id"); id != json.end()) {
    const auto text = id->is_number_integer() ? std::optional(id->dump())
                      : id->is_string()       ? std::optional(id->get<std::string>())
                                              : std::nullopt;
    if (!text || text->empty() || HasControlCharacter(*text)) {
      Report(errors, 1,
             "'id' must be a non-empty string (without control characters) or an integer");
    } else {
      record.id = *text;
      record.generated_id = false;
    }
  }
  std::optional<std::string> prompt;
  if (const auto p = json.find("prompt"); p != json.end()) {
    if (p->is_string()) {
      prompt = p->get<std::string>();
    } else {
      Report(errors, 1, "'prompt' must be a string");
    }
  }
  if (const auto vars = json.find("vars"); vars != json.end()) ReadVars(*vars, record, errors);
  if (errors.count() != before) return false;
  return Finish(std::move(prompt), record, errors);
}

void PromptFileReader::ReadVars(const nlohmann::ordered_json& vars, PromptRecord& record,
                                DiagnosticList& errors) const {
  if (!vars.is_object()) {
    Report(errors, 1, "'vars' must be an object of strings, numbers or booleans");
    return;
  }
  for (const auto& [name, value] : vars.items()) {
    const auto text = ScalarText(value);
    if (name == "prompt") {
      Report(errors, 1, "'vars' must not define 'prompt' (it is the line's 'prompt')");
    } else if (!text) {
      Report(errors, 1, "'vars' value '" + name + "' must be a string, number or boolean");
    } else {
      const VarType type = value.is_string()    ? VarType::kString
                           : value.is_boolean() ? VarType::kBoolean
                                                : VarType::kNumber;
      record.vars.push_back({name, *text, type});
    }
  }
}

// Renders the template (if any), checks the prompt and generates the id.
bool PromptFileReader::Finish(std::optional<std::string> prompt, PromptRecord& record,
                              DiagnosticList& errors) const {
  if (file_.prompt_template) {
    if (!Render(prompt, record, errors)) return false;
  } else if (!prompt) {
    Report(errors, 1, "missing 'prompt'");
    return false;
  } else {
    record.text = std::move(*prompt);
  }
  if (record.text.empty()) {
    Report(errors, 1, "the prompt is empty");
    return false;
  }
  if (IsBlank(record.text)) {
    Report(errors, 1, "the prompt is only blanks");
    return false;
  }
  if (record.text.size() > kMaxPromptBytes) {
    Report(errors, 1, "the prompt " + PromptTooLong(record.text.size()));
    return false;
  }
  if (record.text.find('\0') != std::string::npos) {
    Report(errors, 1, "the prompt contains a NUL character");
    return false;
  }
  if (record.generated_id) record.id = GeneratedId(file_.id_prefix, HashPrompt(record));
  return true;
}

bool PromptFileReader::Render(const std::optional<std::string>& prompt, PromptRecord& record,
                              DiagnosticList& errors) const {
  const PromptTemplate& tmpl = *file_.prompt_template;
  std::vector<std::string_view> values;
  for (const std::string& name : tmpl.names()) {
    if (name == "prompt") {
      if (!prompt) {
        Report(errors, 1, "the template uses {prompt}, but this line has no 'prompt'");
        return false;
      }
      values.emplace_back(*prompt);
      continue;
    }
    const auto var = std::find_if(record.vars.begin(), record.vars.end(),
                                  [&](const SweepVar& v) { return v.name == name; });
    if (var == record.vars.end()) {
      Report(errors, 1,
             "the template uses {" + name + "}, which this line's 'vars' does not define");
      return false;
    }
    values.emplace_back(var->value);
  }
  // Measured first: a template repeating {prompt} could render gigabytes.
  std::vector<std::size_t> sizes;
  sizes.reserve(values.size());
  for (const std::string_view value : values) sizes.push_back(value.size());
  if (const std::size_t size = tmpl.RenderedSize(sizes); size > kMaxPromptBytes) {
    Report(errors, 1,
           "the prompt would be " + std::to_string(size) + " bytes, more than the limit of 1 MiB");
    return false;
  }
  tmpl.Render(values, record.text);
  return true;
}

void PromptFileReader::Report(DiagnosticList& errors, int column, std::string message) const {
  errors.Add(file_.display_name, line_number_, column, std::move(message));
}

std::uint64_t HashPrompt(const PromptRecord& record) {
  // Variables by name, so reordering a line's "vars" keeps its id.
  // The text of a value, not its type: ids stay those of earlier versions.
  std::vector<const SweepVar*> vars;
  for (const auto& var : record.vars) vars.push_back(&var);
  std::sort(vars.begin(), vars.end(), [](auto* a, auto* b) { return a->name < b->name; });
  StableHash hash;
  hash.Add(record.text);
  for (const auto* var : vars) hash.Add(var->name).Add(var->value);
  return hash.Value();
}

}  // namespace gridbatch::manifest
