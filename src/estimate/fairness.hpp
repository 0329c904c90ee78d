#pragma once
// Fairness: group-level rates of one model's thresholded predictions, and the disparity
// metrics built from them. Definitions follow fairlearn (MetricFrame with
// method="between_groups" by default, or "to_overall") and, for the acronyms, the
// SageMaker Clarify post-training bias metrics (docs/fairness.md lists every formula).
//
// Everything here is a pure function of weighted confusion cells, so the engine can
// evaluate it per bootstrap replicate from the per-group sums of the one pass.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include <referee/vocabulary.hpp>

namespace referee {

// Weighted confusion cells of one group: label-positive and label-negative weight, and
// the predicted-positive weight among each.
struct ConfusionCells {
  double pos = 0.0, neg = 0.0, tp = 0.0, fp = 0.0;
  double total() const { return pos + neg; }
  double fn() const { return pos - tp; }
  double tn() const { return neg - fp; }
};


inline MetricValue group_rate(GroupRate rate, const ConfusionCells& c) {
  const double W = c.total();
  if (!(W > 0.0)) return MetricValue::undefined("the group is empty");
  switch (rate) {
    case GroupRate::selection_rate: return MetricValue::of((c.tp + c.fp) / W);
    case GroupRate::tpr:
      return c.pos > 0.0 ? MetricValue::of(c.tp / c.pos) : MetricValue::undefined("the group has no positive labels");
    case GroupRate::fpr:
      return c.neg > 0.0 ? MetricValue::of(c.fp / c.neg) : MetricValue::undefined("the group has no negative labels");
    case GroupRate::fnr:
      return c.pos > 0.0 ? MetricValue::of(c.fn() / c.pos) : MetricValue::undefined("the group has no positive labels");
    case GroupRate::precision:
      return c.tp + c.fp > 0.0 ? MetricValue::of(c.tp / (c.tp + c.fp))
                               : MetricValue::undefined("the group has no predicted positives");
    case GroupRate::accuracy: return MetricValue::of((c.tp + c.tn()) / W);
  }
  return MetricValue::undefined("unknown rate");
}


namespace fairness_detail {

// fairlearn's MetricFrame.difference / .ratio for one rate over the groups.
struct Spread {
  MetricValue difference, ratio;
};

inline Spread spread(GroupRate rate, std::span<const ConfusionCells> groups, const ConfusionCells& overall,
                     DisparityMethod method) {
  double lo = 0.0, hi = 0.0, worst_gap = 0.0, worst_ratio = 1.0;
  bool any = false, ratio_defined = true;
  const MetricValue whole = group_rate(rate, overall);
  if (method == DisparityMethod::to_overall && !whole.defined) return {whole, whole};
  for (const ConfusionCells& g : groups) {
    const MetricValue v = group_rate(rate, g);
    // fairlearn would skip the group (pandas' min/max drop NaN) or count its 0/0 rate as 0;
    // a disparity one group cannot take part in is undefined here, with the reason.
    if (!v.defined) return {v, v};
    if (!any) lo = hi = v.value;
    lo = std::min(lo, v.value);
    hi = std::max(hi, v.value);
    any = true;
    if (method == DisparityMethod::to_overall) {
      worst_gap = std::max(worst_gap, std::abs(v.value - whole.value));
      if (v.value == 0.0 || whole.value == 0.0) {
        if (v.value != whole.value) worst_ratio = 0.0;
        else ratio_defined = false;
      } else {
        worst_ratio = std::min({worst_ratio, v.value / whole.value, whole.value / v.value});
      }
    }
  }
  if (!any) return {MetricValue::undefined("no groups"), MetricValue::undefined("no groups")};
  if (method == DisparityMethod::between_groups) {
    const MetricValue ratio =
        hi > 0.0 ? MetricValue::of(lo / hi) : MetricValue::undefined("every group's rate is 0, so the ratio is 0/0");
    return {MetricValue::of(hi - lo), ratio};
  }
  return {MetricValue::of(worst_gap),
          ratio_defined ? MetricValue::of(worst_ratio) : MetricValue::undefined("a rate of 0 in a group and overall")};
}

}  // namespace fairness_detail

// A fairlearn-style disparity of one model over the groups of one sensitive attribute.
inline MetricValue group_disparity(Disparity d, std::span<const ConfusionCells> groups,
                                   const ConfusionCells& overall, DisparityMethod method) {
  using fairness_detail::spread;
  switch (d) {
    case Disparity::demographic_parity_difference:
      return spread(GroupRate::selection_rate, groups, overall, method).difference;
    case Disparity::demographic_parity_ratio:
      return spread(GroupRate::selection_rate, groups, overall, method).ratio;
    case Disparity::equalized_odds_difference:
    case Disparity::equalized_odds_ratio: {
      // fairlearn's default agg="worst_case": the larger TPR/FPR difference, the smaller ratio.
      const auto tpr = spread(GroupRate::tpr, groups, overall, method);
      const auto fpr = spread(GroupRate::fpr, groups, overall, method);
      if (d == Disparity::equalized_odds_difference) {
        if (!tpr.difference.defined) return tpr.difference;
        if (!fpr.difference.defined) return fpr.difference;
        return MetricValue::of(std::max(tpr.difference.value, fpr.difference.value));
      }
      if (!tpr.ratio.defined) return tpr.ratio;
      if (!fpr.ratio.defined) return fpr.ratio;
      return MetricValue::of(std::min(tpr.ratio.value, fpr.ratio.value));
    }
    case Disparity::equal_opportunity_difference: return spread(GroupRate::tpr, groups, overall, method).difference;
    case Disparity::equal_opportunity_ratio: return spread(GroupRate::tpr, groups, overall, method).ratio;
    case Disparity::false_positive_rate_difference:
      return spread(GroupRate::fpr, groups, overall, method).difference;
    case Disparity::false_positive_rate_ratio: return spread(GroupRate::fpr, groups, overall, method).ratio;
    case Disparity::false_negative_rate_difference:
      return spread(GroupRate::fnr, groups, overall, method).difference;
    case Disparity::accuracy_difference: return spread(GroupRate::accuracy, groups, overall, method).difference;
    case Disparity::predictive_parity_difference:
      return spread(GroupRate::precision, groups, overall, method).difference;
    case Disparity::disparate_impact:
      // The four-fifths rule compares the least- with the most-favoured group, whatever
      // the method.
      return spread(GroupRate::selection_rate, groups, overall, DisparityMethod::between_groups).ratio;
    default: return MetricValue::undefined("a Clarify metric needs a reference group");
  }
}

// A Clarify post-training bias metric of facet d against facet a.
inline MetricValue clarify_metric(Disparity d, const ConfusionCells& a, const ConfusionCells& f) {
  auto ratio = [](double num, double den, std::string_view why) {
    return den > 0.0 ? MetricValue::of(num / den) : MetricValue::undefined(why);
  };
  auto difference = [](MetricValue x, MetricValue y) {
    if (!x.defined) return x;
    if (!y.defined) return y;
    return MetricValue::of(x.value - y.value);
  };
  constexpr auto empty_a = "facet a (the reference group) is empty";
  constexpr auto empty_d = "facet d is empty";
  const auto acceptance = [&](const ConfusionCells& c, std::string_view why) {  // q = predicted positive share
    return ratio(c.tp + c.fp, c.total(), why);
  };
  switch (d) {
    case Disparity::DPPL: return difference(acceptance(a, empty_a), acceptance(f, empty_d));
    case Disparity::DI: {
      const MetricValue qa = acceptance(a, empty_a), qd = acceptance(f, empty_d);
      if (!qa.defined) return qa;
      if (!qd.defined) return qd;
      return ratio(qd.value, qa.value, "facet a has no predicted positives");
    }
    case Disparity::DCAcc:
      return difference(ratio(a.pos, a.tp + a.fp, "facet a has no predicted positives"),
                        ratio(f.pos, f.tp + f.fp, "facet d has no predicted positives"));
    case Disparity::DCR:
      return difference(ratio(f.neg, f.fn() + f.tn(), "facet d has no predicted negatives"),
                        ratio(a.neg, a.fn() + a.tn(), "facet a has no predicted negatives"));
    case Disparity::RD:
      return difference(ratio(a.tp, a.pos, "facet a has no positive labels"),
                        ratio(f.tp, f.pos, "facet d has no positive labels"));
    case Disparity::DAR:
      return difference(ratio(a.tp, a.tp + a.fp, "facet a has no predicted positives"),
                        ratio(f.tp, f.tp + f.fp, "facet d has no predicted positives"));
    case Disparity::DRR:
      return difference(ratio(f.tn(), f.tn() + f.fn(), "facet d has no predicted negatives"),
                        ratio(a.tn(), a.tn() + a.fn(), "facet a has no predicted negatives"));
    case Disparity::AD:
      return difference(ratio(a.tp + a.tn(), a.total(), empty_a), ratio(f.tp + f.tn(), f.total(), empty_d));
    case Disparity::TE:
      return difference(ratio(f.fn(), f.fp, "facet d has no false positives"),
                        ratio(a.fn(), a.fp, "facet a has no false positives"));
    default: return MetricValue::undefined("not a Clarify metric");
  }
}

}  // namespace referee
