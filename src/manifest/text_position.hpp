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
// outlive the index. A lookup reads at most a few hundred bytes, however long
// the line: a manifest written as one line of JSON has every node on it.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  TextPosition At(std::size_t byte_offset) const;

 private:
  std::size_t CodePointsBefore(std::size_t byte_offset) const;

  std::string_view text_;
  std::vector<std::size_t> line_starts_;
  // The code points before each multiple of kBlock bytes (see the .cpp).
  std::vector<std::size_t> code_points_before_;
};

}  // namespace gridbatch::manifest
