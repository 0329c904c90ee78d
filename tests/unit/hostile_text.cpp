// Text from data or policy, escaped for the medium that shows it (issue 14, class 5): a
// segment value, column name, rule id or policy name holding an escape sequence, a
// bidirectional override, raw HTML or a Markdown link reaches the terminal summary,
// report.md and report.html inert, and report.json stays valid JSON. The oracles are the
// media's own rules: the bytes ESC and U+202E never reach a terminal, no `<script` or
// unescaped `[x](` reaches Markdown, no `<` from data reaches HTML.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <referee/error.hpp>
#include <referee/evaluate.hpp>
#include <referee/render.hpp>

#include "render/escape.hpp"
#include "test_support.hpp"

using namespace referee;

namespace {

const std::string kEsc = "\x1b[31m";
const std::string kBidi = "\xE2\x80\xAE";  // U+202E RIGHT-TO-LEFT OVERRIDE
const std::string kHostile = "a" + kEsc + "b" + kBidi + "c<script>alert(1)</script>[x](javascript:alert(1))|`d\\";

// Every occurrence of `needle` in `text` follows a backslash (Markdown's escape).
bool always_escaped(const std::string& text, const std::string& needle) {
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    if (at == 0 || text[at - 1] != '\\') return false;
  return true;
}

void no_raw_controls(const std::string& text) {
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find(kBidi) == std::string::npos);
  CHECK(text.find('\r') == std::string::npos);
}

}  // namespace

TEST_CASE("terminal(): controls, bidi and invalid UTF-8 as \\xNN, the rest as is") {
  CHECK(escape::terminal("plain, ümlaut") == "plain, ümlaut");
  CHECK(escape::terminal("a\x1b[31mb") == "a\\x1B[31mb");
  CHECK(escape::terminal("x" + kBidi + "y") == "x\\xE2\\x80\\xAEy");
  CHECK(escape::terminal("line\nbreak\ttab\x7f") == "line\\x0Abreak\\x09tab\\x7F");
  CHECK(escape::terminal("\xC2\x9B" "c1") == "\\xC2\\x9Bc1");  // C1 CSI
  CHECK(escape::terminal("bad\xFF") == "bad\\xFF");
  CHECK(escape::terminal("zero\xE2\x80\x8Bwidth") == "zero\\xE2\\x80\\x8Bwidth");
  CHECK(escape::terminal("C:\\x1B") == "C:\\\\x1B");  // a typed \x1B stays distinguishable
}

TEST_CASE("message(): a whole error message, its quoted_excerpt() escapes left as they are") {
  const std::string quoted = "rule \"r\\x1B[31m\": at /tmp/a\x1b[2Jb";
  CHECK(escape::message(quoted) == "rule \"r\\x1B[31m\": at /tmp/a\\x1B[2Jb");
  CHECK(escape::message(escape::message(quoted)) == escape::message(quoted));
  CHECK(escape::message("x" + kBidi + "\n") == "x\\xE2\\x80\\xAE\\x0A");
}

TEST_CASE("quoted_excerpt() and message() hide the same characters: C1 controls too") {
  // U+0085 is a line break to Python and many log viewers; U+009B is a terminal's CSI.
  const std::string c1 = "a\xC2\x85" "b\xC2\x9B" "c\xE2\x80\xAE" "d\xEF\xBB\xBF";
  CHECK(referee::quoted_excerpt(c1) == "\"a\\xC2\\x85b\\xC2\\x9Bc\\xE2\\x80\\xAEd\\xEF\\xBB\\xBF\"");
  CHECK(escape::message(c1) == "a\\xC2\\x85b\\xC2\\x9Bc\\xE2\\x80\\xAEd\\xEF\\xBB\\xBF");
  CHECK(referee::quoted_excerpt("\xC2\xA0" "caf\xC3\xA9") == "\"\xC2\xA0" "caf\xC3\xA9\"");  // NBSP and é are text
}

