// The sweep variables of one job, decoded from the JSON object text the store
// keeps in jobs.vars, in the two shapes the writers need.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gridbatch::exporter {

// One var.NAME cell: a string variable's text as is (is_text: a spreadsheet
// could take it for a formula); any other value as compact JSON (0.7, true,
// [1,2]).
struct VarCell {
  std::string text;
  bool is_text = false;
};

// The cells of `names`, in their order, for the variables in `vars_json`;
// nullopt where a job has no such variable or its value is null. Invalid
// UTF-8 is replaced by U+FFFD; text that is not a JSON object counts as no
// variables at all.
std::vector<std::optional<VarCell>> VarCells(std::optional<std::string_view> vars_json,
                                             const std::vector<std::string>& names);

// The variables as one line of compact JSON (an object), or "null" for none
// or for text that is not a JSON object. Always valid UTF-8.
std::string VarsJson(std::optional<std::string_view> vars_json);

// VarCells and VarsJson with a memory: a sweep repeats a few combinations of
// variables over many jobs, and parsing their JSON for every row cost more
// than the rest of the CSV export. Bounded: the memory is dropped whenever it
// holds kMaxEntries texts or kMaxBytes of them.
class VarsDecoder {
 public:
  // `names`: the var.NAME columns that Cells() fills, in order.
  explicit VarsDecoder(std::vector<std::string> names = {});

  // References valid until the next call.
  const std::vector<std::optional<VarCell>>& Cells(std::optional<std::string_view> vars_json);
  const std::string& Json(std::optional<std::string_view> vars_json);

 private:
  static constexpr std::size_t kMaxEntries = 4096;
  static constexpr std::size_t kMaxBytes = 4 << 20;
  struct Decoded {
    std::vector<std::optional<VarCell>> cells;
    std::string json;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  const Decoded& Decode(std::optional<std::string_view> vars_json);

  std::vector<std::string> names_;
  std::unordered_map<std::string, Decoded, Hash, std::equal_to<>> memory_;
  std::size_t memory_bytes_ = 0;
  Decoded none_;
};

}  // namespace gridbatch::exporter
