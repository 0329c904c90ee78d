#pragma once
// The quantities an evaluation estimates (a metric overall or in one segment, a fairness
// rate, a disparity, a Clarify metric), read from the replicate engine's result columns,
// and their estimates for any subject at any confidence.
//
// A quantity is a small callable f(model, view) -> MetricValue, passed to replicate() as a
// template argument, so the loop over replicates calls it directly; quantities that need
// a buffer own one, sized once and reused across replicates.

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "accumulate/replicate_engine.hpp"
#include "data/grouping.hpp"
#include "estimate/fairness.hpp"
#include <referee/evaluation.hpp>
#include <referee/policy.hpp>

namespace referee {

// The groupings the engine resamples: the policy's segment specs, then its sensitive
// attributes, so that grouping g of the layout is groupings[g].
struct GroupingSet {
  std::vector<Grouping> groupings;
  std::size_t segment_count = 0;

  // The grouping index of the policy's sensitive attribute a.
  std::size_t sensitive(std::size_t a) const { return segment_count + a; }
};

// The replicate results and where each quantity lives among their columns.
struct ReplicateRun {
  ReplicateResults results;
  ReplicateLayout layout;
};

// Reads result columns as MetricValues. The point row keeps each value's reason; a
// replicate row turns NaN back into an (unexplained) undefined value.
class ReplicateView {
 public:
  static ReplicateView point(const ReplicateResults& r) { return {r, nullptr, 0}; }
  static ReplicateView row(const ReplicateResults& r, const ReplicateMatrix& m, std::size_t i) { return {r, &m, i}; }

  MetricValue operator()(std::size_t column) const {
    if (!matrix_) return results_.point[column];
    const double v = (*matrix_)(static_cast<Eigen::Index>(row_), static_cast<Eigen::Index>(column));
    return std::isnan(v) ? MetricValue::undefined("undefined in this resample") : MetricValue::of(v);
  }

 private:
  ReplicateView(const ReplicateResults& r, const ReplicateMatrix* m, std::size_t row)
      : results_(r), matrix_(m), row_(row) {}
  const ReplicateResults& results_;
  const ReplicateMatrix* matrix_;
  std::size_t row_;
};

// Both models' point values and replicate values of one quantity: everything needed to
// estimate any subject at any confidence.
struct QuantityReplicates {
  std::array<MetricValue, 2> point;
  std::array<std::vector<double>, 2> bootstrap, jackknife;
};

// Evaluates quantity f for both models on the point row and on every replicate row.
template <class Quantity>
QuantityReplicates replicate(const ReplicateResults& r, Quantity&& f) {
  QuantityReplicates q;
  const auto fill = [&](const ReplicateMatrix& m, std::array<std::vector<double>, 2>& out) {
    for (std::size_t model = 0; model < 2; ++model) {
      out[model].resize(static_cast<std::size_t>(m.rows()));
      for (std::size_t i = 0; i < out[model].size(); ++i) {
        const MetricValue v = f(model, ReplicateView::row(r, m, i));
        out[model][i] = v.defined ? v.value : std::numeric_limits<double>::quiet_NaN();
      }
    }
  };
  for (std::size_t model = 0; model < 2; ++model) q.point[model] = f(model, ReplicateView::point(r));
  fill(r.bootstrap, q.bootstrap);
  fill(r.jackknife, q.jackknife);
  return q;
}

// --- quantities ------------------------------------------------------------------------

// Metric k over all rows.
struct OverallMetric {
  const ReplicateLayout& layout;
  std::size_t k;
  MetricValue operator()(std::size_t m, const ReplicateView& v) const { return v(layout.metric(m, k)); }
};

// Metric k in group j of segment grouping g.
struct SegmentMetric {
  const ReplicateLayout& layout;
  std::size_t g, j, k;
  MetricValue operator()(std::size_t m, const ReplicateView& v) const { return v(layout.group(g, j, m, k)); }
};

// The confusion cells of group j of sensitive grouping g, and of the whole sample. A cell
// undefined in a replicate reads as its value field (0), as the estimates always have.
inline ConfusionCells group_cells(const ReplicateLayout& layout, std::size_t g, std::size_t j, std::size_t m,
                                  const ReplicateView& v) {
  return {v(layout.group(g, j, m, 0)).value, v(layout.group(g, j, m, 1)).value, v(layout.group(g, j, m, 2)).value,
          v(layout.group(g, j, m, 3)).value};
}
inline ConfusionCells overall_cells(const ReplicateLayout& layout, std::size_t m, const ReplicateView& v) {
  return {v(layout.cell(m, 0)).value, v(layout.cell(m, 1)).value, v(layout.cell(m, 2)).value,
          v(layout.cell(m, 3)).value};
}

// A fairness rate of group j of sensitive grouping g.
struct GroupRateQuantity {
  const ReplicateLayout& layout;
  std::size_t g, j;
  GroupRate rate;
  MetricValue operator()(std::size_t m, const ReplicateView& v) const {
    return group_rate(rate, group_cells(layout, g, j, m, v));
  }
};

// A fairlearn-style disparity over the groups of sensitive grouping g. The groups' cells
// go into a buffer owned by the quantity, filled anew for each replicate.
class DisparityQuantity {
 public:
  DisparityQuantity(const ReplicateLayout& layout, std::size_t g, std::size_t groups, Disparity d,
                    DisparityMethod method)
      : layout_(layout), g_(g), d_(d), method_(method), cells_(groups) {}

  MetricValue operator()(std::size_t m, const ReplicateView& v) {
    for (std::size_t j = 0; j < cells_.size(); ++j) cells_[j] = group_cells(layout_, g_, j, m, v);
    return group_disparity(d_, cells_, overall_cells(layout_, m, v), method_);
  }

 private:
  const ReplicateLayout& layout_;
  std::size_t g_;
  Disparity d_;
  DisparityMethod method_;
  std::vector<ConfusionCells> cells_;
};

// A Clarify metric of facet f against facet a, both groups of sensitive grouping g.
struct ClarifyQuantity {
  const ReplicateLayout& layout;
  std::size_t g;
  Disparity d;
  std::size_t a, f;
  MetricValue operator()(std::size_t m, const ReplicateView& v) const {
    return clarify_metric(d, group_cells(layout, g, a, m, v), group_cells(layout, g, f, m, v));
  }
};

// --- estimates -------------------------------------------------------------------------

Estimate estimate_subject(const QuantityReplicates& q, Subject subject, IntervalMethod method, double confidence);

// Champion, challenger, delta and relative delta, at the policy's confidence.
std::array<Estimate, 4> all_subjects(const QuantityReplicates& q, const BootstrapSettings& b);

// table[s] gains e[s], for each subject s.
void append(SubjectEstimates& table, const std::array<Estimate, 4>& e);

// The group of grouping whose value is `value`; else a data error naming `what` and the
// values present.
std::size_t group_index(const Grouping& grouping, const std::string& value, std::string_view what,
                        std::string_view origin);

}  // namespace referee
