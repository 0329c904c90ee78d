#pragma once
// A text from a policy (a key, a word, a rule id) quoted for an error message that can
// reach a terminal or a log: at most `max_bytes` of it, cut on a character boundary,
// with control characters, DEL, invalid UTF-8 and the bidirectional overrides written as
// escapes, so that a hostile policy can neither flood a log nor rewrite a terminal.
// Never used for data: a cell's value has no place in a message at all.

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include "io/utf8.hpp"

namespace referee {

// True for U+202A..U+202E and U+2066..U+2069, which reorder the text around them.
inline bool is_bidi_control(std::string_view s, std::size_t i, std::size_t length) {
  if (length != 3 || static_cast<unsigned char>(s[i]) != 0xE2) return false;
  const auto b1 = static_cast<unsigned char>(s[i + 1]), b2 = static_cast<unsigned char>(s[i + 2]);
  return (b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE) || (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9);
}

inline std::string escaped(std::string_view s, std::size_t max_bytes = 64) {
  std::string out;
  std::size_t i = 0;
  for (; i < s.size() && i < max_bytes;) {
    const std::size_t length = utf8_sequence_length(s, i);
    const auto byte = static_cast<unsigned char>(s[i]);
    if (length == 0 || byte < 0x20 || byte == 0x7F || byte == '"' || byte == '\\' ||
        is_bidi_control(s, i, length)) {
      const std::size_t n = length == 0 ? 1 : length;
      for (std::size_t k = 0; k < n; ++k) {
        char hex[5];
        std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(s[i + k]));
        out += byte == '"' ? "\\\"" : byte == '\\' ? "\\\\" : hex;
      }
      i += n;
      continue;
    }
    out.append(s.substr(i, length));
    i += length;
  }
  if (i < s.size()) out += "...(" + std::to_string(s.size()) + " bytes)";
  return out;
}

inline std::string quoted_excerpt(std::string_view s, std::size_t max_bytes = 64) {
  return "\"" + escaped(s, max_bytes) + "\"";
}

}  // namespace referee
