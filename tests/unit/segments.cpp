// Segments in the one pass: a segment's figures must be exactly what a separate
// evaluation of the segment's rows gives, and the awkward segments (one class, one row,
// an intersection) must come out undefined-with-a-reason or insufficient, never NaN.

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <referee/evaluate.hpp>
#include <referee/render.hpp>

#include "test_support.hpp"

using namespace referee;

namespace {

struct SegmentedSample {
  std::vector<double> y, a, b, w;
  std::vector<std::string> cluster, region, channel;
};

SegmentedSample simulate_segments(std::size_t n, std::uint64_t seed, Task task) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_int_distribution<int> pick(0, 99);
  SegmentedSample s;
  const char* regions[] = {"north", "south", "west"};
  const char* channels[] = {"web", "branch"};
  for (std::size_t i = 0; i < n; ++i) {
    const int r = pick(rng) % 3;
    const double noise_a = normal(rng), noise_b = normal(rng);
    if (task == Task::binary) {
      const double y = pick(rng) < 35 ? 1.0 : 0.0;
      s.y.push_back(y);
      // Rounded scores make ties, inside and across segments.
      s.a.push_back(std::round(100.0 / (1.0 + std::exp(-(noise_a + y - 0.5)))) / 100.0);
      s.b.push_back(std::round(100.0 / (1.0 + std::exp(-(noise_b + (r == 2 ? 0.2 : 1.5) * y - 0.5)))) / 100.0);
    } else {
      const double y = 10.0 + 3.0 * normal(rng);
      s.y.push_back(y);
      s.a.push_back(y + noise_a);
      s.b.push_back(y + (r == 2 ? 2.0 : 0.5) * noise_b);
    }
    s.w.push_back(1.0 + static_cast<double>(i % 2));
    s.cluster.push_back("k" + std::to_string(i / 2));
    s.region.push_back(regions[r]);
    s.channel.push_back(channels[pick(rng) % 2]);
  }
  return s;
}

Table table_of(const SegmentedSample& s, const std::vector<std::size_t>& rows, bool with_segments) {
  std::vector<double> y, a, b, w;
  std::vector<std::string> cluster, region, channel;
  for (std::size_t r : rows) {
    y.push_back(s.y[r]);
    a.push_back(s.a[r]);
    b.push_back(s.b[r]);
    w.push_back(s.w[r]);
    cluster.push_back(s.cluster[r]);
    region.push_back(s.region[r]);
    channel.push_back(s.channel[r]);
  }
  Table t = owned_table(y, a, b, w, cluster, {"y", "a", "b", "w", "c"});
  if (with_segments) {
    for (auto [name, values] : {std::pair{"region", &region}, std::pair{"channel", &channel}}) {
      const EncodedText encoded = encode_text(*values);
      add_categorical(t, name, encoded.codes, encoded.dictionary);
    }
  }
  return t;
}

Policy segment_policy(Task task, bool with_segments, const std::string& extra_rules = "") {
  const std::string metric = task == Task::binary ? "roc_auc" : "mae";
  return parse_policy_text(std::string(R"({"version": 1, "task": ")") + std::string(task_name(task)) + R"(",
    "columns": {"label": "y", "champion": "a", "challenger": "b", "weight": "w", "cluster": "c")" +
                           (with_segments ? R"(, "segments": ["region", "region*channel"])" : "") + R"(},
    "segments_min": {"rows": 5)" + (task == Task::binary ? R"(, "positives": 1)" : "") + R"(},
    "bootstrap": {"resamples": 300, "interval": "percentile", "seed": 5},
    "rules": [{"id": "m", "metric": ")" + metric + R"(", "subject": "delta", "min": -1})" + extra_rules + "]}");
}

// `exact`: bit for bit. r2 is the exception: its sums are centred on the whole table's
// label mean, a separate run centres on the segment's, so the last bits may differ.
void check_same(const Estimate& got, const Estimate& want, const std::string& what, bool exact) {
  INFO(what);
  REQUIRE(got.point.defined == want.point.defined);
  if (!got.point.defined) return;
  const auto same = [&](double x, double y) {
    if (exact) CHECK(x == y);
    else CHECK(x == doctest::Approx(y).epsilon(1e-12));
  };
  same(got.point.value, want.point.value);
  REQUIRE(got.ci.defined == want.ci.defined);
  if (got.ci.defined) {
    same(got.ci.lo, want.ci.lo);
    same(got.ci.hi, want.ci.hi);
  }
}

