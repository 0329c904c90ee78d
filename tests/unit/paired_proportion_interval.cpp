// Tango's score interval for a paired difference of proportions, the discordant-row
// diagnostic, and the interval a rule on such a delta judges (issue 18, parts 1 and 2).
//
// Published worked examples (the outside oracle):
// - Bentur et al. (2009), airway hyper-responsiveness before and after stem cell
//   transplantation: n11 = 1, n12 = 1, n21 = 7, n22 = 12 (N = 21). Fagerland, Lydersen &
//   Laake (2014), "Recommended tests and confidence intervals for paired binomial
//   proportions", Stat Methods Med Res 23(4):1-22, Table II (data) and Table V: Tango
//   asymptotic score 95% CI -0.517 to -0.026 for (n12 - n21) / N = -0.2857.
// - Cavo et al. (2012), complete response before and after consolidation therapy:
//   n11 = 59, n12 = 6, n21 = 16, n22 = 80 (N = 161). Fagerland, Lydersen & Laake (2017),
//   Statistical Analysis of Contingency Tables, chapter 8; the R package contingencytables
//   prints "Tango asymptotic score CI: estimate = -0.0621 (95% CI -0.1240 to -0.0054)"
//   (its test file tests/testthat/test-chapter08.R).
// In referee's terms n12 (first only) is the challenger-only cell b and n21 the
// champion-only cell c, so delta = (b - c) / N.

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <referee/error.hpp>
#include <referee/evaluate.hpp>
#include <referee/policy.hpp>
#include <referee/render.hpp>

#include "budget/budget.hpp"
#include "estimate/discreteness.hpp"
#include "estimate/paired_proportion_choice.hpp"
#include "estimate/paired_proportion_interval.hpp"
#include "render/presentation.hpp"

using namespace referee;

namespace {

constexpr double kZ95 = 1.959963984540054;  // scipy.stats.norm.ppf(0.975)

}  // namespace

TEST_CASE("Tango's interval reproduces the published examples") {
  const Interval bentur = tango_score_interval({1.0, 7.0, 21.0}, 0.95);
  REQUIRE(bentur.defined);
  CHECK(bentur.lo == doctest::Approx(-0.517).epsilon(0.0005 / 0.517));
  CHECK(bentur.hi == doctest::Approx(-0.026).epsilon(0.0005 / 0.026));
  CHECK(std::round(bentur.lo * 1000) / 1000 == -0.517);
  CHECK(std::round(bentur.hi * 1000) / 1000 == -0.026);

  const Interval cavo = tango_score_interval({6.0, 16.0, 161.0}, 0.95);
  REQUIRE(cavo.defined);
  CHECK(std::round(cavo.lo * 10000) / 10000 == -0.1240);
  CHECK(std::round(cavo.hi * 10000) / 10000 == -0.0054);
  // The statistic is +-z at the limits (the definition the interval inverts).
  CHECK(tango_statistic({6.0, 16.0, 161.0}, cavo.lo) == doctest::Approx(kZ95).epsilon(1e-9));
  CHECK(tango_statistic({6.0, 16.0, 161.0}, cavo.hi) == doctest::Approx(-kZ95).epsilon(1e-9));
}

TEST_CASE("no discordant rows: the closed form +-z^2 / (N + z^2), not a point") {
  // With b = c = 0, T(d) = -sign(d) sqrt(N |d| / (1 - |d|)), so |T| = z at |d| = z^2 / (N + z^2).
  for (double n : {21.0, 500.0, 5000.0}) {
    const Interval ci = tango_score_interval({0.0, 0.0, n}, 0.95);
    const double half = kZ95 * kZ95 / (n + kZ95 * kZ95);
    CHECK(ci.lo == doctest::Approx(-half).epsilon(1e-9));
    CHECK(ci.hi == doctest::Approx(half).epsilon(1e-9));
  }
  // Every pair discordant one way: the estimate is 1 and so is the upper limit.
  const Interval all = tango_score_interval({5.0, 0.0, 5.0}, 0.95);
  CHECK(all.hi == doctest::Approx(1.0));
  CHECK(all.lo > 0.0);
  CHECK_FALSE(tango_score_interval({0.0, 0.0, 0.0}, 0.95).defined);
}

