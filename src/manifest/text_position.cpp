#include "text_position.hpp"

#include <algorithm>

namespace gridbatch::manifest {

int ColumnOf(std::string_view line, std::size_t byte_offset) {
  const std::size_t end = std::min(byte_offset, line.size());
  int column = 1;
  for (std::size_t i = 0; i < end; ++i) {
    // Continuation bytes (10xxxxxx) belong to the code point before them.
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++column;
  }
  return column;
}

LineIndex::LineIndex(std::string_view text) : text_(text) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_starts_.push_back(i + 1);
  }
}

TextPosition LineIndex::At(std::size_t byte_offset) const {
  byte_offset = std::min(byte_offset, text_.size());
  const auto next = std::upper_bound(line_starts_.begin(), line_starts_.end(), byte_offset);
  const auto line = static_cast<std::size_t>(next - line_starts_.begin()) - 1;
  const std::size_t start = line_starts_[line];
  return {static_cast<int>(line) + 1,
          ColumnOf(text_.substr(start, byte_offset - start), byte_offset - start)};
}

}  // namespace gridbatch::manifest
