#include <referee/evaluate.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <thread>

#include <referee/error.hpp>
#include <referee/replicate_engine.hpp>

namespace referee {

std::string_view verdict_name(Verdict v) {
  constexpr std::array<std::string_view, 4> names{"PASS", "WARN", "FAIL", "INCONCLUSIVE"};
  return names[static_cast<std::size_t>(v)];
}

namespace {

std::string number_text(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", v);
  return buffer;
}

std::string bounds_text(const Rule& rule) {
  if (rule.min && rule.max) return "[" + number_text(*rule.min) + ", " + number_text(*rule.max) + "]";
  return rule.min ? ">= " + number_text(*rule.min) : "<= " + number_text(*rule.max);
}

bool within(const Rule& rule, double v) {
  return (!rule.min || v >= *rule.min) && (!rule.max || v <= *rule.max);
}

}  // namespace

RuleDecision decide_rule(const Rule& rule, const Estimate& e) {
  if (!e.point.defined)
    return {Verdict::inconclusive, "the estimate is undefined: " + std::string(e.point.reason)};
  const std::string bounds = bounds_text(rule);
  if (rule.decide_on == DecideOn::point) {
    const bool ok = within(rule, e.point.value);
    return {ok ? Verdict::pass : Verdict::fail,
            "estimate " + number_text(e.point.value) + (ok ? " meets " : " breaks ") + bounds};
  }
  if (!e.ci.defined) return {Verdict::inconclusive, "no confidence interval: " + e.ci.reason};
  const double lo = e.ci.lo, hi = e.ci.hi;
  const std::string ci = "CI [" + number_text(lo) + ", " + number_text(hi) + "]";
  if (within(rule, lo) && within(rule, hi)) return {Verdict::pass, ci + " lies within " + bounds};
  const bool below_min = rule.min && hi < *rule.min;
  const bool above_max = rule.max && lo > *rule.max;
  if (below_min || above_max) return {Verdict::fail, ci + " lies entirely outside " + bounds};
  return {Verdict::inconclusive, ci + " straddles " + bounds};
}

Verdict overall_verdict(std::span<const RuleOutcome> rules, OnInconclusive on_inconclusive) {
  bool block_fail = false, block_inconclusive = false, warn = false;
  for (const RuleOutcome& r : rules) {
    if (r.verdict == Verdict::pass) continue;
    if (r.severity == Severity::warn) {
      warn = true;
    } else if (r.verdict == Verdict::fail) {
      block_fail = true;
    } else {
      block_inconclusive = true;
    }
  }
  if (block_fail) return Verdict::fail;
  if (block_inconclusive && on_inconclusive == OnInconclusive::fail) return Verdict::inconclusive;
  if (warn || (block_inconclusive && on_inconclusive == OnInconclusive::warn)) return Verdict::warn;
  return Verdict::pass;
}

namespace {

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> column(const ReplicateMatrix& m, std::size_t c) {
  std::vector<double> out(static_cast<std::size_t>(m.rows()));
  for (Eigen::Index r = 0; r < m.rows(); ++r) out[static_cast<std::size_t>(r)] = m(r, static_cast<Eigen::Index>(c));
  return out;
}

// Paired: delta_b uses the same resample b for both models, so the interval of the
// difference carries their correlation.
std::vector<double> derive(const std::vector<double>& champion, const std::vector<double>& challenger,
                           Subject subject) {
  std::vector<double> out(champion.size());
  for (std::size_t b = 0; b < out.size(); ++b) {
    const double delta = challenger[b] - champion[b];
    out[b] = subject == Subject::delta ? delta
             : champion[b] != 0.0      ? delta / std::abs(champion[b])
                                       : kNaN;
  }
  return out;
}

MetricValue derive_point(MetricValue champion, MetricValue challenger, Subject subject) {
  if (!champion.defined) return MetricValue::undefined(champion.reason);
  if (!challenger.defined) return MetricValue::undefined(challenger.reason);
  const double delta = challenger.value - champion.value;
  if (subject == Subject::delta) return MetricValue::of(delta);
  if (champion.value == 0.0)
    return MetricValue::undefined("the champion's value is 0, so a relative delta is undefined");
  return MetricValue::of(delta / std::abs(champion.value));
}

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

  PairedColumns columns{policy.task,      table.label,      table.champion, table.challenger,
                        table.weight,     policy.threshold, table.units()};
  if (!table.clustered()) columns.units.unit_count = table.rows;
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
  const std::size_t M = engine.metric_count();

  for (std::size_t k = 0; k < M; ++k) {
    const std::array<std::vector<double>, 2> boot{column(results.bootstrap, k),
                                                  column(results.bootstrap, M + k)};
    const std::array<std::vector<double>, 2> jack{column(results.jackknife, k),
                                                  column(results.jackknife, M + k)};
    const std::array<MetricValue, 2> point{results.point[0][k], results.point[1][k]};
    for (std::size_t s = 0; s < 4; ++s) {
      const auto subject = static_cast<Subject>(s);
      const bool single = s < 2;
      ev.metrics[s].push_back(estimate_from_replicates(
          single ? point[s] : derive_point(point[0], point[1], subject),
          single ? boot[s] : derive(boot[0], boot[1], subject),
          single ? jack[s] : derive(jack[0], jack[1], subject), ev.bootstrap.interval,
          ev.bootstrap.confidence));
    }
  }

  std::vector<RuleOutcome> outcomes;
  const auto metrics = task_metrics(policy.task);
  for (const Rule& rule : policy.rules) {
    const auto k = static_cast<std::size_t>(
        std::find_if(metrics.begin(), metrics.end(), [&](const MetricInfo& i) { return i.id == rule.metric; }) -
        metrics.begin());
    RuleResult r;
    r.rule = rule;
    r.subject = ev.metrics[static_cast<std::size_t>(rule.subject)][k];
    r.champion = ev.metrics[0][k];
    r.challenger = ev.metrics[1][k];
    RuleDecision d = decide_rule(rule, r.subject);
    r.verdict = d.verdict;
    r.reason = std::move(d.reason);
    outcomes.push_back({rule.severity, r.verdict});
    ev.rules.push_back(std::move(r));
  }
  ev.verdict = overall_verdict(outcomes, policy.on_inconclusive);
  ev.passed = verdict_passes(ev.verdict);
  ev.run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count();
  return ev;
}

}  // namespace referee
