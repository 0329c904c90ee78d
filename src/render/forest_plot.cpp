#include "render/forest_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "data/grouping.hpp"
#include "render/escape.hpp"
#include "render/palette.hpp"
#include "render/presentation.hpp"
#include "render/svg_text.hpp"

namespace referee {

namespace {

using namespace presentation;

// Geometry, in px. A cell is one monospace character (svg_text.hpp).
constexpr double kFont = 12, kCell = svg_text::kCellEm * kFont;
constexpr double kPad = 8, kGap = 16, kPlot = 400, kLine = 15, kRowMin = 24, kHeader = 28, kAxis = 30;
constexpr std::size_t kLabelCells = 40, kMinLabelCells = 12, kIndentCells = 2;
constexpr const char* kFontFamily = "ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono','DejaVu Sans Mono',monospace";
constexpr const char* kGridColour = "#eaeef2";
constexpr const char* kZeroColour = "#8c959f";
constexpr const char* kStripeColour = "#f6f8fa";

// What a rule's figure measures, which decides whether two rules can share an axis.
enum class Scale { value, delta, relative_delta, drift };

Scale scale_of(const Rule& r) {
  if (r.drift) return Scale::drift;
  if (r.subject == Subject::delta) return Scale::delta;
  if (r.subject == Subject::relative_delta) return Scale::relative_delta;
  return Scale::value;
}

const char* scale_title(Scale s) {
  switch (s) {
    case Scale::value: return "each model's value";
    case Scale::delta: return "delta, challenger - champion";
    case Scale::relative_delta: return "relative delta, (challenger - champion) / |champion|";
    case Scale::drift: return "drift statistic";
  }
  return "";
}

// One line of the plot: a rule, or one of its judged segments or groups.
struct Row {
  std::vector<std::string> label;  // raw text, wrapped
  std::size_t indent = 0;          // cells
  std::string figures, verdict;
  std::optional<double> estimate, lo, hi;
  const Rule* rule = nullptr;
  std::size_t stripe = 0;  // rows of one rule share a background
};

struct Panel {
  std::string metric;
  Scale scale = Scale::value;
  std::vector<Row> rows;
  std::string title() const { return metric + " · " + scale_title(scale); }
};

Row make_row(const RuleResult& r, std::string label, std::size_t indent, std::string verdict, const Estimate& e) {
  Row row;
  row.label = svg_text::wrap(label, kLabelCells - indent);
  row.indent = indent;
  row.verdict = std::move(verdict);
  row.rule = &r.rule;
  const bool sign = !r.rule.drift && signed_subject(r.rule.subject);
  if (shown(e.point)) {
    row.estimate = e.point.value;
    row.figures = rule_figure(r.rule, e.point.value, sign);
  }
  if (row.estimate && shown(e.ci) && r.rule.decide_on == DecideOn::interval) {
    row.lo = e.ci.lo;
    row.hi = e.ci.hi;
    row.figures += " [" + rule_figure(r.rule, e.ci.lo, sign) + ", " + rule_figure(r.rule, e.ci.hi, sign) + "]";
  }
  return row;
}

std::string rule_label(const RuleResult& r, Scale scale) {
  std::string label = r.rule.id;
  if (scale == Scale::value) label += " · " + std::string(name_of(r.rule.subject));
  if (r.rule.disparity || r.rule.drift || r.rule.scope.kind != ScopeKind::overall)
    label += " · " + scope_text(r.rule, raw);
  return label;
}

void add_rule(Panel& panel, const RuleResult& r) {
  const std::size_t stripe = panel.rows.empty() ? 0 : panel.rows.back().stripe + 1;
  std::string verdict = rule_verdict_text(r) + (r.rule.severity == Severity::warn ? " (warn)" : "");
  panel.rows.push_back(make_row(r, rule_label(r, panel.scale), 0, std::move(verdict), r.subject));
  panel.rows.back().stripe = stripe;
  const auto columns = r.rule.disparity ? std::vector<std::string>{r.rule.sensitive}
                                        : split_segment_spec(r.rule.scope.segments);
  for (const PartVerdict& part : r.parts) {
    if (part.insufficient) continue;
    const std::string label = value_text(columns, part.value, raw) + " (n=" + std::to_string(part.rows) + ")";
    panel.rows.push_back(make_row(r, label, kIndentCells, std::string(verdict_name(part.verdict)), part.subject));
    panel.rows.back().stripe = stripe;
  }
}

// Panels in the order their first rule appears in the policy.
std::vector<Panel> panels_of(const Evaluation& ev) {
  std::vector<Panel> panels;
  for (const RuleResult& r : ev.rules) {
    const std::string metric(r.rule.metric_name());
    const Scale scale = scale_of(r.rule);
    auto it = std::find_if(panels.begin(), panels.end(),
                           [&](const Panel& p) { return p.metric == metric && p.scale == scale; });
    if (it == panels.end()) it = panels.insert(panels.end(), Panel{metric, scale, {}});
    add_rule(*it, r);
  }
  return panels;
}

// An axis over [lo, hi] with ticks at 1, 2, 2.5 or 5 times a power of ten, about five of
// them, its ends on ticks.
struct Axis {
  double lo = 0, hi = 1, step = 1;
  int decimals = 0;
  bool sign = false;
  double x(double v) const { return kPlot * (v - lo) / (hi - lo); }
  std::vector<double> ticks() const {
    std::vector<double> out;
    const long first = std::lround(lo / step), last = std::lround(hi / step);
    for (long k = first; k <= last; ++k) out.push_back(k == 0 ? 0.0 : static_cast<double>(k) * step);
    return out;
  }
  std::string label(double v) const {
    char buffer[48];
    if (v == 0) return "0";
    std::snprintf(buffer, sizeof buffer, sign ? "%+.*f" : "%.*f", decimals, v);
    return buffer;
  }
};

Axis nice_axis(std::vector<double> values, bool sign) {
  Axis axis;
  axis.sign = sign;
  if (sign) values.push_back(0.0);  // a difference is read against no difference
  double lo = *std::min_element(values.begin(), values.end()), hi = *std::max_element(values.begin(), values.end());
  if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) {
    const double half = std::max(1e-3, 0.05 * std::abs(hi));
    lo -= half;
    hi += half;
  }
  const double raw_step = (hi - lo) / 5, magnitude = std::pow(10.0, std::floor(std::log10(raw_step)));
  const double f = raw_step / magnitude;
  const double multiple = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  axis.step = multiple * magnitude;
  axis.lo = std::floor(lo / axis.step + 1e-9) * axis.step;
  axis.hi = std::ceil(hi / axis.step - 1e-9) * axis.step;
  axis.decimals = std::max(0, static_cast<int>(-std::floor(std::log10(axis.step) + 1e-9))) + (multiple == 2.5 ? 1 : 0);
  return axis;
}

std::optional<Axis> axis_of(const Panel& panel) {
  std::vector<double> values;
  for (const Row& row : panel.rows)
    for (const auto& v : {row.estimate, row.lo, row.hi, row.rule->min, row.rule->max})
      if (v && std::isfinite(*v)) values.push_back(*v);
  if (values.empty()) return std::nullopt;
  return nice_axis(std::move(values), panel.scale == Scale::delta || panel.scale == Scale::relative_delta);
}

// Where the columns go: labels, the plot, the figures, the verdicts.
struct Layout {
  double plot = 0, figures = 0, verdict = 0, width = 0;
};

double row_height(const Row& row) { return std::max(kRowMin, kLine * static_cast<double>(row.label.size()) + 9); }

Layout layout_of(const std::vector<Panel>& panels, const std::vector<std::optional<Axis>>& axes) {
  std::size_t label = kMinLabelCells, figures = 0, verdict = 0, title = 0, tick = 0;
  for (std::size_t p = 0; p < panels.size(); ++p) {
    title = std::max(title, svg_text::cells(panels[p].title()));
    for (const Row& row : panels[p].rows) {
      for (const std::string& line : row.label) label = std::max(label, row.indent + svg_text::cells(line));
      figures = std::max(figures, svg_text::cells(row.figures.empty() ? "undefined" : row.figures));
      verdict = std::max(verdict, svg_text::cells(row.verdict));
    }
    if (axes[p])
      for (double t : axes[p]->ticks()) tick = std::max(tick, svg_text::cells(axes[p]->label(t)));
  }
  const double half_tick = static_cast<double>(tick) * kCell / 2;
  Layout l;
  l.plot = kPad + std::max(static_cast<double>(label) * kCell + kGap, half_tick);
  l.figures = l.plot + kPlot + kGap;
  l.verdict = l.figures + static_cast<double>(figures) * kCell + kGap;
  const double right = std::max(l.verdict + static_cast<double>(verdict) * kCell, l.plot + kPlot + half_tick);
  l.width = std::max(right, kPad + static_cast<double>(title) * kCell) + kPad;
  return l;
}

std::string number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", v);
  return buffer;
}