// Clusters give rows keys that do not depend on position, so a segment evaluated inside
// the whole table and on its own draws the same resampling weights: every figure must
// agree to the last bit.
void segment_equals_subset(Task task) {
  const SegmentedSample s = simulate_segments(900, 17, task);
  std::vector<std::size_t> all(s.y.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  Table whole = table_of(s, all, true);
  validate_table(whole, task);
  const Evaluation ev = evaluate(whole, segment_policy(task, true), {.threads = 2});
  REQUIRE(ev.segments.size() == 2);
  const auto metrics = task_metrics(task);
  for (const SegmentTable& t : ev.segments) {
    for (const SegmentResult& seg : t.segments) {
      std::vector<std::size_t> rows;
      for (std::size_t r = 0; r < s.y.size(); ++r) {
        bool match = s.region[r] == seg.value[0];
        if (t.columns.size() == 2) match = match && s.channel[r] == seg.value[1];
        if (match) rows.push_back(r);
      }
      CHECK(seg.rows == rows.size());
      Table part = table_of(s, rows, false);
      const Evaluation alone = evaluate(part, segment_policy(task, false), {.threads = 1});
      for (std::size_t k = 0; k < metrics.size(); ++k)
        for (std::size_t subject = 0; subject < 4; ++subject)
          check_same(seg.metrics[subject][k], alone.metrics[subject][k],
                     t.name + "=" + seg.value[0] + " " + std::string(metrics[k].name) + " subject " +
                         std::to_string(subject),
                     metrics[k].id != Metric::r2);
    }
  }
}

}  // namespace

TEST_CASE("a segment's estimates and CIs equal a separate evaluation of its rows (binary)") {
  segment_equals_subset(Task::binary);
}

TEST_CASE("a segment's estimates and CIs equal a separate evaluation of its rows (regression)") {
  segment_equals_subset(Task::regression);
}

