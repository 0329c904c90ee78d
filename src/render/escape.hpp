#pragma once
// Text from data or policy (segment values, column names, rule ids, policy names, file
// names) escaped for the medium that shows it (issue 14, class 5). One function per medium:
//   terminal(): the CLI summary, error messages on a terminal or in a log. Control
//     characters, DEL, C1 controls, invalid UTF-8 and the characters that reorder or hide
//     text (bidirectional controls, zero-width marks, line separators, BOM) become \xNN, and
//     a backslash becomes \\, so that what is shown is unambiguous and cannot drive the
//     terminal. Nothing is cut: use quoted_excerpt() (common/quoted.hpp) inside messages.
//   message(): a whole error message before it is printed or logged: as terminal(), but a
//     backslash stays one, so the escapes quoted_excerpt() already wrote pass unchanged.
//   markdown(): text in report.md, table cells included: the inline markup characters
//     \ ` * _ [ | ~ & and < (raw HTML, autolinks) are backslash-escaped, and terminal()'s
//     characters (line breaks included) become \xNN. A lone ] starts nothing; # > ! - +
//     matter only at the start of a line, where no escaped text is ever put.
//   markdown_code(): the same text inside a code span (rule ids), which takes no escapes.
//   html(): text in report.html: & < > " ' as entities, the hidden characters as \xNN.
// JSON needs none of these: nlohmann escapes control characters, and report.json is dumped
// with error_handler_t::replace, so invalid UTF-8 becomes U+FFFD and never throws.

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include "common/quoted.hpp"
#include "io/utf8.hpp"

namespace referee::escape {

namespace detail {

inline void hex_bytes(std::string& out, std::string_view bytes) {
  for (char c : bytes) {
    char hex[5];
    std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(c));
    out += hex;
  }
}

// Walks s by UTF-8 sequence: hidden or invalid bytes as \xNN, every other sequence through
// `visible(out, sequence)`.
template <class Visible>
std::string walk(std::string_view s, Visible&& visible) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t length = utf8_sequence_length(s, i);
    const std::size_t n = length == 0 ? 1 : length;
    if (length == 0 || is_hidden_character(s, i, length)) hex_bytes(out, s.substr(i, n));
    else visible(out, s.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace detail

inline std::string terminal(std::string_view s) {
  return detail::walk(s, [](std::string& out, std::string_view c) { out += c == "\\" ? "\\\\" : c; });
}

// An error message for a terminal or a log (the CLI's stderr, SageMaker's output/message):
// the hidden characters as \xNN, backslashes left alone, so that text a message already
// quoted with quoted_excerpt() (whose \xNN and \" are its own) passes unchanged. A message
// carries no cell values; this guards against any path or name that reaches one raw.
inline std::string message(std::string_view s) {
  return detail::walk(s, [](std::string& out, std::string_view c) { out += c; });
}

inline std::string markdown(std::string_view s) {
  return detail::walk(s, [](std::string& out, std::string_view c) {
    if (c.size() == 1 && std::string_view("\\`*_[<|~&").find(c[0]) != std::string_view::npos) out += '\\';
    out += c;
  });
}

inline std::string markdown_code(std::string_view s) {
  std::size_t run = 0, longest = 0;
  std::string text = detail::walk(s, [&](std::string& out, std::string_view c) {
    run = c == "`" ? run + 1 : 0;
    longest = std::max(longest, run);
    out += c == "|" ? "\\|" : c;  // GitHub splits table cells on | even in a code span
  });
  // A span holding backticks is fenced by a longer run, padded with spaces (CommonMark).
  const std::string fence(longest + 1, '`');
  return longest == 0 ? fence + text + fence : fence + " " + text + " " + fence;
}

inline std::string html(std::string_view s) {
  return detail::walk(s, [](std::string& out, std::string_view c) {
    if (c == "&") out += "&amp;";
    else if (c == "<") out += "&lt;";
    else if (c == ">") out += "&gt;";
    else if (c == "\"") out += "&quot;";
    else if (c == "'") out += "&#39;";
    else out += c;
  });
}

}  // namespace referee::escape
