// Positions as a user sees them: lines and columns counted from 1, columns in
// code points (so a column is right after non-ASCII text), computed from the
// byte offsets that parsers report.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace gridbatch::manifest {

struct TextPosition {
  int line = 0;
  int column = 0;
};

// 1 + the number of code points in `line` before `byte_offset`.
int ColumnOf(std::string_view line, std::size_t byte_offset);

// Maps byte offsets in a whole text to positions. Borrows `text`, which must
// outlive the index.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  TextPosition At(std::size_t byte_offset) const;

 private:
  std::string_view text_;
  std::vector<std::size_t> line_starts_;
};

}  // namespace gridbatch::manifest