TEST_CASE("segments are ordered by value, and intersections list observed combinations only") {
  const SegmentedSample s = simulate_segments(300, 3, Task::binary);
  std::vector<std::size_t> all(s.y.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  Table t = table_of(s, all, true);
  const Evaluation ev = evaluate(t, segment_policy(Task::binary, true), {.threads = 1});
  REQUIRE(ev.segments[0].segments.size() == 3);
  CHECK(ev.segments[0].segments[0].value == std::vector<std::string>{"north"});
  CHECK(ev.segments[0].segments[2].value == std::vector<std::string>{"west"});
  CHECK(ev.segments[1].name == "region*channel");
  CHECK(ev.segments[1].segments.size() == 6);
  CHECK(ev.segments[1].segments[0].value == std::vector<std::string>{"north", "branch"});
}

TEST_CASE("a one-class segment, a one-row segment: undefined with reasons, insufficient, no NaN") {
  // Segment "solo" has one row; segment "neg" has no positive labels.
  std::vector<double> y{1, 0, 1, 0, 1, 0, 0, 0, 0, 1}, a{.9, .2, .8, .3, .7, .1, .4, .3, .2, .6},
      b{.8, .1, .9, .2, .6, .3, .5, .2, .1, .7};
  Table t = owned_table(y, a, b, {}, {}, {"y", "a", "b", "", ""});
  const std::vector<std::string> dictionary{"mixed", "neg", "solo"};
  add_categorical(t, "seg", std::vector<std::uint32_t>{0, 0, 0, 0, 0, 1, 1, 1, 1, 2}, dictionary);
  const Policy p = parse_policy_text(R"({"version": 1, "task": "binary",
    "columns": {"label": "y", "champion": "a", "challenger": "b", "segments": ["seg"]},
    "segments_min": {"rows": 2, "positives": 1},
    "bootstrap": {"resamples": 200, "seed": 1},
    "rules": [{"id": "each", "metric": "roc_auc", "subject": "delta", "min": -0.5, "scope": {"each_segment": "seg"}},
              {"id": "solo", "metric": "accuracy", "subject": "challenger", "min": 0, "scope": {"segment": {"seg": "solo"}},
               "on_insufficient": "skip"},
              {"id": "absent", "metric": "accuracy", "subject": "challenger", "min": 0, "scope": {"segment": {"seg": "nowhere"}}}]})");
  const Evaluation ev = evaluate(t, p, {.threads = 1});
  const auto& segs = ev.segments[0].segments;
  REQUIRE(segs.size() == 3);
  CHECK(segs[1].value[0] == "neg");
  CHECK_FALSE(segs[1].sufficient);
  CHECK(segs[1].insufficient_reason.find("positive labels") != std::string::npos);
  const auto auc = static_cast<std::size_t>(Metric::roc_auc);
  CHECK_FALSE(segs[1].metrics[1][auc].point.defined);
  CHECK(std::string(segs[1].metrics[1][auc].point.reason) == "only one class present");
  CHECK_FALSE(segs[2].sufficient);
  CHECK(segs[2].insufficient_reason.find("1 rows") != std::string::npos);

  // each_segment with the default on_insufficient: the unjudgeable segments make it inconclusive.
  CHECK(ev.rules[0].verdict == Verdict::inconclusive);
  CHECK(ev.rules[0].parts.size() == 3);
  CHECK(ev.rules[0].parts[1].insufficient);
  // skip: nothing left to judge, so the rule is skipped, not passed silently.
  CHECK(ev.rules[1].verdict == Verdict::skipped);
  CHECK(verdict_passes(ev.rules[1].verdict));
  CHECK(ev.rules[1].reason.find("skipped") != std::string::npos);
  // A value absent from the data is insufficient (0 rows), inconclusive by default.
  CHECK(ev.rules[2].verdict == Verdict::inconclusive);
  CHECK(ev.rules[2].reason.find("no rows") != std::string::npos);

  const std::string text = report_text(ev);
  CHECK(text.find("NaN") == std::string::npos);
  CHECK(text.find("\"SKIPPED\"") != std::string::npos);
}

TEST_CASE("the segment report is identical for 1 and 2 threads and for shuffled rows") {
  const SegmentedSample s = simulate_segments(400, 9, Task::binary);
  std::vector<std::size_t> rows(s.y.size());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  const std::string extra = R"(, {"id": "each", "metric": "roc_auc", "subject": "delta", "min": -0.02,
      "scope": {"each_segment": "region"}, "correction": "holm"})";
  Table t = table_of(s, rows, true);
  auto strip_run = [](nlohmann::ordered_json j) {
    j.erase("run");
    j["data"].erase("sha256");
    return j.dump();
  };
  const auto one = strip_run(report_json(evaluate(t, segment_policy(Task::binary, true, extra), {.threads = 1})));
  const auto two = strip_run(report_json(evaluate(t, segment_policy(Task::binary, true, extra), {.threads = 2})));
  CHECK(one == two);
  std::mt19937_64 rng(4);
  std::shuffle(rows.begin(), rows.end(), rng);
  Table shuffled = table_of(s, rows, true);
  CHECK(strip_run(report_json(evaluate(shuffled, segment_policy(Task::binary, true, extra), {.threads = 2}))) == one);
}

TEST_CASE("each_segment fails on the one segment the challenger loses, and names it") {
  const SegmentedSample s = simulate_segments(3000, 21, Task::binary);
  std::vector<std::size_t> rows(s.y.size());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  Table t = table_of(s, rows, true);
  for (const char* correction : {"none", "bonferroni", "holm"}) {
    const std::string extra = std::string(R"(, {"id": "each", "metric": "roc_auc", "subject": "delta", "min": -0.02,
        "scope": {"each_segment": "region"}, "correction": ")") + correction + R"("})";
    const Evaluation ev = evaluate(t, segment_policy(Task::binary, true, extra), {.threads = 2});
    INFO(correction);
    const RuleResult& r = ev.rules[1];
    CHECK(r.verdict == Verdict::fail);
    CHECK(r.segment == std::vector<std::string>{"west"});
    CHECK(r.reason.find("west") != std::string::npos);
    CHECK(ev.verdict == Verdict::fail);
    for (const PartVerdict& part : r.parts)
      CHECK((part.value[0] == "west") == (part.verdict == Verdict::fail));
  }
}

