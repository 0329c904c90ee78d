// The forest plot's layout (render/forest_plot.cpp): no text overflows the SVG or runs into
// another text or a mark, whatever the length of rule ids and segment values; rules on
// one metric and scale share one axis with evenly spaced round ticks; and the notebook
// fragment is a self-contained <div>. The widths come from the fonts, not from referee:
// the plot names monospace fonts whose widest ASCII advance is DejaVu Sans Mono's
// 1233/2048 = 0.602 em (Liberation Mono and Courier 0.600, Consolas 0.550), and a glyph
// outside ASCII is taken at a full em (CJK fonts' advance).

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <referee/evaluate.hpp>
#include <referee/render.hpp>

#include "io/utf8.hpp"
#include "render/svg_text.hpp"

using namespace referee;

namespace {

const std::string kLongId =
    "auc-non-inferior-for-the-quarterly-credit-risk-model-in-every-region-and-channel-combination-v2";
const std::string kLongValue = "Région Île-de-France, Paris Nord et Est — 東京都 (a long segment value)";

struct SvgText {
  double x = 0, y = 0;
  std::string anchor, text;
};

std::string decoded(std::string s) {
  for (const auto& [entity, c] : {std::pair{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}})
    for (std::size_t at; (at = s.find(entity)) != std::string::npos;) s.replace(at, std::string(entity).size(), c);
  return s;
}

// Width in px at 12 px: 0.602 em an ASCII character, 1 em any other.
double font_width(const std::string& text) {
  double width = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = std::max<std::size_t>(1, utf8_sequence_length(text, i));
    width += (n == 1 ? 0.602 : 1.0) * 12;
    i += n;
  }
  return width;
}

std::string forest_of(const std::string& html) {
  const std::size_t start = html.find("<svg"), end = html.find("</svg>");
  REQUIRE(start != std::string::npos);
  return html.substr(start, end - start);
}

std::vector<SvgText> texts_of(const std::string& svg) {
  static const std::regex text(R"re(<text x="([-0-9.]+)" y="([-0-9.]+)"([^>]*)>([^<]*)</text>)re");
  std::vector<SvgText> out;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), text); it != std::sregex_iterator(); ++it) {
    const std::string attributes = (*it)[3];
    out.push_back({std::stod((*it)[1]), std::stod((*it)[2]),
                   attributes.find("text-anchor=\"middle\"") != std::string::npos ? "middle" : "start",
                   decoded((*it)[4])});
  }
  return out;
}

std::pair<double, double> extent(const SvgText& t) {
  const double w = font_width(t.text);
  return t.anchor == "middle" ? std::pair{t.x - w / 2, t.x + w / 2} : std::pair{t.x, t.x + w};
}

// The numbers of an attribute of the <svg> element ("0 0 W H" for the viewBox).
std::vector<double> numbers_of(const std::string& svg, const std::string& name) {
  std::smatch match;
  REQUIRE(std::regex_search(svg, match, std::regex(" " + name + R"re(="([-0-9. ]+)")re")));
  std::vector<double> out;
  std::istringstream in(match[1].str());
  for (double v; in >> v;) out.push_back(v);
  return out;
}

Evaluation long_label_evaluation(const std::string& name = "long labels") {
  std::vector<double> y, a, b;
  std::vector<std::string> region;
  for (int i = 0; i < 600; ++i) {
    const double noise = std::fmod(i * 0.618034, 1.0);
    y.push_back(i % 2);
    a.push_back(std::clamp(0.3 + 0.3 * (i % 2) + 0.4 * (noise - 0.5), 0.0, 1.0));
    b.push_back(std::clamp(0.3 + 0.3 * (i % 2) + 0.4 * (std::fmod(i * 0.414214, 1.0) - 0.5), 0.0, 1.0));
    region.push_back(i % 3 == 0 ? kLongValue : i % 3 == 1 ? "north" : "south");
  }
  Table t = owned_table(y, a, b, {}, {}, {"y", "a", "b", "", ""});
  const EncodedText encoded = encode_text(region);
  add_categorical(t, "region", encoded.codes, encoded.dictionary);
  validate_table(t, Task::binary);
  const nlohmann::json policy = {
      {"version", 1},
      {"name", name},
      {"task", "binary"},
      {"columns", {{"label", "y"}, {"champion", "a"}, {"challenger", "b"}, {"segments", {"region"}}}},
      {"segments_min", {{"rows", 5}}},
      {"bootstrap", {{"resamples", 200}, {"seed", 3}}},
      {"rules",
       {{{"id", kLongId}, {"metric", "roc_auc"}, {"subject", "delta"}, {"min", 0.0}, {"severity", "warn"},
         {"scope", {{"each_segment", "region"}}}},
        {{"id", "auc-overall"}, {"metric", "roc_auc"}, {"subject", "delta"}, {"min", -0.05}, {"severity", "warn"}},
        {{"id", "auc-floor"}, {"metric", "roc_auc"}, {"subject", "challenger"}, {"min", 0.6}},
        {{"id", "brier-" + std::string(120, 'x')}, {"metric", "brier"}, {"subject", "relative_delta"}, {"max", 0.1}}}}};
  return evaluate(t, parse_policy_text(policy.dump()), {.threads = 1});
}

}  // namespace

