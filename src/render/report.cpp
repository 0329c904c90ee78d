#include <referee/render.hpp>

#include "tasks/task_definition.hpp"
#include "data/grouping.hpp"

#include "estimate/finite.hpp"
#include "io/atomic_file.hpp"
#include <referee/version.h>

namespace referee {

namespace {

using ojson = nlohmann::ordered_json;

// What a paired delta of a proportion moves with (estimate/discreteness.hpp).
ojson discordant_json(const DiscordantRows& d) {
  ojson j;
  j["challenger_only"] = d.challenger_only;
  j["champion_only"] = d.champion_only;
  if (d.weighted) j["effective"] = d.effective;
  return j;
}

// The last safety net (estimate/finite.hpp): a figure that is not a finite number is
// written as undefined with its reason, never as a bare null.
ojson estimate_json(Estimate e, std::size_t n) {
  e.point = finite_or_undefined(e.point);
  e.ci = finite_or_undefined(e.ci);
  if (!std::isfinite(e.standard_error)) e.ci = Interval::undefined(std::string(kBeyondDouble));
  ojson j;
  j["estimate"] = e.point.defined ? ojson(e.point.value) : ojson(nullptr);
  j["ci"] = e.ci.defined ? ojson::array({e.ci.lo, e.ci.hi}) : ojson(nullptr);
  j["n"] = n;
  if (!e.point.defined) {
    j["undefined"] = std::string(e.point.reason);
    return j;
  }
  if (e.ci.defined) {
    j["se"] = e.standard_error;
  } else {
    j["ci_undefined"] = e.ci.reason;
  }
  j["resamples_defined"] = e.defined_replicates;
  if (!e.interval_method.empty()) j["interval_method"] = e.interval_method;
  if (!e.interval_reason.empty()) j["interval_reason"] = e.interval_reason;
  if (e.discordant) j["discordant"] = discordant_json(*e.discordant);
  return j;
}

ojson subjects_json(const SubjectEstimates& table, std::size_t k, std::size_t n) {
  ojson j;
  for (std::size_t s = 0; s < 4; ++s)
    j[std::string(name_of(static_cast<Subject>(s)))] = estimate_json(table[s][k], n);
  return j;
}

// One segment value: a string for one column, an object for an intersection.
ojson value_json(const std::vector<std::string>& columns, const std::vector<std::string>& value) {
  if (value.size() == 1) return value.front();
  ojson j = ojson::object();
  for (std::size_t i = 0; i < value.size() && i < columns.size(); ++i) j[columns[i]] = value[i];
  return j;
}

ojson segments_json(const Evaluation& ev) {
  ojson out = ojson::array();
  const std::vector<MetricInstance>& infos = ev.policy.metrics;
  for (const SegmentTable& t : ev.segments) {
    ojson table;
    table["segment"] = t.name;
    table["columns"] = t.columns;
    ojson values = ojson::array();
    for (const SegmentResult& seg : t.segments) {
      ojson v;
      v["value"] = value_json(t.columns, seg.value);
      v["n"] = seg.rows;
      if (task_definition(ev.policy.task).classes) v["positives"] = seg.positives;
      v["sufficient"] = seg.sufficient;
      if (!seg.sufficient) v["insufficient"] = seg.insufficient_reason;
      ojson metrics;
      for (std::size_t k = 0; k < infos.size(); ++k)
        metrics[std::string(infos[k].name)] = subjects_json(seg.metrics, k, seg.rows);
      v["metrics"] = metrics;
      values.push_back(v);
    }
    table["values"] = values;
    out.push_back(table);
  }
  return out;
}

ojson fairness_json(const Evaluation& ev) {
  ojson out = ojson::array();
  for (const FairnessTable& t : ev.fairness) {
    ojson a;
    a["attribute"] = t.attribute;
    a["method"] = name_of(t.method);
    ojson groups = ojson::array();
    for (const FairnessGroup& g : t.groups) {
      ojson j;
      j["group"] = g.value;
      j["n"] = g.rows;
      j["positives"] = g.positives;
      for (std::size_t m = 0; m < 2; ++m) {
        ojson rates;
        for (std::size_t q = 0; q < kGroupRateCount; ++q)
          rates[std::string(EnumNames<GroupRate>::names[q])] = estimate_json(g.rates[m][q], g.rows);
        j[std::string(name_of(static_cast<Subject>(m)))] = rates;
      }
      groups.push_back(j);
    }
    a["groups"] = groups;
    ojson disparities;
    for (std::size_t d = 0; d < kGroupDisparityCount; ++d)
      disparities[std::string(EnumNames<Disparity>::names[d])] = subjects_json(t.disparities, d, ev.rows);
    a["disparities"] = disparities;
    if (t.disparity_interval)
      a["disparity_interval"] = ojson{{"method", name_of(*t.disparity_interval)}, {"reason", t.disparity_interval_reason}};
    if (!t.reference.empty()) {
      ojson clarify;
      clarify["reference"] = t.reference;
      ojson facets = ojson::array();
      for (const ClarifyResult& c : t.clarify) {
        ojson f;
        f["group"] = c.group;
        ojson metrics;
        for (std::size_t d = 0; d + kGroupDisparityCount < kDisparityCount; ++d)
          metrics[std::string(EnumNames<Disparity>::names[kGroupDisparityCount + d])] = subjects_json(c.metrics, d, ev.rows);
        f["metrics"] = metrics;
        facets.push_back(f);
      }
      clarify["facets"] = facets;
      a["clarify"] = clarify;
    }
    out.push_back(a);
  }
  return out;
}

std::string_view unit_of(BudgetMetric m) {
  return is_latency(m) ? "ms" : m == BudgetMetric::cost_per_1k ? "currency per 1000 predictions" : "share of predictions";
}

ojson budgets_json(const Evaluation& ev) {
  ojson out;
  const BudgetFigure* latency = ev.budgets.find(BudgetMetric::latency_mean);
  if (latency) {
    ojson source;
    source["kind"] = name_of(latency->source[0] != BudgetSource::none ? latency->source[0] : latency->source[1]);
    if (!ev.latency_origin.empty()) {
      source["file"] = ev.latency_origin == "memory" ? ojson(nullptr)
                                                     : ojson(std::filesystem::path(ev.latency_origin).filename().string());
      source["sha256"] = ev.latency_sha256.empty() ? ojson(nullptr) : ojson(ev.latency_sha256);
    }
    source["paired"] = latency->paired;
    source["quantile"] = "numpy.quantile default (linear, Hyndman & Fan type 7)";
    out["latency"] = source;
  }
  ojson metrics = ojson::object();
  for (const BudgetFigure& f : ev.budgets.figures) {
    ojson m;
    m["unit"] = unit_of(f.metric);
    for (std::size_t s = 0; s < 4; ++s) {
      const std::size_t n = s < 2 ? f.n[s] : f.paired ? std::max(f.n[0], f.n[1]) : f.n[0] + f.n[1];
      ojson e = estimate_json(f.subjects[s], n);
      if (s < 2) e["source"] = name_of(f.source[s]);
      if (!f.interval_kind[s].empty()) e["interval"] = f.interval_kind[s];
      m[std::string(name_of(static_cast<Subject>(s)))] = e;
    }
    metrics[std::string(name_of(f.metric))] = m;
  }
  out["metrics"] = metrics;
  return out;
}

ojson statistic_json(MetricValue v, ojson& undefined, std::string_view name) {
  v = finite_or_undefined(v);
  if (v.defined) return v.value;
  undefined[std::string(name)] = std::string(v.reason);
  return nullptr;
}

ojson drift_json(const Evaluation& ev) {
  const DriftResults& d = ev.drift;
  ojson out;
  ojson reference;
  reference["file"] = std::filesystem::path(d.reference_origin).filename().string();
  reference["rows"] = d.reference_rows;
  reference["sha256"] = d.reference_sha256;
  out["reference"] = reference;
  out["psi_bins"] = d.bins;
  ojson features = ojson::array();
  for (const FeatureDrift& f : d.features) {
    ojson j;
    j["feature"] = f.name;
    j["kind"] = f.prediction ? "prediction" : "feature";
    j["type"] = f.numeric ? "numeric" : "categorical";
    j["n_reference"] = f.reference_n();
    j["n_current"] = f.current_n();
    if (f.reference_missing || f.current_missing) {
      j["missing_reference"] = f.reference_missing;
      j["missing_current"] = f.current_missing;
    }
    ojson undefined = ojson::object();
    for (std::size_t s = 0; s < kDriftStatisticCount; ++s) {
      const auto stat = static_cast<DriftStatistic>(s);
      if (!drift_statistic_applies(stat, f.numeric)) continue;
      j[std::string(name_of(stat))] = statistic_json(f.statistic(stat), undefined, name_of(stat));
    }
    if (f.numeric) {
      j["ks_method"] = f.numeric_result.ks_method;
      j["bin_edges"] = f.numeric_result.edges;
      j["reference_counts"] = f.numeric_result.reference_counts;
      j["current_counts"] = f.numeric_result.current_counts;
    } else {
      j["chi2_dof"] = f.categorical_result.chi2_dof;
      j["categories"] = f.categorical_result.categories;
      j["reference_counts"] = f.categorical_result.reference_counts;
      j["current_counts"] = f.categorical_result.current_counts;
    }
    if (!undefined.empty()) j["undefined"] = undefined;
    features.push_back(j);
  }
  out["features"] = features;
  return out;
}

ojson part_json(const std::vector<std::string>& columns, const PartVerdict& p) {
  ojson j;
  j["value"] = value_json(columns, p.value);
  j["verdict"] = verdict_name(p.verdict);
  const ojson subject = estimate_json(p.subject, p.rows);
  j["estimate"] = subject["estimate"];
  j["ci"] = subject["ci"];
  j["n"] = p.rows;
  if (p.decision_confidence) j["decision_confidence"] = *p.decision_confidence;
  if (p.p_fail) {
    j["p_fail"] = *p.p_fail;
    j["p_fail_adjusted"] = *p.p_fail_adjusted;
    j["p_pass"] = *p.p_pass;
    j["p_pass_adjusted"] = *p.p_pass_adjusted;
  }
  j["reason"] = p.reason;
  return j;
}

ojson scope_json(const Rule& rule) {
  if (rule.scope.kind == ScopeKind::overall) return "overall";
  ojson j;
  if (rule.scope.kind == ScopeKind::segment)
    j["segment"] = value_json(split_segment_spec(rule.scope.segments), rule.scope.value);
  else
    j[std::string(name_of(rule.scope.kind))] = rule.scope.segments;
  return j;
}

ojson bound_json(const Rule& rule) {
  ojson j = ojson::object();
  if (rule.min) j["min"] = *rule.min;
  if (rule.max) j["max"] = *rule.max;
  return j;
}

ojson data_json(const Evaluation& ev) {
  ojson data;
  data["file"] = ev.source.origin == "memory"
                     ? ojson(nullptr)
                     : ojson(std::filesystem::path(ev.source.origin).filename().string());
  data["rows"] = ev.rows;
  data["units"] = ev.units;
  data["clustered"] = ev.clustered;
  if (task_definition(ev.policy.task).queries) {
    const bool skip = ev.policy.empty_queries == EmptyQueries::skip;
    data["ranking"] = {{"queries", ev.queries},
                       {"empty_queries", ev.empty_queries},
                       {"empty_rule", name_of(ev.policy.empty_queries)},
                       {"counted_queries", skip ? ev.queries - ev.empty_queries : ev.queries}};
  }
  data["sha256"] = ev.source.sha256;  // the rows digest: the same whatever the door (docs/audit.md)
  data["sha256_of"] = ev.source.hashed;
  data["file_sha256"] = ev.source.file_sha256.empty() ? ojson(nullptr) : ojson(ev.source.file_sha256);
  return data;
}

ojson bootstrap_json(const Evaluation& ev) {
  ojson boot;
  boot["resamples"] = ev.bootstrap.resamples;
  boot["confidence"] = ev.bootstrap.confidence;
  boot["interval"] = name_of(ev.bootstrap.interval);
  boot["scheme"] = name_of(ev.bootstrap.scheme);
  boot["paired_proportions"] = name_of(ev.bootstrap.paired_proportions);
  boot["seed"] = ev.bootstrap.seed;
  boot["unit"] = !ev.clustered ? "row" : ev.policy.columns.cluster.empty() ? "query" : "cluster";
  boot["rng"] = "philox4x32-10, counter (resample, unit key)";
  boot["jackknife_groups"] = ev.jackknife_groups;
  return boot;
}

// The task's metrics on the whole sample, per subject.
ojson metrics_json(const Evaluation& ev) {
  ojson metrics;
  const std::vector<MetricInstance>& infos = ev.policy.metrics;
  for (std::size_t s = 0; s < 4; ++s) {
    ojson subject = ojson::object();
    for (std::size_t k = 0; k < infos.size(); ++k)
      subject[infos[k].name] = estimate_json(ev.metrics[s][k], ev.rows);
    metrics[std::string(name_of(static_cast<Subject>(s)))] = subject;
  }
  return metrics;
}

// Multiclass: each model's confusion matrix, rows the actual class and columns the
// predicted one in class order; counts as integers unless the rows are weighted.
ojson confusion_json(const ConfusionMatrix& c) {
  ojson out;
  out["classes"] = c.classes;
  out["weighted"] = c.weighted;
  const std::size_t K = c.classes.size();
  for (std::size_t m = 0; m < 2; ++m) {
    ojson rows = ojson::array();
    for (std::size_t a = 0; a < K; ++a) {
      ojson row = ojson::array();
      for (std::size_t p = 0; p < K; ++p)
        row.push_back(c.weighted ? ojson(c.at(m, a, p)) : ojson(static_cast<std::uint64_t>(c.at(m, a, p))));
      rows.push_back(std::move(row));
    }
    out[std::string(name_of(static_cast<Subject>(m)))] = std::move(rows);
  }
  return out;
}

// How a rule judges: its fairness attribute (or its scope), correction, severity,
// decision and bound.
void add_rule_settings(const Rule& rule, ojson& j) {
  if (rule.disparity) {
    j["sensitive"] = rule.sensitive;
    if (is_clarify(*rule.disparity)) {
      j["reference"] = rule.reference;
      if (!rule.group.empty()) j["group"] = rule.group;
    } else {
      j["method"] = name_of(rule.method);
    }
  } else if (!rule.drift && !rule.budget) {
    j["scope"] = scope_json(rule);
  }
  if (rule.scope.kind == ScopeKind::each_segment) j["correction"] = name_of(rule.correction);
  j["severity"] = rule.severity == Severity::block ? "block" : "warn";
  j["decide_on"] = rule.decide_on == DecideOn::interval ? "interval" : "point";
  j["bound"] = bound_json(rule);
}

// Planning figures for an INCONCLUSIVE rule (decide/next_step.hpp).
ojson next_step_json(const NextStep& step) {
  ojson j;
  j["rows_needed"] = step.defined ? ojson(step.rows_needed) : ojson(nullptr);
  if (!step.defined) j["undefined"] = step.reason;
  j["bound"] = step.bound;
  j["margin"] = step.margin;
  j["detectable_effect"] = step.detectable_effect;
  j["basis"] = "bootstrap standard error scaled as 1/sqrt(n), at the observed estimate";
  return j;
}

ojson rule_json(const RuleResult& rr) {
  const Rule& rule = rr.rule;
  ojson j;
  j["id"] = rule.id;
  j["metric"] = rule.metric_name();
  if (rule.drift)
    j["feature"] = rule.feature;
  else
    j["subject"] = name_of(rule.subject);
  j["verdict"] = verdict_name(rr.verdict);
  add_rule_settings(rule, j);
  const std::vector<std::string> columns =
      rule.disparity ? std::vector<std::string>{rule.sensitive} : split_segment_spec(rule.scope.segments);
  if (!rr.segment.empty()) j["segment"] = value_json(columns, rr.segment);
  const ojson subject = estimate_json(rr.subject, rr.n);
  j["estimate"] = subject["estimate"];
  j["ci"] = subject["ci"];
  j["n"] = rr.n;
  if (!rule.drift) {
    j["champion"] = estimate_json(rr.champion, rr.n);
    j["challenger"] = estimate_json(rr.challenger, rr.n);
  }
  j["reason"] = rr.reason;
  if (rr.next_step) j["next_step"] = next_step_json(*rr.next_step);
  if (!rr.parts.empty()) {
    ojson parts = ojson::array();
    for (const PartVerdict& part : rr.parts) parts.push_back(part_json(columns, part));
    j[rule.disparity ? "groups" : "segments"] = parts;
  }
  return j;
}

ojson rules_json(const Evaluation& ev) {
  ojson rules = ojson::array();
  for (const RuleResult& rr : ev.rules) rules.push_back(rule_json(rr));
  return rules;
}

ojson run_json(const Evaluation& ev) {
  ojson run;
  run["started_at"] = ev.run.started_at;
  run["seconds"] = ev.run.seconds;
  run["threads"] = ev.run.threads;
  return run;
}

}  // namespace

// The report's sections, in the order it reads.
ojson report_json(const Evaluation& ev) {
  const Policy& p = ev.policy;
  ojson r;
  r["referee_version"] = REFEREE_VERSION_STRING;
  r["verdict"] = verdict_name(ev.verdict);
  r["passed"] = ev.passed;
  r["policy_sha256"] = p.sha256;
  r["policy"] = ojson::parse(p.source.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  r["data"] = data_json(ev);
  r["bootstrap"] = bootstrap_json(ev);
  r["task"] = task_name(p.task);
  if (task_definition(p.task).threshold) r["threshold"] = p.threshold;
  r["metrics"] = metrics_json(ev);
  if (ev.confusion) r["confusion_matrix"] = confusion_json(*ev.confusion);
  if (!ev.segments.empty()) r["segments"] = segments_json(ev);
  if (!ev.fairness.empty()) r["fairness"] = fairness_json(ev);
  if (!ev.budgets.figures.empty()) r["budgets"] = budgets_json(ev);
  if (ev.drift.enabled) r["drift"] = drift_json(ev);
  r["rules"] = rules_json(ev);
  r["run"] = run_json(ev);
  return r;
}

// Invalid UTF-8 (which the readers refuse, but a caller's own Evaluation may carry) becomes
// U+FFFD instead of an exception: a report is always valid JSON.
std::string report_text(const Evaluation& ev) {
  return report_json(ev).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void write_report(const Evaluation& ev, const std::filesystem::path& path) {
  write_file_atomically(path, report_text(ev));
}

}  // namespace referee
