#include "gridbatch/util/json_escape.hpp"

namespace gridbatch {

std::string_view JsonEscapeOf(unsigned char c, char (&buffer)[6]) {
  // Pairs of a character and the letter of its short escape.
  static constexpr std::string_view kShort = "\"\"\\\\\nn\rr\tt\bb\ff";
  buffer[0] = '\\';
  for (std::size_t i = 0; i < kShort.size(); i += 2) {
    if (static_cast<unsigned char>(kShort[i]) == c) {
      buffer[1] = kShort[i + 1];
      return {buffer, 2};
    }
  }
  static constexpr char kHex[] = "0123456789abcdef";
  buffer[1] = 'u';
  buffer[2] = '0';
  buffer[3] = '0';
  buffer[4] = kHex[c >> 4];
  buffer[5] = kHex[c & 0xF];
  return {buffer, sizeof buffer};
}

void AppendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  std::size_t start = 0;
  char buffer[6];
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!kJsonNeedsEscape[c]) continue;
    out.append(text.substr(start, i - start));
    out.append(JsonEscapeOf(c, buffer));
    start = i + 1;
  }
  out.append(text.substr(start));
  out.push_back('"');
}

std::string JsonString(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

}  // namespace gridbatch
