#include <referee/evaluate.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <limits>
#include <thread>

#include "budget/budget.hpp"
#include "common/did_you_mean.hpp"
#include "data/row_units.hpp"
#include "decide/decision.hpp"
#include "drift/feature_drift.hpp"
#include "estimate/estimate.hpp"
#include "estimate/multiple_testing.hpp"
#include <referee/error.hpp>
#include "data/grouping.hpp"
#include "accumulate/replicate_engine.hpp"

namespace referee {

namespace {

// Jackknife groups for the BCa acceleration: leave-one-unit-out up to this many units
// (exactly scipy.stats.bootstrap's jackknife), equal-size delete-a-group beyond it.
constexpr std::size_t kMaxJackknifeGroups = 256;

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

// A quantity of one model (0 champion, 1 challenger), read from the result columns.
using ModelQuantity = std::function<MetricValue(std::size_t model, const ReplicateView&)>;

// Both models' point values and replicate values of one quantity: everything needed to
// estimate any subject at any confidence.
struct QuantityReplicates {
  std::array<MetricValue, 2> point;
  std::array<std::vector<double>, 2> bootstrap, jackknife;
};

QuantityReplicates replicate(const ReplicateResults& r, const ModelQuantity& f) {
  QuantityReplicates q;
  const auto fill = [&](const ReplicateMatrix& m, std::array<std::vector<double>, 2>& out) {
    for (std::size_t model = 0; model < 2; ++model) {
      out[model].resize(static_cast<std::size_t>(m.rows()));
      for (std::size_t i = 0; i < out[model].size(); ++i) {
        const MetricValue v = f(model, ReplicateView::row(r, m, i));
        out[model][i] = v.defined ? v.value : kNaN;
      }
    }
  };
  for (std::size_t model = 0; model < 2; ++model) q.point[model] = f(model, ReplicateView::point(r));
  fill(r.bootstrap, q.bootstrap);
  fill(r.jackknife, q.jackknife);
  return q;
}

Estimate estimate_subject(const QuantityReplicates& q, Subject subject, IntervalMethod method, double confidence) {
  const auto s = static_cast<std::size_t>(subject);
  if (s < 2) return estimate_from_replicates(q.point[s], q.bootstrap[s], q.jackknife[s], method, confidence);
  const bool relative = subject == Subject::relative_delta;
  return estimate_from_replicates(difference_value(q.point[0], q.point[1], relative),
                                  difference_replicates(q.bootstrap[0], q.bootstrap[1], relative),
                                  difference_replicates(q.jackknife[0], q.jackknife[1], relative), method,
                                  confidence);
}

std::array<Estimate, 4> all_subjects(const QuantityReplicates& q, const BootstrapSettings& b) {
  std::array<Estimate, 4> out;
  for (std::size_t s = 0; s < 4; ++s)
    out[s] = estimate_subject(q, static_cast<Subject>(s), b.interval, b.confidence);
  return out;
}

void append(SubjectEstimates& table, const std::array<Estimate, 4>& e) {
  for (std::size_t s = 0; s < 4; ++s) table[s].push_back(e[s]);
}

// The smallest alpha at which the interval at confidence 1 - alpha decides `target`
// (intervals are nested, so the decision is monotone in alpha): a bootstrap p-value. B
// resamples cannot resolve a p-value below 1 / (B + 1), so none is reported below it.
double decision_p_value(const QuantityReplicates& q, const Rule& rule, IntervalMethod method, Verdict target) {
  const auto decides = [&](double alpha) {
    return decide_rule(rule, estimate_subject(q, rule.subject, method, 1.0 - alpha)).verdict == target;
  };
  const double resolution = 1.0 / static_cast<double>(q.bootstrap[0].size() + 1);
  double lo = resolution, hi = 1.0 - 1e-9;
  if (!decides(hi)) return 1.0;
  if (decides(lo)) return lo;
  for (int i = 0; i < 60 && hi - lo > 1e-9; ++i) {
    const double mid = 0.5 * (lo + hi);
    (decides(mid) ? hi : lo) = mid;
  }
  return hi;
}

struct GroupingSet {
  std::vector<Grouping> groupings;  // segments first, then sensitive attributes
  std::size_t segment_count = 0;
};

}  // namespace

Evaluation evaluate(const Table& table, const Policy& policy, const EvaluateOptions& options) {
  const auto clock_start = std::chrono::steady_clock::now();
  Evaluation ev;
  ev.run.started_at = utc_now();
  ev.policy = policy;
  ev.bootstrap = policy.bootstrap;
  if (options.seed) ev.bootstrap.seed = *options.seed;
  ev.rows = table.rows;
  ev.clustered = table.clustered();
  ev.units = table.clustered() ? table.unit_count : table.rows;
  ev.source = table.source;
  ev.source.sha256 = data_digest(table);

  GroupingSet groups;
  for (const auto& spec : policy.segments) groups.groupings.push_back(make_grouping(table, spec, policy.task));
  groups.segment_count = groups.groupings.size();
  for (const auto& attribute : policy.sensitive)
    groups.groupings.push_back(make_grouping(table, attribute, policy.task));

  PairedColumns columns{policy.task,      table.label,      table.champion, table.challenger,
                        table.weight,     policy.threshold, row_units(table), {}};
  for (std::size_t g = 0; g < groups.groupings.size(); ++g)
    columns.groupings.push_back({groups.groupings[g].group_of_row, groups.groupings[g].size(),
                                 g >= groups.segment_count});
  if (ev.bootstrap.scheme == ResamplingScheme::multinomial && ev.units > 500'000)
    throw DataError(table.source.origin + ": the multinomial scheme tabulates counts per unit and is "
                    "meant for small samples; use \"scheme\": \"poisson\" for " +
                    std::to_string(ev.units) + " units");
  ev.jackknife_groups =
      ev.bootstrap.interval == IntervalMethod::bca ? std::min(ev.units, kMaxJackknifeGroups) : 0;

  ev.run.threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  ReplicateRequest request;
  request.bootstrap = ev.bootstrap.resamples;
  request.jackknife_groups = ev.jackknife_groups;
  request.scheme = ev.bootstrap.scheme;
  request.seed = ev.bootstrap.seed;
  request.threads = ev.run.threads;
  request.progress = options.progress;
  request.cancel = options.cancel;

  const ReplicateEngine engine(columns);
  const ReplicateResults results = engine.run(request);
  const ReplicateLayout& layout = engine.layout();
  const std::size_t M = engine.metric_count();

  // Quantities, as functions of the result columns.
  const auto overall_metric = [&](std::size_t k) -> ModelQuantity {
    return [&layout, k](std::size_t m, const ReplicateView& v) { return v(layout.metric(m, k)); };
  };
  const auto segment_metric = [&](std::size_t g, std::size_t j, std::size_t k) -> ModelQuantity {
    return [&layout, g, j, k](std::size_t m, const ReplicateView& v) { return v(layout.group(g, j, m, k)); };
  };
  // The confusion cells of every group of sensitive grouping g, and of the whole sample.
  const auto cells_of = [&layout](std::size_t g, std::size_t groups_in_g, std::size_t m, const ReplicateView& v) {
    std::vector<ConfusionCells> cells(groups_in_g);
    for (std::size_t j = 0; j < groups_in_g; ++j)
      cells[j] = {v(layout.group(g, j, m, 0)).value, v(layout.group(g, j, m, 1)).value,
                  v(layout.group(g, j, m, 2)).value, v(layout.group(g, j, m, 3)).value};
    return cells;
  };
  const auto overall_cells = [&layout](std::size_t m, const ReplicateView& v) {
    return ConfusionCells{v(layout.cell(m, 0)).value, v(layout.cell(m, 1)).value, v(layout.cell(m, 2)).value,
                          v(layout.cell(m, 3)).value};
  };
  const auto disparity_quantity = [&](std::size_t g, Disparity d, DisparityMethod method) -> ModelQuantity {
    const std::size_t n = groups.groupings[g].size();
    return [=, &cells_of, &overall_cells](std::size_t m, const ReplicateView& v) {
      return group_disparity(d, cells_of(g, n, m, v), overall_cells(m, v), method);
    };
  };
  const auto clarify_quantity = [&](std::size_t g, Disparity d, std::size_t a, std::size_t f) -> ModelQuantity {
    const std::size_t n = groups.groupings[g].size();
    return [=, &cells_of](std::size_t m, const ReplicateView& v) {
      const auto cells = cells_of(g, n, m, v);
      return clarify_metric(d, cells[a], cells[f]);
    };
  };
  const auto rate_quantity = [&](std::size_t g, std::size_t j, GroupRate q) -> ModelQuantity {
    const std::size_t n = groups.groupings[g].size();
    return [=, &cells_of](std::size_t m, const ReplicateView& v) { return group_rate(q, cells_of(g, n, m, v)[j]); };
  };

  for (std::size_t k = 0; k < M; ++k) {
    const auto e = all_subjects(replicate(results, overall_metric(k)), ev.bootstrap);
    for (std::size_t s = 0; s < 4; ++s) ev.metrics[s].push_back(e[s]);
  }

  const SegmentsMin& minimum = policy.segments_min;
  for (std::size_t g = 0; g < groups.segment_count; ++g) {
    const Grouping& grouping = groups.groupings[g];
    SegmentTable t;
    t.name = grouping.name;
    t.columns = grouping.columns;
    for (std::size_t j = 0; j < grouping.size(); ++j) {
      SegmentResult seg;
      seg.value = grouping.values[j];
      seg.rows = grouping.rows[j];
      seg.positives = grouping.positives[j];
      if (seg.rows < minimum.rows) {
        seg.sufficient = false;
        seg.insufficient_reason = std::to_string(seg.rows) + " rows, below segments_min.rows " + std::to_string(minimum.rows);
      } else if (policy.task == Task::binary && seg.positives < minimum.positives) {
        seg.sufficient = false;
        seg.insufficient_reason = std::to_string(seg.positives) + " positive labels, below segments_min.positives " +
                                  std::to_string(minimum.positives);
      }
      for (std::size_t k = 0; k < M; ++k)
        append(seg.metrics, all_subjects(replicate(results, segment_metric(g, j, k)), ev.bootstrap));
      t.segments.push_back(std::move(seg));
    }
    ev.segments.push_back(std::move(t));
  }

  // Facet a of an attribute's Clarify metrics, as an index into its groups.
  const auto group_index = [&](std::size_t g, const std::string& value, const std::string& what) {
    const Grouping& grouping = groups.groupings[g];
    const std::array<std::string, 1> key{value};
    const std::size_t j = grouping.find(key);
    if (j == grouping.size()) {
      std::vector<std::string> present;
      for (std::size_t i = 0; i < grouping.size(); ++i) present.push_back(grouping.value_text(i));
      throw DataError(table.source.origin + ": " + what + " \"" + value + "\" does not occur in column \"" +
                      grouping.name + "\"" + did_you_mean(value, present));
    }
    return j;
  };

  for (std::size_t a = 0; a < policy.sensitive.size(); ++a) {
    const std::size_t g = groups.segment_count + a;
    const Grouping& grouping = groups.groupings[g];
    FairnessTable t;
    t.attribute = grouping.name;
    t.method = policy.fairness.method;
    for (std::size_t j = 0; j < grouping.size(); ++j) {
      FairnessGroup fg;
      fg.value = grouping.value_text(j);
      fg.rows = grouping.rows[j];
      fg.positives = grouping.positives[j];
      for (std::size_t q = 0; q < kGroupRateCount; ++q) {
        const auto e = all_subjects(replicate(results, rate_quantity(g, j, static_cast<GroupRate>(q))), ev.bootstrap);
        fg.rates[0].push_back(e[0]);
        fg.rates[1].push_back(e[1]);
      }
      t.groups.push_back(std::move(fg));
    }
    for (std::size_t d = 0; d < kGroupDisparityCount; ++d)
      append(t.disparities,
             all_subjects(replicate(results, disparity_quantity(g, static_cast<Disparity>(d), t.method)), ev.bootstrap));
    if (const std::string* reference = policy.fairness.reference_of(t.attribute)) {
      t.reference = *reference;
      const std::size_t ref = group_index(g, *reference, "$.fairness.reference group");
      for (std::size_t j = 0; j < grouping.size(); ++j) {
        if (j == ref) continue;
        ClarifyResult c;
        c.group = grouping.value_text(j);
        for (std::size_t d = kGroupDisparityCount; d < kDisparityCount; ++d)
          append(c.metrics, all_subjects(replicate(results, clarify_quantity(g, static_cast<Disparity>(d), ref, j)),
                                         ev.bootstrap));
        t.clarify.push_back(std::move(c));
      }
    }
    ev.fairness.push_back(std::move(t));
  }

  // Budgets: the serving figures, resampled with the gate's seed and scheme.
  if (options.latency_samples && !table.columns.latency.empty())
    throw UsageError("latency is given twice: by $.columns.latency and by separate samples (" +
                     options.latency_samples->origin + "); give one");
  BudgetInputs budget_inputs;
  budget_inputs.latency = table.latency;
  budget_inputs.cost = table.cost;
  budget_inputs.error = table.error;
  budget_inputs.units = columns.units;
  budget_inputs.rows = table.rows;
  budget_inputs.latency_samples = options.latency_samples;
  budget_inputs.price = policy.pricing;
  if (options.latency_samples) {
    validate_latency_samples(*options.latency_samples);
    ev.latency_origin = options.latency_samples->origin;
    ev.latency_sha256 = options.latency_samples->sha256;
  }
  ev.budgets = estimate_budgets(budget_inputs, {ev.bootstrap.resamples, ev.bootstrap.confidence, ev.bootstrap.scheme,
                                                ev.bootstrap.seed, ev.run.threads, options.cancel});

  if (policy.drift.enabled) {
    if (!options.drift_reference)
      throw UsageError("the policy enables drift, but no drift reference was given: read it with "
                       "read_drift_reference() and pass it as EvaluateOptions::drift_reference");
    ev.drift = check_drift(table, policy.drift, *options.drift_reference);
  }

  const auto metrics = task_metrics(policy.task);
  const auto metric_index = [&](Metric id) {
    return static_cast<std::size_t>(
        std::find_if(metrics.begin(), metrics.end(), [&](const MetricInfo& i) { return i.id == id; }) -
        metrics.begin());
  };
  const auto segment_index = [&](const std::string& spec) {
    for (std::size_t g = 0; g < groups.segment_count; ++g)
      if (groups.groupings[g].name == spec) return g;
    return groups.segment_count;
  };
  const double alpha = 1.0 - ev.bootstrap.confidence;

  std::vector<RuleOutcome> outcomes;
  for (const Rule& rule : policy.rules) {
    RuleResult r;
    r.rule = rule;
    r.n = ev.rows;
    const auto decide = [&](PartVerdict& part) {
      RuleDecision d = decide_rule(rule, part.subject);
      part.verdict = d.verdict;
      part.reason = std::move(d.reason);
    };
    // Figures already estimated at the policy's confidence (overall, per segment) are read
    // from their tables; only quantities no table holds are estimated from replicates.
    const auto from_table = [&](const SubjectEstimates& table_of_k, std::size_t k, PartVerdict& part) {
      part.subject = table_of_k[static_cast<std::size_t>(rule.subject)][k];
      part.champion = table_of_k[0][k];
      part.challenger = table_of_k[1][k];
    };
    const auto judge = [&](const QuantityReplicates& q, double confidence, PartVerdict& part) {
      part.subject = estimate_subject(q, rule.subject, ev.bootstrap.interval, confidence);
      part.champion = estimate_subject(q, Subject::champion, ev.bootstrap.interval, ev.bootstrap.confidence);
      part.challenger = estimate_subject(q, Subject::challenger, ev.bootstrap.interval, ev.bootstrap.confidence);
      decide(part);
    };
    const auto adopt = [&](const PartVerdict& part) {
      r.subject = part.subject;
      r.champion = part.champion;
      r.challenger = part.challenger;
      r.verdict = part.verdict;
      r.reason = part.reason;
    };
    // A rule over several parts fails if one fails; else it is inconclusive if one is.
    const auto combine = [&](const std::string& what) {
      const PartVerdict* worst = nullptr;
      std::size_t judged = 0;
      for (const PartVerdict& p : r.parts) {
        if (p.verdict == Verdict::skipped) continue;
        ++judged;
        if (!worst || (p.verdict == Verdict::fail && worst->verdict != Verdict::fail) ||
            (p.verdict == Verdict::inconclusive && worst->verdict == Verdict::pass))
          worst = &p;
      }
      if (!worst) {
        r.verdict = Verdict::skipped;
        r.reason = "skipped: no " + what + " has enough support (segments_min)";
        return;
      }
      adopt(*worst);
      r.segment = worst->value;
      r.n = worst->rows;
      if (worst->verdict == Verdict::pass && judged > 1)
        r.reason = "all " + std::to_string(judged) + " " + what + "s pass";
      else
        r.reason = what + " " + joined_values(worst->value) + ": " + worst->reason;
    };

    if (rule.budget) {
      const BudgetFigure* figure = ev.budgets.find(*rule.budget);
      if (!figure || (rule.subject != Subject::challenger && figure->source[0] == BudgetSource::none) ||
          (rule.subject != Subject::champion && figure->source[1] == BudgetSource::none))
        throw UsageError("rule \"" + rule.id + "\" judges " + std::string(name_of(*rule.budget)) +
                         ", which was not measured: " +
                         (is_latency(*rule.budget) ? "set $.columns.latency in the policy or pass latency samples "
                                                     "(--latency FILE)"
                                                   : "see $.columns.cost, $.pricing and $.columns.error"));
      PartVerdict part;
      part.subject = figure->subjects[static_cast<std::size_t>(rule.subject)];
      part.champion = figure->subjects[0];
      part.challenger = figure->subjects[1];
      decide(part);
      adopt(part);
      r.n = figure->n[rule.subject == Subject::champion ? 0 : 1];
    } else if (rule.drift) {
      const FeatureDrift* feature = ev.drift.find(rule.feature);
      PartVerdict part;
      part.subject.point = feature->statistic(*rule.drift);
      part.subject.ci = Interval::undefined("drift statistics are judged on their value");
      if (!drift_statistic_applies(*rule.drift, feature->numeric))
        throw DataError("rule \"" + rule.id + "\": \"" + std::string(name_of(*rule.drift)) +
                        "\" needs a " + std::string(drift_statistic_needs(*rule.drift)) + " feature, but \"" +
                        rule.feature + "\" holds " + (feature->numeric ? "numbers" : "text") +
                        " (declare its type in $.drift.features to be explicit)");
      decide(part);
      adopt(part);
      r.n = feature->current_n();
    } else if (rule.disparity) {
      const std::size_t a = static_cast<std::size_t>(
          std::find(policy.sensitive.begin(), policy.sensitive.end(), rule.sensitive) - policy.sensitive.begin());
      const std::size_t g = groups.segment_count + a;
      const Grouping& grouping = groups.groupings[g];
      if (!is_clarify(*rule.disparity)) {
        PartVerdict part;
        judge(replicate(results, disparity_quantity(g, *rule.disparity, rule.method)), ev.bootstrap.confidence, part);
        adopt(part);
      } else {
        const std::size_t ref = group_index(g, rule.reference, "reference group");
        for (std::size_t j = 0; j < grouping.size(); ++j) {
          if (j == ref) continue;
          if (!rule.group.empty() && grouping.value_text(j) != rule.group) continue;
          PartVerdict part;
          part.value = {grouping.value_text(j)};
          part.rows = grouping.rows[j];
          judge(replicate(results, clarify_quantity(g, *rule.disparity, ref, j)), ev.bootstrap.confidence, part);
          r.parts.push_back(std::move(part));
        }
        if (!rule.group.empty() && r.parts.empty()) group_index(g, rule.group, "group");  // throws
        combine("group");
        if (r.parts.size() == 1) r.parts.clear();
      }
    } else if (rule.scope.kind == ScopeKind::overall) {
      PartVerdict part;
      from_table(ev.metrics, metric_index(rule.metric), part);
      decide(part);
      adopt(part);
    } else {
      const std::size_t g = segment_index(rule.scope.segments);
      const Grouping& grouping = groups.groupings[g];
      const SegmentTable& seg_table = ev.segments[g];
      const std::size_t k = metric_index(rule.metric);
      // A sufficient segment's part is decided by the caller (at the policy's confidence,
      // or corrected); an insufficient one is inconclusive here.
      const auto make_part = [&](std::size_t j) {
        PartVerdict part;
        part.value = grouping.values[j];
        part.rows = grouping.rows[j];
        from_table(seg_table.segments[j].metrics, k, part);
        if (!seg_table.segments[j].sufficient) {
          part.insufficient = true;
          part.verdict = rule.on_insufficient == OnInsufficient::skip ? Verdict::skipped : Verdict::inconclusive;
          part.reason = "insufficient support: " + seg_table.segments[j].insufficient_reason;
        }
        return part;
      };
      if (rule.scope.kind == ScopeKind::segment) {
        const std::size_t j = grouping.find(rule.scope.value);
        PartVerdict part;
        part.value = rule.scope.value;
        if (j == grouping.size()) {
          part.insufficient = true;
          part.verdict = rule.on_insufficient == OnInsufficient::skip ? Verdict::skipped : Verdict::inconclusive;
          part.reason = "insufficient support: no rows in this segment";
        } else {
          part = make_part(j);
          if (!part.insufficient) decide(part);
        }
        r.parts.push_back(std::move(part));
        combine("segment");
        r.parts.clear();
      } else if (rule.scope.kind == ScopeKind::worst_segment) {
        // The worst is the sufficient segment whose estimate lies farthest toward (or
        // past) a bound; its interval then decides, as for any single segment.
        // An undefined estimate cannot be ranked; it is taken as the worst, so the rule is
        // decided (inconclusive) on it rather than on a defined segment.
        std::size_t worst = grouping.size();
        double worst_score = -std::numeric_limits<double>::infinity();
        for (std::size_t j = 0; j < grouping.size(); ++j) {
          if (!seg_table.segments[j].sufficient) continue;
          const MetricValue v = seg_table.segments[j].metrics[static_cast<std::size_t>(rule.subject)][k].point;
          if (!v.defined) {
            worst = j;
            break;
          }
          const double score = std::max(rule.min ? *rule.min - v.value : -std::numeric_limits<double>::infinity(),
                                         rule.max ? v.value - *rule.max : -std::numeric_limits<double>::infinity());
          if (score > worst_score) {
            worst_score = score;
            worst = j;
          }
        }
        if (worst < grouping.size()) {
          PartVerdict part = make_part(worst);
          decide(part);
          r.parts.push_back(std::move(part));
        }
        combine("segment");
        r.parts.clear();
      } else {  // each_segment
        std::vector<std::size_t> judged;
        for (std::size_t j = 0; j < grouping.size(); ++j) {
          r.parts.push_back(make_part(j));
          if (!r.parts.back().insufficient) judged.push_back(j);
        }
        const std::size_t K = judged.size();
        if (rule.correction == Correction::holm) {
          std::vector<double> p_fail, p_pass;
          for (std::size_t j : judged) {
            const QuantityReplicates q = replicate(results, segment_metric(g, j, k));
            decide(r.parts[j]);
            p_fail.push_back(decision_p_value(q, rule, ev.bootstrap.interval, Verdict::fail));
            p_pass.push_back(decision_p_value(q, rule, ev.bootstrap.interval, Verdict::pass));
          }
          const auto fail_adj = adjusted_p_values(p_fail, Correction::holm);
          const auto pass_adj = adjusted_p_values(p_pass, Correction::holm);
          for (std::size_t i = 0; i < K; ++i) {
            PartVerdict& part = r.parts[judged[i]];
            part.p_fail = p_fail[i];
            part.p_pass = p_pass[i];
            part.p_fail_adjusted = fail_adj[i];
            part.p_pass_adjusted = pass_adj[i];
            if (fail_adj[i] <= alpha) {
              part.verdict = Verdict::fail;
              part.reason = "Holm-adjusted p " + number_text(fail_adj[i]) + " <= " + number_text(alpha) +
                            " that " + bounds_text(rule) + " is broken; " + part.reason;
            } else if (pass_adj[i] <= alpha) {
              part.verdict = Verdict::pass;
              part.reason = "Holm-adjusted p " + number_text(pass_adj[i]) + " <= " + number_text(alpha) +
                            " that " + bounds_text(rule) + " is met; " + part.reason;
            } else {
              part.verdict = Verdict::inconclusive;
              part.reason = "Holm-adjusted p-values " + number_text(fail_adj[i]) + " (broken) and " +
                            number_text(pass_adj[i]) + " (met) both exceed " + number_text(alpha) + "; " + part.reason;
            }
          }
        } else {
          const double confidence = K > 0 ? 1.0 - alpha / static_cast<double>(K) : ev.bootstrap.confidence;
          for (std::size_t j : judged) {
            if (rule.correction == Correction::bonferroni) {
              judge(replicate(results, segment_metric(g, j, k)), confidence, r.parts[j]);
              r.parts[j].decision_confidence = confidence;
            } else {
              decide(r.parts[j]);
            }
          }
        }
        combine("segment");
      }
    }
    outcomes.push_back({rule.severity, r.verdict});
    ev.rules.push_back(std::move(r));
  }
  ev.verdict = overall_verdict(outcomes, policy.on_inconclusive);
  ev.passed = verdict_passes(ev.verdict);
  ev.run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count();
  return ev;
}

}  // namespace referee
