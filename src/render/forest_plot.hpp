#pragma once
// The forest plot of the HTML report and the notebook view: one inline SVG, a panel per
// axis. Rules on the same metric and the same scale (a model's value, a delta, a relative
// delta, a drift statistic) share one axis with ticks, a zero line for differences, and
// each rule's bound dashed; a rule's judged segments follow it on its axis.
//
// Text is never clipped: the SVG is set in a monospace font and every column is as wide as
// its longest text measured conservatively (svg_text.hpp), long labels wrapping onto more
// lines; the viewBox holds it all and the SVG scales down to its container.

#include <string>

#include <referee/evaluation.hpp>

namespace referee {

std::string forest_svg(const Evaluation& evaluation);

}  // namespace referee