TEST_CASE("discordant cells per proportion, with Kish effective counts") {
  // rows: label, champion, challenger (threshold 0.5)
  const std::vector<double> y{1, 1, 1, 0, 0, 0, 0, 1};
  const std::vector<double> a{.9, .2, .8, .7, .1, .6, .3, .9};  // champion predicts 1 0 1 1 0 1 0 1
  const std::vector<double> b{.9, .8, .3, .2, .1, .7, .9, .9};  // challenger    1 1 0 0 0 1 1 1
  const PairedRows rows{y, a, b, {}, 0.5};
  const auto cells = paired_proportion_cells(rows, {}, 1);
  // accuracy: challenger only correct on rows 1 and 3; champion only on rows 2 and 6.
  CHECK(cells[0][0].challenger_only.rows == 2);
  CHECK(cells[0][0].champion_only.rows == 2);
  CHECK(cells[0][0].denominator.rows == 8);
  // recall (positives 0, 1, 2, 7): challenger only predicts 1 on row 1, champion only on row 2.
  CHECK(cells[0][1].denominator.rows == 4);
  CHECK(cells[0][1].challenger_only.rows == 1);
  CHECK(cells[0][1].champion_only.rows == 1);
  // specificity (negatives 3..6): challenger only predicts 0 on row 3; champion only on row 6.
  CHECK(cells[0][2].challenger_only.rows == 1);
  CHECK(cells[0][2].champion_only.rows == 1);
  // fpr is specificity's complement: its cells swap.
  CHECK(cells[0][3].challenger_only.rows == 1);
  CHECK(cells[0][3].champion_only.rows == 1);

  // Equal weights change nothing; unequal ones shrink the effective counts.
  const std::vector<double> twos(8, 2.0), w{1, 3, 1, 1, 1, 1, 1, 1};
  const auto doubled = paired_proportion_cells({y, a, b, twos, 0.5}, {}, 1);
  const PairedDiscordance even = tango_counts(doubled[0][0], true);
  CHECK(even.n == doctest::Approx(8.0));
  CHECK(even.challenger_only == doctest::Approx(2.0));
  const auto uneven = paired_proportion_cells({y, a, b, w, 0.5}, {}, 1);
  CHECK(uneven[0][0].denominator.effective() == doctest::Approx(100.0 / 16.0));  // (10)^2 / 16
  CHECK(uneven[0][0].discordant().effective() == doctest::Approx(36.0 / 12.0));  // (1+3+1+1)^2 / 12

  // Per group of a grouping.
  const std::vector<std::uint32_t> group{0, 0, 0, 0, 1, 1, 1, 1};
  const auto by_group = paired_proportion_cells(rows, group, 2);
  CHECK(by_group[0][0].challenger_only.rows + by_group[1][0].challenger_only.rows == 2);
  CHECK(by_group[1][0].champion_only.rows == 1);
}

namespace {

Estimate bootstrap_delta() {
  Estimate e;
  e.point = MetricValue::of(-6.0 / 21.0);
  e.ci = Interval::of(-0.5, -0.1);
  e.distinct_replicates = 500;
  return e;
}

ProportionCells bentur_cells() {
  ProportionCells c;
  for (int i = 0; i < 21; ++i) c.denominator.add(1.0);
  c.challenger_only.add(1.0);
  for (int i = 0; i < 7; ++i) c.champion_only.add(1.0);
  return c;
}

}  // namespace