std::string line(double x1, double y1, double x2, double y2, const std::string& attributes) {
  return "<line x1=\"" + number(x1) + "\" y1=\"" + number(y1) + "\" x2=\"" + number(x2) + "\" y2=\"" + number(y2) +
         "\" " + attributes + "/>\n";
}

std::string text(double x, double y, const std::string& raw_text, const std::string& attributes = "") {
  return "<text x=\"" + number(x) + "\" y=\"" + number(y) + "\"" + (attributes.empty() ? "" : " " + attributes) +
         ">" + escape::html(raw_text) + "</text>\n";
}

std::string verdict_colour_of(const std::string& verdict) {
  const std::string name = verdict.substr(0, verdict.find(' '));
  return std::string(verdict_colour(enum_from_name<Verdict>(name).value_or(Verdict::inconclusive)));
}

// A row's marks on its axis: the rule's bounds (dashed), the interval (bar), the estimate (dot).
std::string row_marks(const Row& row, const Axis& axis, double left, double top, double height) {
  const double y = top + height / 2;
  std::string out = line(left, y, left + kPlot, y, "stroke=\"#d0d7de\"");
  for (const auto& bound : {row.rule->min, row.rule->max})
    if (bound)
      out += line(left + axis.x(*bound), top + 3, left + axis.x(*bound), top + height - 3,
                  "stroke=\"#24292f\" stroke-dasharray=\"3,2\"");
  const std::string c = verdict_colour_of(row.verdict);
  if (row.lo && row.hi)
    out += line(left + axis.x(*row.lo), y, left + axis.x(*row.hi), y, "stroke=\"" + c + "\" stroke-width=\"3\"");
  out += "<circle cx=\"" + number(left + axis.x(*row.estimate)) + "\" cy=\"" + number(y) + "\" r=\"5\" fill=\"" + c +
         "\"/>\n";
  return out;
}

