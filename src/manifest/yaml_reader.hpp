// Reading yaml-cpp nodes into checked values. yaml-cpp is used only here and
// in the manifest parser; every problem becomes a Diagnostic at the node's
// position (yaml-cpp counts from 0 and in bytes, users from 1 and in
// characters), prefixed by a label saying which part of the manifest it is
// about ("prompt 'q7': 'models' must be a list of strings").
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostic_list.hpp"
#include "manifest_model.hpp"
#include "text_position.hpp"

namespace gridbatch::manifest {

template <typename T>
struct Located {
  T value;
  Location where;
};

class YamlReader {
 public:
  // Borrows all four; they must outlive the reader. `text` is what yaml-cpp
  // parsed and `lines` indexes it.
  YamlReader(const std::string& file, std::string_view text, const LineIndex& lines,
             DiagnosticList& errors)
      : file_(file), text_(text), lines_(lines), errors_(errors) {}

  Location At(const YAML::Node& node) const;
  void Error(Location where, const std::string& message);
  const std::string& file() const { return file_; }
  std::size_t error_count() const { return errors_.count(); }

 private:
  const std::string& file_;
  std::string_view text_;
  const LineIndex& lines_;
  DiagnosticList& errors_;
};

// One entry of a YAML map.
struct Field {
  std::string key;
  Location key_at;
  YAML::Node value;
  Location value_at;  // the key's position when the value is empty
};

// What a text value may contain.
enum class TextKind {
  kName,    // no control characters at all
  kPrompt,  // anything but NUL (newlines and tabs are fine), at most kMaxPromptBytes
};

// The entries of a map, after reporting unknown keys (with a did-you-mean
// hint) and repeated keys. An empty `allowed` allows any key.
class MapFields {
 public:
  MapFields(YamlReader& reader, const YAML::Node& map, std::span<const std::string_view> allowed,
            std::string label);

  const Field* Find(std::string_view key) const;
  Location where() const { return where_; }
  const std::string& label() const { return label_; }
  YamlReader& reader() const { return reader_; }

  // "<label>: <message>" at `where`.
  void Error(Location where, const std::string& message) const;
  // Reports "missing '<key>'" at the map and returns null when absent.
  const Field* Require(std::string_view key) const;

  std::optional<std::string> Text(const Field& field, TextKind kind) const;
  std::optional<std::vector<Located<std::string>>> TextList(const Field& field) const;
  std::optional<double> PositiveNumber(const Field& field) const;
  std::optional<int> Repeat(const Field& field) const;

 private:
  YamlReader& reader_;
  std::string label_;
  Location where_;
  std::vector<Field> fields_;
};

// Checks a single list item or a scalar for TextKind rules; returns the
// problem ("must not be empty", ...) or nullopt.
std::optional<std::string> TextProblem(std::string_view text, TextKind kind);

inline constexpr int kMaxRepeat = 1000000;

}  // namespace gridbatch::manifest