TEST_CASE("the choice: few discordant rows get the score interval, marked with their count") {
  PairedIntervalSettings s;
  Estimate e = bootstrap_delta();
  choose_paired_proportion_interval(e, bentur_cells(), s);
  CHECK(e.interval_method == "tango_score");
  CHECK(e.interval_reason == "8 discordant rows");
  CHECK(std::round(e.ci.lo * 1000) / 1000 == -0.517);
  REQUIRE(e.discordant);
  CHECK(e.discordant->champion_only == 7);

  // Clustered rows: the score interval is refused, the bootstrap's stands, marked.
  s.clustered = true;
  e = bootstrap_delta();
  choose_paired_proportion_interval(e, bentur_cells(), s);
  CHECK(e.interval_method == "bca");
  CHECK(e.ci.lo == -0.5);
  CHECK(e.interval_reason.find("8 discordant rows; the rows are clustered") == 0);

  // "bootstrap": kept, marked; "score": used even with many discordant rows.
  s = {};
  s.mode = PairedProportionInterval::bootstrap;
  e = bootstrap_delta();
  choose_paired_proportion_interval(e, bentur_cells(), s);
  CHECK(e.ci.lo == -0.5);
  CHECK(e.interval_reason.find("8 discordant rows; the bootstrap interval stands") == 0);

  ProportionCells many = bentur_cells();
  for (int i = 0; i < 30; ++i) many.challenger_only.add(1.0), many.denominator.add(1.0);
  s.mode = PairedProportionInterval::automatic;
  e = bootstrap_delta();
  choose_paired_proportion_interval(e, many, s);
  CHECK(e.interval_method.empty());
  CHECK(e.ci.lo == -0.5);
  s.mode = PairedProportionInterval::score;
  choose_paired_proportion_interval(e, many, s);
  CHECK(e.interval_method == "tango_score");
  CHECK(e.interval_reason == "requested by bootstrap.paired_proportions \"score\"");
}

TEST_CASE("the option is parsed strictly and named in the report") {
  const std::string head = R"({"version": 1, "task": "binary",
    "columns": {"label": "y", "champion": "a", "challenger": "b"}, "bootstrap": {"paired_proportions": )";
  const std::string tail = R"(}, "rules": [{"id": "r", "metric": "accuracy", "subject": "delta", "min": -0.01}]})";
  CHECK(parse_policy_text(head + R"("score")" + tail).bootstrap.paired_proportions == PairedProportionInterval::score);
  CHECK(parse_policy_text(head + R"("auto")" + tail).bootstrap.paired_proportions ==
        PairedProportionInterval::automatic);
  CHECK_THROWS_AS(parse_policy_text(head + R"("tango")" + tail), PolicyError);
}

namespace {

// Rare events: 1000 rows, 20 positives, the models disagree on 5 rows.
Table rare_event_table(std::vector<double>* weight = nullptr) {
  std::vector<double> y(1000, 0.0), a(1000, 0.1), b(1000, 0.1);
  for (int i = 0; i < 20; ++i) y[i] = 1.0, a[i] = b[i] = 0.9;
  a[0] = 0.2;                               // challenger only correct
  b[1] = b[2] = 0.2;                        // champion only correct
  a[500] = 0.7, b[501] = 0.7, b[502] = 0.7;  // false positives: 1 champion, 2 challenger
  return owned_table(y, a, b, weight ? *weight : std::vector<double>{}, {}, {"y", "a", "b", weight ? "w" : "", ""});
}

Policy rare_event_policy(const std::string& extra = "") {
  return parse_policy_text(R"({"version": 1, "task": "binary",
    "columns": {"label": "y", "champion": "a", "challenger": "b")" +
                           std::string(extra.empty() ? "" : R"(, "weight": "w")") + R"(},
    "bootstrap": {"resamples": 400, "seed": 3},
    "rules": [{"id": "acc", "metric": "accuracy", "subject": "delta", "min": -0.01}]})");
}

}  // namespace

TEST_CASE("a rule on a delta with few discordant rows judges the score interval the report shows") {
  const Evaluation ev = evaluate(rare_event_table(), rare_event_policy(), {.threads = 1});
  const auto k = static_cast<std::size_t>(Metric::accuracy);
  const Estimate& delta = ev.metrics[static_cast<std::size_t>(Subject::delta)][k];
  CHECK(delta.interval_method == "tango_score");
  CHECK(delta.interval_reason == "6 discordant rows");
  // b = 1 (row 0) + 1 (row 500), c = 2 (rows 1, 2) + 2 (rows 501, 502) of 1000
  const Interval expected = tango_score_interval({2.0, 4.0, 1000.0}, 0.95);
  CHECK(delta.ci.lo == expected.lo);
  CHECK(delta.ci.hi == expected.hi);
  REQUIRE(ev.rules.size() == 1);
  CHECK(ev.rules[0].subject.ci.lo == expected.lo);
  CHECK(ev.rules[0].subject.interval_method == "tango_score");
  const auto report = report_json(ev);
  const auto& json_delta = report["metrics"]["delta"]["accuracy"];
  CHECK(json_delta["interval_method"] == "tango_score");
  CHECK(json_delta["interval_reason"] == "6 discordant rows");
  CHECK(json_delta["discordant"]["champion_only"] == 4);
  CHECK(report["bootstrap"]["paired_proportions"] == "auto");
  CHECK(summary_text(ev).find("tango_score interval: 6 discordant rows") != std::string::npos);

  // Weighted rows: the score interval on effective counts, and the note says so.
  std::vector<double> w(1000, 1.0);
  w[0] = 4.0;
  const Evaluation weighted = evaluate(rare_event_table(&w), rare_event_policy("w"), {.threads = 1});
  const Estimate& wd = weighted.metrics[static_cast<std::size_t>(Subject::delta)][k];
  CHECK(wd.interval_method == "tango_score");
  CHECK(wd.interval_reason.find("6 discordant rows (") == 0);
  CHECK(wd.interval_reason.find("Kish effective counts") != std::string::npos);
}

