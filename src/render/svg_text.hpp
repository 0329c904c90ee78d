#pragma once
// How wide a text will be in the forest plot, measured before it is drawn, so that the
// plot's columns and viewBox hold every label whole. An SVG cannot wrap or measure text
// itself, and a proportional font's width depends on the font the reader has, so the plot
// is set in a monospace font, where every character of ASCII has one advance (0.60 em in
// DejaVu Sans Mono, Liberation Mono, Menlo, SF Mono and Courier; 0.55 em in Consolas).
// The estimate errs wide: 0.62 em a cell, two cells for any character outside ASCII (a
// fallback glyph may be full width), and four cells a byte for what escape::html() shows
// as \xNN.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/quoted.hpp"
#include "io/utf8.hpp"

namespace referee::svg_text {

inline constexpr double kCellEm = 0.62;  // a cell's width in em, at least any monospace advance

// The cells the UTF-8 sequence s[i, i + length) takes once shown (length 0: an invalid byte).
inline std::size_t sequence_cells(std::string_view s, std::size_t i, std::size_t length) {
  if (length == 0) return 4;
  if (is_hidden_character(s, i, length)) return 4 * length;
  return length == 1 ? 1 : 2;
}

// The cells `text` (raw, before escape::html()) takes once shown.
inline std::size_t cells(std::string_view text) {
  std::size_t total = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence_length(text, i);
    total += sequence_cells(text, i, length);
    i += length == 0 ? 1 : length;
  }
  return total;
}

inline double width_px(std::string_view text, double font_px) {
  return static_cast<double>(cells(text)) * kCellEm * font_px;
}

// A place a label may break after: between words and the parts of ids and segment values.
inline bool breaks_after(char c) { return c == ' ' || c == '-' || c == '_' || c == '.' || c == ',' || c == '/' || c == '='; }

// `text` cut into lines of at most `max_cells` cells (never inside a UTF-8 sequence),
// preferring to break after a space or punctuation; a sequence wider than a whole line
// gets a line of its own.
inline std::vector<std::string> wrap(std::string_view text, std::size_t max_cells) {
  std::vector<std::string> lines;
  std::size_t start = 0, used = 0, last_break = 0, used_at_break = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence_length(text, i);
    const std::size_t n = length == 0 ? 1 : length, width = sequence_cells(text, i, length);
    while (used + width > max_cells && i > start) {  // twice at most: at a break, then here
      const std::size_t cut = last_break > start ? last_break : i;
      lines.emplace_back(text.substr(start, cut - start));
      used = cut == i ? 0 : used - used_at_break;
      start = cut;
      last_break = start;
      used_at_break = 0;
    }
    used += width;
    i += n;
    if (n == 1 && breaks_after(text[i - 1])) {
      last_break = i;
      used_at_break = used;
    }
  }
  if (start < text.size() || lines.empty()) lines.emplace_back(text.substr(start));
  return lines;
}

}  // namespace referee::svg_text