// A row's stripe goes behind the grid; its text and marks in front of it.
struct Layers {
  std::string back, front;
};

void row_svg(const Row& row, const std::optional<Axis>& axis, const Layout& l, double top, Layers& out) {
  const double height = row_height(row), middle = top + height / 2;
  if (row.stripe % 2 == 0)
    out.back += "<rect x=\"0\" y=\"" + number(top) + "\" width=\"" + number(l.width) + "\" height=\"" +
                number(height) + "\" fill=\"" + kStripeColour + "\"/>\n";
  const double first = middle - kLine * static_cast<double>(row.label.size() - 1) / 2 + 4;
  for (std::size_t i = 0; i < row.label.size(); ++i)
    out.front += text(kPad + static_cast<double>(row.indent) * kCell, first + kLine * static_cast<double>(i),
                      row.label[i]);
  if (axis && row.estimate) {
    out.front += row_marks(row, *axis, l.plot, top, height);
    out.front += text(l.figures, middle + 4, row.figures);
  } else {
    out.front += text(l.figures, middle + 4, "undefined", "fill=\"" + std::string(kMutedColour) + "\"");
  }
  out.front += text(l.verdict, middle + 4, row.verdict,
                    "fill=\"" + verdict_colour_of(row.verdict) + "\" font-weight=\"bold\"");
}

// The grid and zero line behind a panel's rows, then its axis with tick labels below them.
std::string grid(const Axis& axis, double left, double top, double bottom) {
  std::string out;
  for (double t : axis.ticks()) {
    const bool zero = axis.sign && t == 0;
    out += line(left + axis.x(t), top, left + axis.x(t), bottom,
                std::string("stroke=\"") + (zero ? kZeroColour : kGridColour) + "\"");
  }
  return out;
}

std::string axis_svg(const Axis& axis, double left, double top) {
  std::string out = line(left, top, left + kPlot, top, "stroke=\"#57606a\"");
  for (double t : axis.ticks()) {
    out += line(left + axis.x(t), top, left + axis.x(t), top + 5, "stroke=\"#57606a\"");
    out += text(left + axis.x(t), top + 18, axis.label(t), "text-anchor=\"middle\" fill=\"#57606a\"");
  }
  return out;
}

std::string panel_svg(const Panel& panel, const std::optional<Axis>& axis, const Layout& l, double& y) {
  std::string out = text(kPad, y + 18, panel.title(), "font-weight=\"bold\"");
  y += kHeader;
  const double rows_top = y;
  Layers rows;
  for (const Row& row : panel.rows) {
    row_svg(row, axis, l, y, rows);
    y += row_height(row);
  }
  out += rows.back;
  if (axis) out += grid(*axis, l.plot, rows_top, y);
  out += rows.front;
  if (axis) {
    out += axis_svg(*axis, l.plot, y);
    y += kAxis;
  }
  return out;
}

}  // namespace

std::string forest_svg(const Evaluation& ev) {
  const std::vector<Panel> panels = panels_of(ev);
  std::vector<std::optional<Axis>> axes;
  for (const Panel& p : panels) axes.push_back(axis_of(p));
  const Layout l = layout_of(panels, axes);
  double y = 0;
  std::string body;
  for (std::size_t p = 0; p < panels.size(); ++p) body += panel_svg(panels[p], axes[p], l, y);
  y += kPad;
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"forest\" viewBox=\"0 0 " + number(l.width) + " " +
         number(y) + "\" width=\"" + number(l.width) + "\" height=\"" + number(y) +
         "\" style=\"max-width:100%;height:auto\" role=\"img\" aria-label=\"forest plot\" font-family=\"" +
         kFontFamily + "\" font-size=\"" + number(kFont) + "\">\n" + body + "</svg>\n";
}

}  // namespace referee