TEST_CASE("each_segment with a correction judges the score interval at the corrected level") {
  // Two segments of the rare-event table (rows 0..999 and a copy): 6 discordant rows each.
  Table half = rare_event_table();
  std::vector<double> y, a, b;
  for (int copy = 0; copy < 2; ++copy)
    for (std::size_t r = 0; r < half.rows; ++r)
      y.push_back(half.label[r]), a.push_back(half.champion[r]), b.push_back(half.challenger[r]);
  Table t = owned_table(y, a, b, {}, {}, {"y", "a", "b", "", ""});
  std::vector<std::uint32_t> codes(2000, 0);
  std::fill(codes.begin() + 1000, codes.end(), 1u);
  const std::vector<std::string> dictionary{"east", "west"};
  add_categorical(t, "seg", codes, dictionary);
  for (const std::string correction : {"bonferroni", "holm"}) {
    const Policy p = parse_policy_text(R"({"version": 1, "task": "binary",
      "columns": {"label": "y", "champion": "a", "challenger": "b", "segments": ["seg"]},
      "bootstrap": {"resamples": 400, "seed": 3},
      "rules": [{"id": "acc", "metric": "accuracy", "subject": "delta", "min": -0.01,
                 "scope": {"each_segment": "seg"}, "correction": ")" + correction + R"("}]})");
    const Evaluation ev = evaluate(t, p, {.threads = 1});
    REQUIRE(ev.rules[0].parts.size() == 2);
    const PartVerdict& part = ev.rules[0].parts[0];
    CHECK(part.subject.interval_method == "tango_score");
    if (correction == "bonferroni") {
      const Interval expected = tango_score_interval({2.0, 4.0, 1000.0}, 1.0 - 0.05 / 2.0);
      CHECK(part.subject.ci.lo == expected.lo);
      CHECK(part.subject.ci.hi == expected.hi);
    } else {
      // The p-value of "the bound is met" is where Tango's interval at 1 - p touches -0.01:
      // T(-0.01) = z(1 - p/2), p = 2 (1 - Phi(T(-0.01))).
      const double t_bound = tango_statistic({2.0, 4.0, 1000.0}, -0.01);
      const double p_pass = std::erfc(t_bound / std::sqrt(2.0));
      REQUIRE(part.p_pass);
      CHECK(*part.p_pass == doctest::Approx(std::max(p_pass, 1.0 / 401.0)).epsilon(1e-6));
    }
  }
}

