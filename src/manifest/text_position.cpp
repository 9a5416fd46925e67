#include "text_position.hpp"

#include <algorithm>

namespace gridbatch::manifest {

namespace {

// Counting code points from the line's start made each lookup linear in the
// line, and a parse of a one-line manifest quadratic: checkpoints every
// kBlock bytes bound a lookup to kBlock bytes, for 8 bytes per kBlock.
constexpr std::size_t kBlock = 256;

// Continuation bytes (10xxxxxx) belong to the code point before them.
bool StartsCodePoint(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
}

}  // namespace

int ColumnOf(std::string_view line, std::size_t byte_offset) {
  const std::size_t end = std::min(byte_offset, line.size());
  int column = 1;
  for (std::size_t i = 0; i < end; ++i) {
    if (StartsCodePoint(line[i])) ++column;
  }
  return column;
}

LineIndex::LineIndex(std::string_view text) : text_(text) {
  line_starts_.push_back(0);
  std::size_t code_points = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i % kBlock == 0) code_points_before_.push_back(code_points);
    if (StartsCodePoint(text[i])) ++code_points;
    if (text[i] == '\n') line_starts_.push_back(i + 1);
  }
  // So that the offset text.size() has a checkpoint at or before it too.
  if (text.size() % kBlock == 0) code_points_before_.push_back(code_points);
}

std::size_t LineIndex::CodePointsBefore(std::size_t byte_offset) const {
  const std::size_t block = byte_offset / kBlock;
  std::size_t count = code_points_before_[block];
  for (std::size_t i = block * kBlock; i < byte_offset; ++i) {
    if (StartsCodePoint(text_[i])) ++count;
  }
  return count;
}

TextPosition LineIndex::At(std::size_t byte_offset) const {
  byte_offset = std::min(byte_offset, text_.size());
  const auto next = std::upper_bound(line_starts_.begin(), line_starts_.end(), byte_offset);
  const auto line = static_cast<std::size_t>(next - line_starts_.begin()) - 1;
  const std::size_t start = line_starts_[line];
  const std::size_t column = 1 + CodePointsBefore(byte_offset) - CodePointsBefore(start);
  return {static_cast<int>(line) + 1, static_cast<int>(column)};
}

}  // namespace gridbatch::manifest