TEST_CASE("markdown(): markup and raw HTML backslash-escaped, controls as \\xNN") {
  CHECK(escape::markdown("region-west 2.5") == "region-west 2.5");
  CHECK(escape::markdown("<script>") == "\\<script>");
  CHECK(escape::markdown("[x](javascript:alert(1))") == "\\[x](javascript:alert(1))");
  CHECK(escape::markdown("a|b*c_d`e~f&g\\") == "a\\|b\\*c\\_d\\`e\\~f\\&g\\\\");
  CHECK(escape::markdown("two\nlines") == "two\\x0Alines");
  CHECK(escape::markdown_code("auc-floor") == "`auc-floor`");
  CHECK(escape::markdown_code("a`b|c") == "`` a`b\\|c ``");
  CHECK(escape::markdown_code("x``y") == "``` x``y ```");
}

TEST_CASE("html(): the five characters as entities, controls as \\xNN") {
  CHECK(escape::html("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  CHECK(escape::html("a" + kEsc) == "a\\x1B[31m");
}

TEST_CASE("hostile segment values, column names, rule id and policy name: every output escapes them") {
  std::vector<double> y, a, b;
  std::vector<std::string> segment;
  for (int i = 0; i < 200; ++i) {
    y.push_back(i % 2);
    a.push_back(0.3 + 0.4 * (i % 2) + 0.001 * (i % 7));
    b.push_back(0.25 + 0.5 * (i % 2) - 0.001 * (i % 5));
    segment.push_back(i % 3 ? kHostile : "plain");
  }
  const std::string column = "seg" + kEsc + "<blink>";
  Table t = owned_table(y, a, b, {}, {}, {"y", "a", "b", "", ""});
  const EncodedText encoded = encode_text(segment);
  add_categorical(t, column, encoded.codes, encoded.dictionary);
  validate_table(t, Task::binary);
  const nlohmann::json policy = {
      {"version", 1},
      {"name", "gate " + kBidi + "<marquee>"},
      {"task", "binary"},
      {"columns", {{"label", "y"}, {"champion", "a"}, {"challenger", "b"}, {"segments", {column}}}},
      {"segments_min", {{"rows", 5}}},
      {"bootstrap", {{"resamples", 100}, {"seed", 1}}},
      {"rules",
       {{{"id", "rule" + kEsc + "[x](javascript:1)`|"}, {"metric", "roc_auc"}, {"subject", "delta"}, {"min", 0.5},
         {"scope", {{"each_segment", column}}}}}}};
  const Evaluation ev = evaluate(t, parse_policy_text(policy.dump()), {.threads = 1});

  const std::string summary = summary_text(ev);
  no_raw_controls(summary);
  CHECK(summary.find("\\x1B[31m") != std::string::npos);

  const std::string md = markdown_report(ev);
  no_raw_controls(md);
  CHECK(always_escaped(md, "<script"));
  CHECK(always_escaped(md, "<blink>"));
  CHECK(always_escaped(md, "<marquee>"));
  // So "](javascript:" never closes a link (the rule id's copy sits in a code span, inert).
  CHECK(always_escaped(md, "[x](javascript:alert"));
  CHECK(md.find("`` rule\\x1B[31m[x](javascript:1)`\\| ``") != std::string::npos);

  const std::string html = html_report(ev);
  no_raw_controls(html);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<blink>") == std::string::npos);
  CHECK(html.find("<marquee>") == std::string::npos);
  CHECK(html.find("&lt;script&gt;") != std::string::npos);

  // report.json: the values as they are (JSON escapes the controls), and valid JSON.
  const nlohmann::json report = nlohmann::json::parse(report_text(ev));
  CHECK(report.dump().find(kHostile.substr(0, 1)) != std::string::npos);
}

TEST_CASE("a data error names the row and column, never the cell") {
  const std::string secret = "SECRET-4242";
  Table labels = owned_table({0, 1, 7}, {0.1, 0.2, 0.3}, {0.1, 0.2, 0.3}, {}, {}, {"y", "a", "b", "", ""});
  referee_test::check_error<DataError>([&] { validate_table(labels, Task::binary); },
                                       {"row 3, column \"y\": the label is not 0 or 1 (task \"binary\")"});
  Table scores = owned_table({0, 1}, {0.1, 4242.0}, {0.1, 0.2}, {}, {}, {"y", "a", "b", "", ""});
  try {
    validate_table(scores, Task::binary);
    FAIL("expected a DataError");
  } catch (const DataError& e) {
    CHECK(std::string(e.what()).find("4242") == std::string::npos);
    CHECK(std::string(e.what()).find("row 2, column \"a\": the value is outside [0, 1]") != std::string::npos);
  }
}
