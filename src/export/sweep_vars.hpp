// The sweep variables of one job, decoded from the JSON object text the store
// keeps in jobs.vars, in the two shapes the writers need.
#pragma once

#include <optional>
#include <string>
#include <string_view>
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

}  // namespace gridbatch::exporter