TEST_CASE("an INCONCLUSIVE rule on a score interval plans with that interval's width") {
  // No discordant rows at all: every bootstrap replicate of the delta is 0, yet the score
  // interval is +-z^2/(n + z^2), which straddles a bound of +0.001; the next step plans on it.
  std::vector<double> y(1000, 0.0), a(1000, 0.1);
  for (int i = 0; i < 20; ++i) y[i] = 1.0, a[i] = 0.9;
  Table t = owned_table(y, a, a, {}, {}, {"y", "a", "b", "", ""});
  const Policy p = parse_policy_text(R"({"version": 1, "task": "binary",
    "columns": {"label": "y", "champion": "a", "challenger": "b"},
    "bootstrap": {"resamples": 200, "seed": 3},
    "rules": [{"id": "acc", "metric": "accuracy", "subject": "delta", "min": 0.001}]})");
  const Evaluation ev = evaluate(t, p, {.threads = 1});
  const RuleResult& r = ev.rules[0];
  CHECK(r.subject.interval_reason == "0 discordant rows");
  const double half = kZ95 * kZ95 / (1000.0 + kZ95 * kZ95);
  CHECK(r.subject.ci.hi == doctest::Approx(half).epsilon(1e-9));
  CHECK(r.verdict == Verdict::inconclusive);
  CHECK(r.subject.standard_error == doctest::Approx(half / kZ95).epsilon(1e-9));
  REQUIRE(r.next_step);
  CHECK(r.next_step->margin == doctest::Approx(half).epsilon(1e-9));
}

TEST_CASE("the error-rate budget's delta is a paired proportion too") {
  // Champion errs on rows 0 and 1, the challenger on rows 1, 2 and 3: 3 discordant rows.
  std::vector<double> champion(1000, 0.0), challenger(1000, 0.0);
  champion[0] = champion[1] = 1.0;
  challenger[1] = challenger[2] = challenger[3] = 1.0;
  BudgetInputs in;
  in.error = {champion, challenger};
  in.rows = 1000;
  in.units = {{}, {}, 1000};
  BudgetBootstrap settings;
  settings.resamples = 200;
  const BudgetResults results = estimate_budgets(in, settings);
  const BudgetFigure* f = results.find(BudgetMetric::error_rate);
  REQUIRE(f);
  const Estimate& delta = f->subjects[2];
  CHECK(delta.point.value == doctest::Approx(0.001));
  CHECK(delta.interval_method == "tango_score");
  CHECK(delta.interval_reason == "3 discordant rows");
  CHECK(f->interval_kind[2] == "tango score");
  const Interval expected = tango_score_interval({2.0, 1.0, 1000.0}, 0.95);
  CHECK(delta.ci.lo == expected.lo);
  CHECK(delta.ci.hi == expected.hi);

  Evaluation ev;
  ev.budgets = results;
  CHECK(presentation::budget_note(ev, presentation::raw).find(
            "error rate delta: tango_score interval: 3 discordant rows") != std::string::npos);

  settings.paired_proportions = PairedProportionInterval::bootstrap;
  const BudgetResults bootstrap_only = estimate_budgets(in, settings);
  const BudgetFigure* kept = bootstrap_only.find(BudgetMetric::error_rate);
  REQUIRE(kept);
  CHECK(kept->interval_kind[2] == "paired percentile bootstrap");
  CHECK(kept->subjects[2].interval_reason.find("3 discordant rows; the bootstrap interval stands") == 0);
}

TEST_CASE("the outcome task's pass rate is a paired proportion without a label") {
  // 500 examples, pass mark 1: v1 passes on 0..399, v2 on 2..402 (2 + 3 discordant examples).
  std::vector<double> v1(500, 0.0), v2(500, 0.0);
  for (int i = 0; i < 400; ++i) v1[i] = 1.0;
  for (int i = 2; i < 403; ++i) v2[i] = 1.0;
  TableBuilder builder(500);
  builder.add_numeric("v1", v1);
  builder.add_numeric("v2", v2);
  const Table t = std::move(builder).build(role_columns("", "v1", "v2"), Task::outcome);
  const Policy p = parse_policy_text(R"({"version": 1, "task": "outcome", "threshold": 1,
    "columns": {"champion": "v1", "challenger": "v2"}, "bootstrap": {"resamples": 300, "seed": 9},
    "rules": [{"id": "success", "metric": "pass_rate", "subject": "delta", "min": -0.05}]})");
  const Evaluation ev = evaluate(t, p, {.threads = 1});
  const RuleResult& r = ev.rules[0];
  CHECK(r.subject.point.value == doctest::Approx(1.0 / 500.0));
  CHECK(r.subject.interval_method == "tango_score");
  CHECK(r.subject.interval_reason == "5 discordant rows");
  const Interval expected = tango_score_interval({3.0, 2.0, 500.0}, 0.95);
  CHECK(r.subject.ci.lo == expected.lo);
  CHECK(r.subject.ci.hi == expected.hi);
}
