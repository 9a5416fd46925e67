#include "yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "key_suggestion.hpp"

namespace gridbatch::manifest {
namespace {

std::string Quote(std::string_view key) {
  return "'" + std::string(key) + "'";
}

}  // namespace

Location YamlReader::At(const YAML::Node& node) const {
  const YAML::Mark mark = node.Mark();
  if (mark.pos < 0) return {1, 1};
  auto pos = static_cast<std::size_t>(mark.pos);
  // An empty item ("-" alone) is marked at the token after it: step back to
  // its "-" (or "," or ":"). An explicit "~" or "null" is marked right.
  const bool implicit_null =
      node.IsNull() && pos <= text_.size() && !text_.substr(pos).starts_with("~") &&
      !text_.substr(pos).starts_with("null") && !text_.substr(pos).starts_with("Null") &&
      !text_.substr(pos).starts_with("NULL");
  if (implicit_null) {
    while (pos > 0 && std::string_view(" \t\r\n").find(text_[pos - 1]) != std::string_view::npos) {
      --pos;
    }
    if (pos > 0) --pos;
  }
  const TextPosition p = lines_.At(pos);
  return {p.line, p.column};
}

void YamlReader::Error(Location where, const std::string& message) {
  errors_.Add(file_, where.line, where.column, message);
}

std::optional<std::string> TextProblem(std::string_view text, TextKind kind) {
  if (text.empty()) return "must not be empty";
  if (kind == TextKind::kPrompt && text.size() > kMaxPromptBytes) return PromptTooLong(text.size());
  // As prompt files skip blank lines, a prompt of only blanks is no prompt.
  if (kind == TextKind::kPrompt && text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return "must not be only blanks";
  }
  const auto bad = [kind](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return kind == TextKind::kName ? (byte < 0x20 || byte == 0x7f) : byte == 0;
  };
  if (std::none_of(text.begin(), text.end(), bad)) return std::nullopt;
  return kind == TextKind::kName ? "must not contain control characters"
                                 : "must not contain a NUL character";
}

MapFields::MapFields(YamlReader& reader, const YAML::Node& map,
                     std::span<const std::string_view> allowed, std::string label)
    : reader_(reader), label_(std::move(label)), where_(reader.At(map)) {
  for (const auto& entry : map) {
    const Location key_at = reader_.At(entry.first);
    if (!entry.first.IsScalar()) {
      Error(key_at, "keys must be strings");
      continue;
    }
    const std::string key = entry.first.Scalar();
    const bool any_key = allowed.empty();
    if (!any_key && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      Error(key_at, "unknown key " + Quote(key) + DidYouMean(key, allowed));
      continue;
    }
    if (const Field* first = Find(key)) {
      Error(key_at, "duplicate key " + Quote(key) + " (first at line " +
                        std::to_string(first->key_at.line) + ")");
      continue;
    }
    // yaml-cpp places an empty value at the start of the next entry.
    const Location value_at = entry.second.IsNull() ? key_at : reader_.At(entry.second);
    fields_.push_back({key, key_at, entry.second, value_at});
  }
}

const Field* MapFields::Find(std::string_view key) const {
  const auto it =
      std::find_if(fields_.begin(), fields_.end(), [&](const Field& f) { return f.key == key; });
  return it == fields_.end() ? nullptr : &*it;
}

void MapFields::Error(Location where, const std::string& message) const {
  reader_.Error(where, label_.empty() ? message : label_ + ": " + message);
}

const Field* MapFields::Require(std::string_view key) const {
  const Field* field = Find(key);
  if (!field) Error(where_, "missing " + Quote(key));
  return field;
}

std::optional<std::string> MapFields::Text(const Field& field, TextKind kind) const {
  if (!field.value.IsScalar() && !field.value.IsNull()) {
    Error(field.value_at, Quote(field.key) + " must be a string");
    return std::nullopt;
  }
  std::string text = field.value.IsNull() ? "" : field.value.Scalar();
  if (const auto problem = TextProblem(text, kind)) {
    Error(field.value_at, Quote(field.key) + " " + *problem);
    return std::nullopt;
  }
  return text;
}

std::optional<std::vector<Located<std::string>>> MapFields::TextList(const Field& field) const {
  const std::string must = Quote(field.key) + " must be a list of strings";
  if (!field.value.IsSequence()) {
    Error(field.value_at, must);
    return std::nullopt;
  }
  if (field.value.size() == 0) {
    Error(field.value_at, Quote(field.key) + " must not be empty");
    return std::nullopt;
  }
  std::vector<Located<std::string>> items;
  bool ok = true;
  for (const auto& item : field.value) {
    const Location at = reader_.At(item);
    if (!item.IsScalar() && !item.IsNull()) {
      Error(at, must);
      ok = false;
    } else if (const auto problem =
                   TextProblem(item.IsNull() ? "" : item.Scalar(), TextKind::kName)) {
      Error(at, Quote(field.key) + " entries " + *problem);
      ok = false;
    } else {
      items.push_back({item.Scalar(), at});
    }
  }
  if (!ok) return std::nullopt;
  return items;
}

std::optional<double> MapFields::PositiveNumber(const Field& field) const {
  const std::string text = field.value.IsScalar() ? field.value.Scalar() : "";
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value) || value <= 0) {
    Error(field.value_at, Quote(field.key) + " must be a number greater than 0");
    return std::nullopt;
  }
  return value;
}

std::optional<int> MapFields::Repeat(const Field& field) const {
  const std::string text = field.value.IsScalar() ? field.value.Scalar() : "";
  int value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < 1 || value > kMaxRepeat) {
    Error(field.value_at,
          Quote(field.key) + " must be a whole number from 1 to " + std::to_string(kMaxRepeat));
    return std::nullopt;
  }
  return value;
}

}  // namespace gridbatch::manifest
