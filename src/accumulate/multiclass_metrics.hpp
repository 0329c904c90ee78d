#pragma once
// The multiclass figures of one lane, from the sums of multiclass_accumulator.hpp, each as
// scikit-learn defines it for single-label data (docs/multiclass.md):
//   - averages run over the classes present in the sample (a positive weight as label or
//     as prediction), as sklearn's unique_labels(y_true, y_pred); a present class whose
//     precision or recall divides by zero counts 0 in the average, as zero_division="warn"
//     does, while a per-class figure of it is undefined, with the reason;
//   - one-vs-rest roc_auc needs every class among the labels and not all of them (sklearn
//     refuses otherwise), so a resample that lacks a class leaves it undefined.

#include <cmath>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <referee/error.hpp>
#include <referee/vocabulary.hpp>

#include "accumulate/multiclass_accumulator.hpp"
#include "common/quoted.hpp"

namespace referee {

// A figure with its parameters resolved against the data: a class name to its index, a k
// to its slot among the top-k hits.
struct MulticlassFigure {
  Metric id = Metric::mc_accuracy;
  std::optional<Average> average;
  std::size_t class_index = 0;
  std::size_t top_k_slot = 0;
};

inline std::size_t class_index_of(const MetricInstance& m, std::span<const std::string> classes) {
  for (std::size_t k = 0; k < classes.size(); ++k)
    if (classes[k] == *m.class_name) return k;
  throw PolicyError("the figure " + quoted_excerpt(m.name) + " names a class that is not among the " +
                    std::to_string(classes.size()) + " classes of the data ($.columns.classes or the probability "
                    "columns' suffixes)");
}

// Resolves every figure; `top_ks` receives the distinct k values, in first-asked order.
inline std::vector<MulticlassFigure> resolve_figures(std::span<const MetricInstance> metrics,
                                                     std::span<const std::string> classes,
                                                     std::vector<std::size_t>& top_ks) {
  std::vector<MulticlassFigure> out;
  for (const MetricInstance& m : metrics) {
    MulticlassFigure f{m.id, m.average, 0, 0};
    if (m.class_name) f.class_index = class_index_of(m, classes);
    if (m.k) {
      const auto slot = std::find(top_ks.begin(), top_ks.end(), *m.k);
      f.top_k_slot = static_cast<std::size_t>(slot - top_ks.begin());
      if (slot == top_ks.end()) top_ks.push_back(*m.k);
    }
    out.push_back(f);
  }
  return out;
}

namespace multiclass_detail {

struct ClassCounts {
  double truth, predicted, correct;
};

enum class PerClass { precision, recall, f1 };

inline std::optional<double> per_class(PerClass kind, const ClassCounts& c) {
  const double denominator = kind == PerClass::precision ? c.predicted
                             : kind == PerClass::recall  ? c.truth
                                                         : c.truth + c.predicted;
  if (!(denominator > 0.0)) return std::nullopt;
  return (kind == PerClass::f1 ? 2.0 * c.correct : c.correct) / denominator;
}

inline PerClass per_class_kind(Metric id) {
  return id == Metric::mc_precision ? PerClass::precision : id == Metric::mc_recall ? PerClass::recall : PerClass::f1;
}

inline constexpr const char* kUndefinedFor[] = {"no rows predicted as the class", "no rows of the class",
                                                "no rows of the class and none predicted as it"};

inline MetricValue averaged(PerClass kind, Average average, const ConfusionSums& s, std::size_t lane) {
  double sum = 0.0, weights = 0.0, correct = 0.0, total = 0.0;
  for (std::size_t k = 0; k < s.truth.size(); ++k) {
    const ClassCounts c{s.truth[k][lane], s.predicted[k][lane], s.correct[k][lane]};
    correct += c.correct;
    total += c.truth;
    if (!(c.truth > 0.0 || c.predicted > 0.0)) continue;  // absent from the sample
    const double value = per_class(kind, c).value_or(0.0);
    const double weight = average == Average::weighted ? c.truth : 1.0;
    sum += weight * value;
    weights += weight;
  }
  if (average == Average::micro)
    return total > 0.0 ? MetricValue::of(correct / total) : MetricValue::undefined("the sample has no weight");
  return weights > 0.0 ? MetricValue::of(sum / weights) : MetricValue::undefined("the sample has no weight");
}

inline MetricValue balanced_accuracy(const ConfusionSums& s, std::size_t lane) {
  double sum = 0.0;
  std::size_t present = 0;
  for (std::size_t k = 0; k < s.truth.size(); ++k)
    if (s.truth[k][lane] > 0.0) {
      sum += s.correct[k][lane] / s.truth[k][lane];
      ++present;
    }
  return present > 0 ? MetricValue::of(sum / static_cast<double>(present))
                     : MetricValue::undefined("the sample has no weight");
}

// Sums over classes of the marginals: the total, the diagonal, t.p, t.t and p.p.
struct Marginals {
  double total = 0.0, correct = 0.0, truth_predicted = 0.0, truth_truth = 0.0, predicted_predicted = 0.0;
};

inline Marginals marginals(const ConfusionSums& s, std::size_t lane) {
  Marginals m;
  for (std::size_t k = 0; k < s.truth.size(); ++k) {
    const double t = s.truth[k][lane], p = s.predicted[k][lane];
    m.total += t;
    m.correct += s.correct[k][lane];
    m.truth_predicted += t * p;
    m.truth_truth += t * t;
    m.predicted_predicted += p * p;
  }
  return m;
}

// sklearn's cohen_kappa_score: 1 - observed disagreement / expected disagreement.
inline MetricValue cohen_kappa(const ConfusionSums& s, std::size_t lane) {
  const Marginals m = marginals(s, lane);
  const double expected = m.total - m.truth_predicted / m.total;
  if (!(m.total > 0.0) || !(expected > 0.0))
    return MetricValue::undefined("the expected agreement is perfect (one class in labels and predictions)");
  return MetricValue::of(1.0 - (m.total - m.correct) / expected);
}

// sklearn's matthews_corrcoef for K classes (Gorodkin's R_K).
inline MetricValue mcc(const ConfusionSums& s, std::size_t lane) {
  const Marginals m = marginals(s, lane);
  const double s2 = m.total * m.total;
  const double cov_ytyp = m.correct * m.total - m.truth_predicted;
  const double cov_ypyp = s2 - m.predicted_predicted;
  const double cov_ytyt = s2 - m.truth_truth;
  if (!(cov_ypyp * cov_ytyt > 0.0))
    return MetricValue::undefined("the labels or the predictions hold one class only");
  return MetricValue::of(cov_ytyp / std::sqrt(cov_ytyt * cov_ypyp));
}

inline MetricValue ovr_auc(const MulticlassFigure& f, std::span<const OvrSums> ovr, std::size_t lane) {
  double sum = 0.0, weights = 0.0;
  for (const OvrSums& c : ovr) {
    const double P = c.pos[lane], N = c.neg[lane];
    if (!(P > 0.0)) return MetricValue::undefined("a class has no rows (one-vs-rest needs every class)");
    if (!(N > 0.0)) return MetricValue::undefined("only one class present");
    const double weight = f.average == Average::weighted ? P : 1.0;
    sum += weight * (c.auc[lane] / (P * N));
    weights += weight;
  }
  return MetricValue::of(sum / weights);
}

}  // namespace multiclass_detail

inline MetricValue multiclass_value(const MulticlassFigure& f, const ConfusionSums& s, std::span<const OvrSums> ovr,
                                    std::size_t lane) {
  using namespace multiclass_detail;
  double total = 0.0;
  for (const LaneWeights& t : s.truth) total += t[lane];
  if (!(total > 0.0)) return MetricValue::undefined("the sample has no weight");
  switch (f.id) {
    case Metric::mc_accuracy:
      return averaged(PerClass::recall, Average::micro, s, lane);
    case Metric::mc_balanced_accuracy:
      return balanced_accuracy(s, lane);
    case Metric::top_k_accuracy:
      return MetricValue::of(s.top_k[f.top_k_slot][lane] / total);
    case Metric::mc_log_loss:
      return MetricValue::of(s.loss[lane] / total);
    case Metric::mc_brier:
      return MetricValue::of(s.brier[lane] / total);
    case Metric::mc_precision:
    case Metric::mc_recall:
    case Metric::mc_f1: {
      const PerClass kind = per_class_kind(f.id);
      if (f.average) return averaged(kind, *f.average, s, lane);
      const std::size_t k = f.class_index;
      const std::optional<double> v = per_class(kind, {s.truth[k][lane], s.predicted[k][lane], s.correct[k][lane]});
      return v ? MetricValue::of(*v) : MetricValue::undefined(kUndefinedFor[static_cast<int>(kind)]);
    }
    case Metric::cohen_kappa:
      return cohen_kappa(s, lane);
    case Metric::mc_mcc:
      return mcc(s, lane);
    case Metric::mc_roc_auc:
      return ovr_auc(f, ovr, lane);
    default:
      return MetricValue::undefined("not a multiclass metric");
  }
}

}  // namespace referee
