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

// True when the UTF-8 sequence at s[i] (of `length` bytes) must not reach a reader as is:
// C0 and C1 controls (U+0085 and U+009B included: a line break and a terminal's CSI), DEL,
// U+061C, the zero-width and directional marks U+200B..U+200F, the line and paragraph
// separators and bidirectional overrides U+2028..U+202E, the isolates U+2066..U+2069, and
// U+FEFF. One predicate for every message and every report (render/escape.hpp).
inline bool is_hidden_character(std::string_view s, std::size_t i, std::size_t length) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  if (length == 1) return b(0) < 0x20 || b(0) == 0x7F;
  if (length == 2) return (b(0) == 0xC2 && b(1) < 0xA0) || (b(0) == 0xD8 && b(1) == 0x9C);
  if (length != 3) return false;
  if (b(0) == 0xE2 && b(1) == 0x80) return (b(2) >= 0x8B && b(2) <= 0x8F) || (b(2) >= 0xA8 && b(2) <= 0xAE);
  if (b(0) == 0xE2 && b(1) == 0x81) return b(2) >= 0xA6 && b(2) <= 0xA9;
  return b(0) == 0xEF && b(1) == 0xBB && b(2) == 0xBF;
}

inline std::string escaped(std::string_view s, std::size_t max_bytes = 64) {
  std::string out;
  std::size_t i = 0;
  for (; i < s.size() && i < max_bytes;) {
    const std::size_t length = utf8_sequence_length(s, i);
    const auto byte = static_cast<unsigned char>(s[i]);
    if (length == 0 || byte == '"' || byte == '\\' || is_hidden_character(s, i, length)) {
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