TEST_CASE("Bonferroni widens each segment's interval to confidence 1 - alpha / K") {
  const SegmentedSample s = simulate_segments(1200, 5, Task::binary);
  std::vector<std::size_t> rows(s.y.size());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  Table t = table_of(s, rows, true);
  const std::string extra = R"(, {"id": "each", "metric": "roc_auc", "subject": "delta", "min": -0.02,
      "scope": {"each_segment": "region"}, "correction": "bonferroni"})";
  const Evaluation ev = evaluate(t, segment_policy(Task::binary, true, extra), {.threads = 2});
  const auto auc = static_cast<std::size_t>(Metric::roc_auc);
  for (std::size_t j = 0; j < 3; ++j) {
    const PartVerdict& part = ev.rules[1].parts[j];
    REQUIRE(part.decision_confidence);
    CHECK(*part.decision_confidence == doctest::Approx(1.0 - 0.05 / 3.0));
    const Estimate& unadjusted = ev.segments[0].segments[j].metrics[2][auc];
    CHECK(part.subject.ci.lo <= unadjusted.ci.lo);
    CHECK(part.subject.ci.hi >= unadjusted.ci.hi);
  }
}

TEST_CASE("a group without the champion's positive predictions: undefined for it, defined for the challenger") {
  // Group "b": the champion scores every row below the threshold; the challenger does not.
  std::vector<double> y{1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0},
      a{.9, .2, .8, .6, .7, .1, .3, .2, .4, .1, .45, .3},
      b{.8, .3, .9, .4, .6, .2, .8, .3, .7, .2, .9, .1};
  Table t = owned_table(y, a, b, {}, {}, {"y", "a", "b", "", ""});
  add_categorical(t, "g", std::vector<std::uint32_t>{0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1},
                  std::vector<std::string>{"a", "b"});
  const Policy p = parse_policy_text(R"({"version": 1, "task": "binary",
    "columns": {"label": "y", "champion": "a", "challenger": "b", "segments": ["g"], "sensitive": ["g"]},
    "segments_min": {"rows": 1, "positives": 1},
    "bootstrap": {"resamples": 200, "seed": 2},
    "rules": [{"id": "pp", "metric": "predictive_parity_difference", "sensitive": "g", "subject": "delta", "max": 0.1},
              {"id": "prec", "metric": "precision", "subject": "delta", "min": -0.1, "scope": {"segment": {"g": "b"}}}]})");
  const Evaluation ev = evaluate(t, p, {.threads = 1});
  const auto precision = static_cast<std::size_t>(Metric::precision);
  const SegmentResult& group_b = ev.segments[0].segments[1];
  CHECK_FALSE(group_b.metrics[0][precision].point.defined);
  CHECK(std::string(group_b.metrics[0][precision].point.reason) == "no predicted positives");
  CHECK(group_b.metrics[1][precision].point.defined);
  CHECK(group_b.metrics[1][precision].point.value == doctest::Approx(1.0));
  CHECK_FALSE(group_b.metrics[2][precision].point.defined);  // the delta says why
  CHECK(std::string(group_b.metrics[2][precision].point.reason) == "no predicted positives");
  const auto pp = static_cast<std::size_t>(Disparity::predictive_parity_difference);
  const FairnessTable& f = ev.fairness[0];
  CHECK_FALSE(f.disparities[0][pp].point.defined);
  CHECK(f.disparities[1][pp].point.defined);
  CHECK_FALSE(f.groups[1].rates[0][static_cast<std::size_t>(GroupRate::precision)].point.defined);
  // Both rules are judged on undefined figures: inconclusive, with the reason, never a crash.
  CHECK(ev.rules[0].verdict == Verdict::inconclusive);
  CHECK(ev.rules[0].reason.find("undefined") != std::string::npos);
  CHECK(ev.rules[1].verdict == Verdict::inconclusive);
}