TEST_CASE("forest plot: every text lies inside the viewBox and clear of the other texts and the marks") {
  const Evaluation ev = long_label_evaluation();
  REQUIRE(ev.rules[0].verdict == Verdict::inconclusive);  // so "INCONCLUSIVE (warn)" is drawn
  for (const std::string& page : {html_report(ev), html_fragment(ev)}) {
    const std::string svg = forest_of(page);
    CHECK(svg.find("font-family=\"ui-monospace,") != std::string::npos);
    CHECK(svg.find(",monospace\"") != std::string::npos);
    const std::vector<double> box = numbers_of(svg, "viewBox");
    REQUIRE(box.size() == 4);
    const double width = box[2], height = box[3];
    CHECK(box[0] == 0);
    CHECK(box[1] == 0);
    CHECK(numbers_of(svg, "width") == std::vector<double>{width});
    const std::vector<SvgText> texts = texts_of(svg);
    REQUIRE(texts.size() > 20);
    CHECK(std::any_of(texts.begin(), texts.end(), [](const SvgText& t) { return t.text == "INCONCLUSIVE (warn)"; }));
    for (const SvgText& t : texts) {
      const auto [x0, x1] = extent(t);
      CHECK_MESSAGE(x0 >= 0, t.text);
      CHECK_MESSAGE(x1 <= width, t.text << " ends at " << x1 << " of " << width);
      CHECK_MESSAGE(t.y - 12 >= 0, t.text);
      CHECK_MESSAGE(t.y + 4 <= height, t.text);
    }
    // Long labels wrap onto more lines; nothing is cut.
    std::string joined;
    for (const SvgText& t : texts) joined += t.text;
    for (const std::string& whole : {kLongId, kLongValue, "brier-" + std::string(120, 'x')})
      CHECK_MESSAGE(joined.find(whole) != std::string::npos, whole);
    // Texts on one line (the same baseline) do not overlap.
    for (std::size_t i = 0; i < texts.size(); ++i)
      for (std::size_t j = i + 1; j < texts.size(); ++j)
        if (std::abs(texts[i].y - texts[j].y) < 10) {
          const auto [a0, a1] = extent(texts[i]);
          const auto [b0, b1] = extent(texts[j]);
          CHECK_MESSAGE((a1 <= b0 || b1 <= a0), texts[i].text << " overlaps " << texts[j].text);
        }
    // No text runs into an estimate's dot.
    static const std::regex circle(R"re(<circle cx="([-0-9.]+)" cy="([-0-9.]+)")re");
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), circle); it != std::sregex_iterator(); ++it) {
      const double cx = std::stod((*it)[1]), cy = std::stod((*it)[2]);
      CHECK(cx - 5 >= 0);
      CHECK(cx + 5 <= width);
      for (const SvgText& t : texts)
        if (t.y - 12 < cy + 5 && t.y + 4 > cy - 5) {
          const auto [x0, x1] = extent(t);
          CHECK_MESSAGE((x1 <= cx - 5 || x0 >= cx + 5), t.text << " overlaps a dot at " << cx);
        }
    }
  }
}

TEST_CASE("forest plot: one axis per metric and scale, ticks at round, evenly spaced values") {
  const std::string svg = forest_of(html_report(long_label_evaluation()));
  const auto count = [&](const std::string& s) {
    std::size_t n = 0;
    for (std::size_t at = svg.find(s); at != std::string::npos; at = svg.find(s, at + 1)) ++n;
    return n;
  };
  // Two roc_auc rules on the delta share one panel; the challenger's value and the brier
  // relative delta have their own.
  CHECK(count(">roc_auc · delta") == 1);
  CHECK(count(">roc_auc · each model") == 1);
  CHECK(count(">brier · relative delta") == 1);
  // Tick labels sit on the axis line (text-anchor middle, grey); per axis they step evenly
  // by 1, 2, 2.5 or 5 times a power of ten, and a delta axis shows its zero.
  std::vector<std::vector<double>> axes;
  double last_y = -1;
  for (const SvgText& t : texts_of(svg)) {
    if (t.anchor != "middle") continue;
    if (t.y != last_y) axes.emplace_back();
    last_y = t.y;
    axes.back().push_back(std::stod(t.text));
  }
  REQUIRE(axes.size() == 3);
  for (const auto& ticks : axes) {
    REQUIRE(ticks.size() >= 3);
    CHECK(ticks.size() <= 11);
    const double step = ticks[1] - ticks[0];
    for (std::size_t i = 1; i < ticks.size(); ++i) CHECK(ticks[i] - ticks[i - 1] == doctest::Approx(step).epsilon(1e-6));
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    CHECK_MESSAGE((std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6 || std::abs(mantissa - 2.5) < 1e-6 ||
                   std::abs(mantissa - 5) < 1e-6),
                  "step " << step);
  }
  CHECK(std::find(axes[0].begin(), axes[0].end(), 0.0) != axes[0].end());
  CHECK(count("stroke-dasharray") >= 6);  // each row's bound
}

TEST_CASE("svg_text::wrap: whole UTF-8 sequences, lines within the width, nothing lost") {
  for (const std::string& text : {kLongId, kLongValue, std::string(100, 'x'), std::string("a\x1b[31mb c"), std::string()}) {
    const auto lines = svg_text::wrap(text, 20);
    std::string joined;
    for (const std::string& line : lines) {
      CHECK(valid_utf8(line));
      CHECK(svg_text::cells(line) <= 20);
      joined += line;
    }
    CHECK(joined == text);
  }
  CHECK(svg_text::wrap("region=north channel=web", 14) == std::vector<std::string>{"region=north ", "channel=web"});
  CHECK(svg_text::cells("東京") == 4);
  CHECK(svg_text::cells("a\x1b") == 5);  // ESC is shown as \x1B
}

TEST_CASE("notebook fragment: one <div>, its CSS scoped to it, no document, script or resource") {
  const std::string fragment = html_fragment(long_label_evaluation());
  CHECK(fragment.rfind("<div class=\"referee-report\">", 0) == 0);
  CHECK(fragment.substr(fragment.size() - 7) == "</div>\n");
  for (const char* absent : {"<html", "<head", "<body", "<script", "<link", "<iframe", "<img", "@import", "url(",
                             " src=", " href=", "javascript:", "onload="})
    CHECK_MESSAGE(fragment.find(absent) == std::string::npos, absent);
  const std::size_t open = fragment.find("<style>"), close = fragment.find("</style>");
  REQUIRE(open != std::string::npos);
  for (std::size_t at = fragment.find('\n', open) + 1; at < close; at = fragment.find('\n', at) + 1)
    CHECK_MESSAGE(fragment.compare(at, 15, ".referee-report") == 0, fragment.substr(at, 40));
  for (const char* shown : {"<th>champion</th>", "<th>challenger</th>", "<th>severity</th>", "<th>scope</th>",
                            "<svg", "each region", ">warn<", ">block<"})
    CHECK_MESSAGE(fragment.find(shown) != std::string::npos, shown);
}

TEST_CASE("notebook fragment: text from the policy is escaped (render/escape.hpp)") {
  const std::string fragment = html_fragment(long_label_evaluation("gate <script>alert(1)</script> \xE2\x80\xAE"));
  CHECK(fragment.find("<script") == std::string::npos);
  CHECK(fragment.find("gate &lt;script&gt;alert(1)&lt;/script&gt; \\xE2\\x80\\xAE") != std::string::npos);
}
