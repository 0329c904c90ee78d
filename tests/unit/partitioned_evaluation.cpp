// The partitioned protocol end to end (include/referee/partitioned.hpp): facts, plan, the two
// ranked passes in two rounds, the rows pass, the finish. The report equals evaluate()'s on
// every row, byte for byte outside `run`, whatever the partition count and row order.

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <referee/error.hpp>
#include <referee/evaluate.hpp>
#include <referee/partitioned.hpp>
#include <referee/policy.hpp>
#include <referee/render.hpp>
#include <referee/table.hpp>

using namespace referee;

namespace {

struct Sample {
  std::vector<double> y, a, b, w;
  std::vector<std::string> id, cluster, region, group;
  std::array<std::vector<std::vector<double>>, 2> proba;  // multiclass: [model][class][row]
  std::map<std::string, std::vector<double>> serving;      // budgets: latency, cost, error columns by name
};

// Unrounded and tied scores, weights, clusters, a segment and a sensitive attribute.
Sample simulate(std::size_t n, std::size_t clusters, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_int_distribution<int> pick(0, 999);
  Sample s;
  for (std::size_t i = 0; i < n; ++i) {
    const double y = pick(rng) < 350 ? 1.0 : 0.0;
    double a = 1.0 / (1.0 + std::exp(-(normal(rng) + y - 0.5)));
    const double b = 1.0 / (1.0 + std::exp(-(normal(rng) + 1.4 * y - 0.7)));
    if (i % 5 == 0) a = std::round(a * 50.0) / 50.0;
    s.y.push_back(y);
    s.a.push_back(a);
    s.b.push_back(b);
    s.w.push_back(0.5 + (pick(rng) % 7) * 0.375);
    s.id.push_back("r" + std::to_string(i));
    s.cluster.push_back("c" + std::to_string(pick(rng) % clusters));
    s.region.push_back(std::string(1, static_cast<char>('a' + pick(rng) % 4)));
    s.group.push_back(pick(rng) % 3 == 0 ? "x" : "y");
  }
  return s;
}

// The multiclass task's label (text, the class index) and probability columns a_<k>, b_<k>.
void add_classes(TableBuilder& builder, const Sample& s, const std::vector<std::size_t>& rows) {
  std::vector<std::string> label;
  for (std::size_t r : rows) label.push_back(std::to_string(static_cast<int>(s.y[r])));
  const EncodedText encoded = encode_text(label);
  builder.add_text("y", encoded.codes, encoded.dictionary);
  for (std::size_t m = 0; m < 2; ++m)
    for (std::size_t k = 0; k < s.proba[m].size(); ++k) {
      std::vector<double> column;
      for (std::size_t r : rows) column.push_back(s.proba[m][k][r]);
      builder.add_numeric(std::string(m == 0 ? "a_" : "b_") + std::to_string(k), std::move(column));
    }
}

std::vector<std::string> class_header(const Sample& s) {
  std::vector<std::string> header;
  for (const char* prefix : {"a_", "b_"})
    for (std::size_t k = 0; k < s.proba[0].size(); ++k) header.push_back(prefix + std::to_string(k));
  return header;
}

Table table_of(const Sample& s, const std::vector<std::size_t>& rows, const ColumnNames& names,
               Task task = Task::binary) {
  std::vector<double> y, a, b, w;
  std::vector<std::string> id, cluster, region, group;
  for (std::size_t r : rows) {
    y.push_back(s.y[r]);
    a.push_back(s.a[r]);
    b.push_back(s.b[r]);
    w.push_back(s.w[r]);
    id.push_back(s.id[r]);
    cluster.push_back(s.cluster[r]);
    region.push_back(s.region[r]);
    group.push_back(s.group[r]);
  }
  TableBuilder builder(rows.size());
  if (task == Task::multiclass) {
    add_classes(builder, s, rows);
  } else {
    builder.add_numeric("y", std::move(y));
    builder.add_numeric("a", std::move(a));
    builder.add_numeric("b", std::move(b));
  }
  builder.add_numeric("w", std::move(w));
  for (const auto& [name, values] : s.serving) {
    std::vector<double> column;
    for (std::size_t r : rows) column.push_back(values[r]);
    builder.add_numeric(name, std::move(column));
  }
  for (auto [name, text] : {std::pair{"id", &id}, {"cust", &cluster}, {"region", &region}, {"grp", &group}}) {
    EncodedText e = encode_text(*text);
    builder.add_text(name, std::move(e.codes), std::move(e.dictionary));
  }
  if (task == Task::multiclass)
    return std::move(builder).build(resolve_class_columns(names, class_header(s), "memory"), task);
  return std::move(builder).build(names, task);
}

// Continuous labels with ties and zeros (mape's floor), two noisy predictions, weights,
// clusters and a segment: the regression task's rows.
Sample simulate_regression(std::size_t n, std::size_t clusters, std::uint64_t seed) {
  Sample s = simulate(n, clusters, seed);
  std::mt19937_64 rng(seed + 1);
  std::normal_distribution<double> normal;
  for (std::size_t i = 0; i < n; ++i) {
    double y = 20.0 + 7.0 * normal(rng);
    if (i % 7 == 0) y = std::round(y);
    if (i % 97 == 0) y = 0.0;
    s.y[i] = y;
    s.a[i] = y + 2.0 * normal(rng);
    s.b[i] = i % 11 == 0 ? s.a[i] : y + 1.7 * normal(rng) + 0.1;
  }
  return s;
}

Policy regression_policy(bool weighted, bool clustered, const char* interval) {
  return parse_policy_text(std::string(R"({"version": 1, "task": "regression",
    "columns": {"label": "y", "champion": "a", "challenger": "b", "id": "id", "segments": ["region"])") +
                           (weighted ? R"(, "weight": "w")" : "") + (clustered ? R"(, "cluster": "cust")" : "") +
                           R"(},
    "bootstrap": {"resamples": 130, "interval": ")" + interval + R"(", "seed": 5},
    "rules": [{"id": "rmse", "metric": "rmse", "subject": "delta", "max": 0.1},
              {"id": "r2", "metric": "r2", "subject": "challenger", "min": 0.1},
              {"id": "mape", "metric": "mape", "subject": "relative_delta", "max": 0.2},
              {"id": "seg", "metric": "mae", "subject": "delta", "scope": {"each_segment": "region"}, "max": 0.2}]})");
}

Policy policy_for(bool weighted, bool clustered, const char* interval) {
  return parse_policy_text(std::string(R"({"version": 1, "task": "binary",
    "columns": {"label": "y", "champion": "a", "challenger": "b", "id": "id",
                "segments": ["region"], "sensitive": ["grp"])") +
                           (weighted ? R"(, "weight": "w")" : "") + (clustered ? R"(, "cluster": "cust")" : "") +
                           R"(}, "threshold": 0.4,
    "bootstrap": {"resamples": 130, "interval": ")" + interval + R"(", "seed": 5},
    "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.05},
              {"id": "ap", "metric": "average_precision", "subject": "challenger", "min": 0.1},
              {"id": "acc", "metric": "accuracy", "subject": "delta", "min": -0.1},
              {"id": "seg", "metric": "roc_auc", "subject": "delta", "scope": {"each_segment": "region"}, "min": -0.2},
              {"id": "eo", "metric": "equalized_odds_difference", "sensitive": "grp", "subject": "challenger", "max": 0.5}]})");
}

std::string outside_run(const Evaluation& ev) {
  nlohmann::ordered_json j = report_json(ev);
  j.erase("run");
  return j.dump(1);
}

// evaluate() on every row in order, outside run: what every partitioning must give.
std::string whole_report(const Sample& s, const Policy& p) {
  std::vector<std::size_t> rows(s.y.size());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  return outside_run(evaluate(table_of(s, rows, p.columns, p.task), p, {.threads = 2}));
}

std::string partitioned_report(const Sample& s, const Policy& p, std::size_t parts, std::uint64_t seed);

// The partition counts each case checks: 1, 3, 16 and 64 in the Release build; under the
// sanitizers (an order of magnitude slower, and these cases were most of their CI stage)
// only 3, which still runs every step of the protocol (several partitions, aboves, merges in
// random order) for the sanitizers to watch, while the Release build checks every count.
// The large cases' rows follow suit: 70 000 (so 64 partitions each hold whole buckets) in
// the Release build, 12 000 under the sanitizers (still several buckets per partition, and
// more units than BCa's 256 key groups).
#if defined(__SANITIZE_ADDRESS__)
constexpr std::size_t kPartitionCounts[] = {3};
constexpr std::size_t kLargeRows = 12000;
#else
constexpr std::size_t kPartitionCounts[] = {1, 3, 16, 64};
constexpr std::size_t kLargeRows = 70000;
#endif

// evaluate()'s report, which must name each of `names` (so the case covers them), against
// every partition count's; `salt` varies the cuts and shuffles.
void check_partition_counts(const Sample& s, const Policy& p, std::initializer_list<const char*> names,
                            std::size_t salt) {
  const std::string expected = whole_report(s, p);
  for (const char* name : names) REQUIRE(expected.find(name) != std::string::npos);
  for (std::size_t parts : kPartitionCounts) {
    CAPTURE(parts);
    CHECK(partitioned_report(s, p, parts, parts * salt + 3) == expected);
  }
}

// Rows cut into `parts` partitions of whole buckets (contiguous ranges), each shuffled.
std::vector<std::vector<std::size_t>> cut(const std::vector<std::uint64_t>& bucket, std::size_t parts, std::mt19937_64& rng) {
  std::vector<std::size_t> order(bucket.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return bucket[x] < bucket[y]; });
  std::vector<std::size_t> bounds;
  for (std::size_t i = 1; i < order.size(); ++i)
    if (bucket[order[i]] != bucket[order[i - 1]]) bounds.push_back(i);
  std::shuffle(bounds.begin(), bounds.end(), rng);
  bounds.resize(std::min(bounds.size(), parts - 1));
  bounds.push_back(order.size());
  std::sort(bounds.begin(), bounds.end());
  std::vector<std::vector<std::size_t>> out;
  std::size_t start = 0;
  for (std::size_t end : bounds) {
    out.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(start), order.begin() + static_cast<std::ptrdiff_t>(end));
    std::shuffle(out.back().begin(), out.back().end(), rng);
    start = end;
  }
  return out;
}

// The whole protocol over `parts` partitions per pass; facts from a different cut.
std::string partitioned_report(const Sample& s, const Policy& p, std::size_t parts, std::uint64_t seed) {
  const auto part = [&](const std::vector<std::size_t>& rows) { return table_of(s, rows, p.columns, p.task); };
  std::mt19937_64 rng(seed);
  const std::size_t n = s.y.size();
  std::vector<std::size_t> all(n);
  std::iota(all.begin(), all.end(), std::size_t{0});
  std::shuffle(all.begin(), all.end(), rng);
  std::vector<std::string> facts;
  for (std::size_t k = 0; k < parts; ++k) {
    std::vector<std::size_t> rows;
    for (std::size_t i = k; i < n; i += parts) rows.push_back(all[i]);
    facts.push_back(partitioned::facts_state(part(rows), p));
  }
  std::reverse(facts.begin(), facts.end());
  const std::string plan = partitioned::make_plan(p, partitioned::merge_facts(facts));
  const Table whole = part([&] { std::vector<std::size_t> r(n); std::iota(r.begin(), r.end(), std::size_t{0}); return r; }());
  std::map<std::string, std::string> merged;
  for (const std::string& pass : partitioned::passes(plan)) {
    const auto partitions = cut(partitioned::buckets(plan, pass, whole), parts, rng);
    std::vector<std::string> shares;
    if (partitioned::ranked(plan, pass)) {
      std::vector<std::string> round1;
      for (const auto& rows : partitions) round1.push_back(partitioned::totals_state(plan, pass, part(rows), 2));
      const std::vector<std::string> above = partitioned::aboves(plan, pass, round1);
      for (std::size_t k = 0; k < partitions.size(); ++k)
        shares.push_back(partitioned::pass_state(plan, pass, part(partitions[k]), above[k], 1));
    } else {
      for (const auto& rows : partitions) shares.push_back(partitioned::pass_state(plan, pass, part(rows)));
    }
    std::shuffle(shares.begin(), shares.end(), rng);
    merged[pass] = partitioned::merge(plan, pass, shares);
  }
  std::vector<std::string> in_order;
  for (const std::string& pass : partitioned::passes(plan)) in_order.push_back(merged[pass]);
  return outside_run(partitioned::finish(plan, in_order));
}

// The same policy keyed by its cluster key (or the ranking task's queries) alone.
Policy without_id(const Policy& p) {
  nlohmann::json source = p.source;
  source["columns"].erase("id");
  return parse_policy_text(source.dump());
}

// The sample with its first `copies` rows repeated at the end: whole duplicate rows within
// a cluster, which only their values can order.
Sample with_duplicates(Sample s, std::size_t copies) {
  for (auto* v : {&s.y, &s.a, &s.b, &s.w}) v->insert(v->end(), v->begin(), v->begin() + copies);
  for (auto* v : {&s.cluster, &s.region, &s.group}) v->insert(v->end(), v->begin(), v->begin() + copies);
  for (std::size_t i = 0; i < copies; ++i) s.id.push_back("dup" + std::to_string(i));
  return s;
}

}  // namespace

TEST_CASE("partitioned evaluation gives evaluate()'s report, byte for byte outside run") {
  for (const auto& [weighted, clustered, interval] :
       {std::tuple{false, false, "bca"}, {true, true, "bca"}, {true, false, "percentile"}, {false, true, "bca"}}) {
    CAPTURE(weighted);
    CAPTURE(clustered);
    check_partition_counts(simulate(5000, clustered ? 180 : 5000, 3), policy_for(weighted, clustered, interval), {}, 7);
  }
}

TEST_CASE("partitioned regression gives evaluate()'s report, byte for byte outside run") {
  // 70 000 rows: 64 key buckets, so 64 partitions each hold one. Clustered (180 units: the
  // jackknife leaves one out) and not (70 000 units: BCa's 256 key groups).
  constexpr std::size_t n = kLargeRows;
  for (const auto& [weighted, clustered, interval] :
       {std::tuple{true, true, "bca"}, {false, false, "percentile"}, {false, false, "bca"}, {true, false, "bca"}}) {
    CAPTURE(weighted);
    CAPTURE(clustered);
    CAPTURE(interval);
    check_partition_counts(simulate_regression(n, clustered ? 180 : n, 8), regression_policy(weighted, clustered, interval),
                           {"\"seg\""}, 5);
  }
}

TEST_CASE("partitioned regression's passes are order-free: one round, by key bucket") {
  const Sample s = simulate_regression(3000, 3000, 9);
  const Policy p = regression_policy(true, false, "percentile");
  std::vector<std::size_t> rows(s.y.size());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  const Table whole = table_of(s, rows, p.columns, Task::regression);
  const std::string plan = partitioned::make_plan(p, partitioned::facts_state(whole, p));
  CHECK_FALSE(partitioned::ranked(plan, "champion"));
  CHECK_FALSE(partitioned::ranked(plan, "challenger"));
  CHECK(partitioned::buckets(plan, "champion", whole) == partitioned::buckets(plan, "rows", whole));
  const std::string state = partitioned::pass_state(plan, "champion", whole);
  CHECK_THROWS_WITH_AS(partitioned::aboves(plan, "champion", std::vector{state}), doctest::Contains("only a ranked pass"),
                       UsageError);
  CHECK_THROWS_WITH_AS(partitioned::pass_state(plan, "challenger", whole, state), doctest::Contains("order-free"),
                       UsageError);
  // Halves of the rows, not of the buckets: each would fold a piece of a bucket.
  const std::vector<std::size_t> first(rows.begin(), rows.begin() + 1500), second(rows.begin() + 1500, rows.end());
  const std::vector<std::string> halves{
      partitioned::pass_state(plan, "challenger", table_of(s, first, p.columns, Task::regression)),
      partitioned::pass_state(plan, "challenger", table_of(s, second, p.columns, Task::regression))};
  CHECK_THROWS_WITH_AS(partitioned::merge(plan, "challenger", halves), doctest::Contains("hold rows of key bucket"),
                       UsageError);
  // A shuffled partition gives the same bytes.
  std::vector<std::size_t> shuffled = rows;
  std::mt19937_64 rng(3);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  CHECK(partitioned::pass_state(plan, "champion", table_of(s, shuffled, p.columns, Task::regression)) == state);
}

TEST_CASE("partitioned evaluation refuses what it cannot do, by name") {
  const Sample s = simulate(300, 300, 4);
  const Policy keyless = parse_policy_text(R"({"version": 1, "task": "binary",
    "columns": {"label": "y", "champion": "a", "challenger": "b"},
    "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.05}]})");
  std::vector<std::size_t> rows(s.y.size());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  CHECK_THROWS_WITH_AS(partitioned::facts_state(table_of(s, rows, keyless.columns), keyless),
                       doctest::Contains("needs $.columns.id or $.columns.cluster"), PolicyError);
  const Policy multinomial = parse_policy_text(R"({"version": 1, "task": "binary",
    "columns": {"label": "y", "champion": "a", "challenger": "b", "id": "id"},
    "bootstrap": {"scheme": "multinomial"},
    "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.05}]})");
  CHECK_THROWS_WITH_AS(partitioned::facts_state(table_of(s, rows, multinomial.columns), multinomial),
                       doctest::Contains("multinomial"), PolicyError);
}

TEST_CASE("partitioned states of another plan, or sharing a bucket, are refused") {
  const Sample s = simulate(2000, 2000, 6);
  const Policy p = policy_for(false, false, "percentile");
  std::vector<std::size_t> rows(s.y.size());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  const Table whole = table_of(s, rows, p.columns);
  const std::string facts = partitioned::facts_state(whole, p);
  const std::string plan = partitioned::make_plan(p, facts);
  const std::string other = partitioned::make_plan(p, facts, 99);
  const std::string state = partitioned::pass_state(plan, "rows", whole);
  CHECK_THROWS_WITH_AS(partitioned::merge(other, "rows", std::vector{state}), doctest::Contains("another plan"), DataError);
  const Table first = table_of(s, {rows.begin(), rows.begin() + 1000}, p.columns);
  const Table second = table_of(s, {rows.begin() + 1000, rows.end()}, p.columns);
  const std::string half_a = partitioned::totals_state(plan, "champion", first);
  const std::string half_b = partitioned::totals_state(plan, "champion", second);
  CHECK_THROWS_WITH_AS(partitioned::aboves(plan, "champion", std::vector{half_a, half_b}), doctest::Contains("share score bucket"),
                       UsageError);
  // Round 1's totals and round 2's shares are different kinds: each step refuses the other by name.
  const std::string share = partitioned::pass_state(plan, "champion", first);
  CHECK_THROWS_WITH_AS(partitioned::aboves(plan, "champion", std::vector{share}), doctest::Contains("not round 1's totals"),
                       DataError);
  CHECK_THROWS_WITH_AS(partitioned::pass_state(plan, "champion", second, share), doctest::Contains("not round 1's totals"),
                       DataError);
  CHECK_THROWS_WITH_AS(partitioned::merge(plan, "champion", std::vector{half_a}), doctest::Contains("round 1's totals"),
                       DataError);
  CHECK_THROWS_WITH_AS(partitioned::finish(plan, {half_a, share, state}), doctest::Contains("round 1's totals"), DataError);
  CHECK_THROWS_WITH_AS(partitioned::totals_state(plan, "rows", whole), doctest::Contains("no round 1"), UsageError);
  CHECK(partitioned::first_bucket(half_a) == partitioned::first_bucket(share));
  CHECK_THROWS_AS(partitioned::merge(plan, "rows", std::vector{state.substr(0, state.size() - 5)}), DataError);
}

namespace {

// Queries of 1 to 13 documents with graded relevance (some queries with none relevant),
// tied and untied scores, one weight, segment and cluster per query: the ranking task's
// rows. The query id sits in `group` (column "grp").
Sample simulate_ranking(std::size_t queries, std::size_t clusters, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_int_distribution<int> pick(0, 999);
  Sample s;
  for (std::size_t q = 0; q < queries; ++q) {
    const std::size_t docs = 1 + static_cast<std::size_t>(pick(rng) % 13);
    const bool none_relevant = pick(rng) < 60;
    const double weight = 0.5 + (pick(rng) % 7) * 0.375;
    const std::string region(1, static_cast<char>('a' + pick(rng) % 4));
    const std::string cluster = "c" + std::to_string(pick(rng) % clusters);
    for (std::size_t d = 0; d < docs; ++d) {
      const int u = pick(rng);
      const double y = none_relevant || u < 550 ? 0.0 : u < 800 ? 1.0 : u < 930 ? 2.0 : 3.0;
      double a = 0.4 * y + normal(rng);
      if (d % 4 == 0) a = std::round(a * 4.0) / 4.0;
      s.y.push_back(y);
      s.a.push_back(a);
      s.b.push_back(0.6 * y + normal(rng));
      s.w.push_back(weight);
      s.id.push_back("r" + std::to_string(s.id.size()));
      s.cluster.push_back(cluster);
      s.region.push_back(region);
      s.group.push_back("q" + std::to_string(q));
    }
  }
  return s;
}

Policy ranking_policy(bool weighted, bool clustered, const char* interval, const char* empty_rule) {
  return parse_policy_text(std::string(R"({"version": 1, "task": "ranking",
    "columns": {"label": "y", "champion": "a", "challenger": "b", "id": "id", "query": "grp",
                "segments": ["region"])") +
                           (weighted ? R"(, "weight": "w")" : "") + (clustered ? R"(, "cluster": "cust")" : "") +
                           R"(}, "ranking": {"empty_queries": ")" + empty_rule + R"("},
    "bootstrap": {"resamples": 130, "interval": ")" + interval + R"(", "seed": 5},
    "rules": [{"id": "ndcg", "metric": "ndcg@10", "subject": "delta", "min": -0.01},
              {"id": "mrr", "metric": "mrr", "subject": "delta", "min": -0.02},
              {"id": "map", "metric": "map@10", "subject": "challenger", "min": 0.1},
              {"id": "seg", "metric": "ndcg@10", "subject": "delta", "scope": {"each_segment": "region"}, "min": -0.05}]})");
}

}  // namespace

TEST_CASE("partitioned ranking gives evaluate()'s report, byte for byte outside run") {
  // About 70 000 rows: 64 key buckets of the queries' (or clusters') keys. Clustered (180
  // units: the jackknife leaves one out) and not (10 000 query units: BCa's 256 key groups).
  for (const auto& [weighted, clustered, interval, empty_rule] :
       {std::tuple{true, true, "bca", "skip"}, {false, false, "percentile", "zero"}, {false, false, "bca", "skip"}}) {
    CAPTURE(weighted);
    CAPTURE(clustered);
    CAPTURE(interval);
    check_partition_counts(simulate_ranking(10000, clustered ? 180 : 10000, 11),
                           ranking_policy(weighted, clustered, interval, empty_rule), {"\"seg\"", "\"empty_queries\""},
                           3);
  }
}

TEST_CASE("partitioned ranking: order-free passes, and a query split between partitions is refused") {
  const Sample s = simulate_ranking(600, 600, 12);
  const Policy p = ranking_policy(true, false, "percentile", "skip");
  std::vector<std::size_t> rows(s.y.size());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  const Table whole = table_of(s, rows, p.columns, Task::ranking);
  const std::string plan = partitioned::make_plan(p, partitioned::facts_state(whole, p));
  CHECK_FALSE(partitioned::ranked(plan, "champion"));
  CHECK(partitioned::buckets(plan, "challenger", whole) == partitioned::buckets(plan, "rows", whole));
  const std::string champion = partitioned::pass_state(plan, "champion", whole);
  std::vector<std::size_t> shuffled = rows;
  std::mt19937_64 rng(3);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  CHECK(partitioned::pass_state(plan, "champion", table_of(s, shuffled, p.columns, Task::ranking)) == champion);
  // Cut in the middle of a query: each half sees a piece of it as a query of its own.
  std::size_t middle = rows.size() / 2;
  while (s.group[middle] != s.group[middle - 1]) ++middle;
  const std::string split = partitioned::merge(
      plan, "challenger",
      std::vector{partitioned::pass_state(plan, "challenger", table_of(s, {rows.begin(), rows.begin() + middle}, p.columns, Task::ranking)),
                  partitioned::pass_state(plan, "challenger", table_of(s, {rows.begin() + middle, rows.end()}, p.columns, Task::ranking))});
  const std::string rows_state = partitioned::pass_state(plan, "rows", whole);
  CHECK_THROWS_WITH_AS(partitioned::finish(plan, {champion, split, rows_state}), doctest::Contains("two partitions"),
                       UsageError);
  CHECK_NOTHROW(partitioned::finish(plan, {champion, partitioned::pass_state(plan, "challenger", whole), rows_state}));
}

TEST_CASE("partitioned evaluation keyed by a cluster key alone gives evaluate()'s report") {
  // No $.columns.id: the weights key on the cluster, the rows digest is by unit, and rows
  // within a cluster (duplicates among them) go by their values.
  check_partition_counts(with_duplicates(simulate(5000, 180, 21), 40), without_id(policy_for(true, true, "bca")),
                         {"\"rows_by_unit\""}, 11);
  check_partition_counts(with_duplicates(simulate_regression(5000, 300, 22), 40),
                         without_id(regression_policy(false, true, "percentile")), {"\"rows_by_unit\""}, 13);
  check_partition_counts(simulate_ranking(3000, 3000, 23), without_id(ranking_policy(true, false, "bca", "skip")),
                         {"\"rows_by_unit\""}, 17);
}

namespace {

// Three classes (frequencies 0.5, 0.3, 0.2), each model's softmax probabilities of noisy
// logits (the challenger's sharper); a fifth of the champion's rows rounded to twentieths,
// so that probabilities tie within a class's ranking and across the argmax.
std::vector<std::size_t> every_row(const Sample& s) {
  std::vector<std::size_t> rows(s.y.size());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  return rows;
}

Sample simulate_multiclass(std::size_t n, std::size_t clusters, std::uint64_t seed) {
  Sample s = simulate(n, clusters, seed);
  std::mt19937_64 rng(seed + 2);
  std::normal_distribution<double> normal;
  std::uniform_int_distribution<int> pick(0, 999);
  constexpr std::size_t K = 3;
  for (auto& model : s.proba) model.assign(K, std::vector<double>(n));
  for (std::size_t i = 0; i < n; ++i) {
    const int u = pick(rng);
    const std::size_t y = u < 500 ? 0 : u < 800 ? 1 : 2;
    s.y[i] = static_cast<double>(y);
    for (std::size_t m = 0; m < 2; ++m) {
      std::array<double, K> e{};
      double total = 0.0;
      for (std::size_t k = 0; k < K; ++k) total += e[k] = std::exp(normal(rng) + (k == y ? 1.0 + 0.5 * m : 0.0));
      for (std::size_t k = 0; k < K; ++k) {
        double p = e[k] / total;
        if (m == 0 && i % 5 == 0) p = std::round(p * 20.0) / 20.0;
        s.proba[m][k][i] = p;
      }
    }
  }
  return s;
}

Policy multiclass_policy(bool weighted, bool clustered, const char* interval) {
  return parse_policy_text(std::string(R"({"version": 1, "task": "multiclass",
    "columns": {"label": "y", "champion": {"prefix": "a_"}, "challenger": {"prefix": "b_"}, "id": "id",
                "segments": ["region"])") +
                           (weighted ? R"(, "weight": "w")" : "") + (clustered ? R"(, "cluster": "cust")" : "") +
                           R"(},
    "bootstrap": {"resamples": 130, "interval": ")" + interval + R"(", "seed": 5},
    "rules": [{"id": "acc", "metric": "accuracy", "subject": "delta", "min": -0.1},
              {"id": "auc", "metric": "roc_auc", "average": "macro", "subject": "delta", "min": -0.05},
              {"id": "loss", "metric": "log_loss", "subject": "delta", "max": 0.05},
              {"id": "recall", "metric": "recall", "class": "2", "subject": "challenger", "min": 0.1},
              {"id": "top1", "metric": "top_k_accuracy", "k": 1, "subject": "delta", "min": -0.1},
              {"id": "seg", "metric": "f1", "average": "macro", "subject": "delta", "scope": {"each_segment": "region"}, "min": -0.2}]})");
}

}  // namespace

// 70 000 rows: 64 key buckets for the confusion passes; each one-vs-rest pass ranks by a
// class's probability, in score buckets. Every partition count gives the whole report.
void check_multiclass(bool weighted, bool clustered, const char* interval) {
  constexpr std::size_t n = kLargeRows;
  INFO("weighted " << weighted << ", clustered " << clustered << ", " << interval);
  check_partition_counts(simulate_multiclass(n, clustered ? 180 : n, 13),
                         multiclass_policy(weighted, clustered, interval), {"\"seg\"", "roc_auc_macro"}, 11);
}

TEST_CASE("partitioned multiclass gives evaluate()'s report, byte for byte outside run") {
  // Clustered (180 units: the jackknife leaves one out) and not (70 000 units: BCa's 256
  // key groups), weighted (the binary one-vs-rest passes in one process too) and not (the
  // fast passes there, whose exact integers the partitions' exact sums must meet).
  check_multiclass(true, true, "bca");
  check_multiclass(false, false, "percentile");
  check_multiclass(true, false, "bca");
}

TEST_CASE("partitioned multiclass: order-free confusion passes, a ranked pass per model and class") {
  const Sample s = simulate_multiclass(3000, 3000, 14);
  const Policy p = multiclass_policy(true, false, "percentile");
  const Table whole = table_of(s, every_row(s), p.columns, Task::multiclass);
  const std::string plan = partitioned::make_plan(p, partitioned::facts_state(whole, p));
  std::vector<std::size_t> shuffled = every_row(s);
  CHECK(partitioned::passes(plan) ==
        std::vector<std::string>{"champion", "challenger", "champion/class 0", "champion/class 1", "champion/class 2",
                                 "challenger/class 0", "challenger/class 1", "challenger/class 2", "rows"});
  CHECK_FALSE(partitioned::ranked(plan, "champion"));
  CHECK(partitioned::ranked(plan, "challenger/class 1"));
  CHECK(partitioned::buckets(plan, "challenger", whole) == partitioned::buckets(plan, "rows", whole));
  CHECK_THROWS_WITH_AS(partitioned::ranked(plan, "champion/class 3"), doctest::Contains("unknown pass"), UsageError);
  // A shuffled partition gives the same bytes, in either kind of pass.
  std::mt19937_64 rng(3);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  const Table mixed = table_of(s, shuffled, p.columns, Task::multiclass);
  for (const char* pass : {"champion", "champion/class 2"})
    CHECK(partitioned::pass_state(plan, pass, mixed) == partitioned::pass_state(plan, pass, whole));
  // States in the wrong place are refused as states of another pass; too few, by count.
  std::vector<std::string> merged;
  for (const std::string& pass : partitioned::passes(plan)) merged.push_back(partitioned::pass_state(plan, pass, whole));
  CHECK_NOTHROW(partitioned::finish(plan, merged));
  std::swap(merged[2], merged[3]);
  CHECK_THROWS_WITH_AS(partitioned::finish(plan, merged), doctest::Contains("champion/class 1 pass"), DataError);
  CHECK_THROWS_WITH_AS(partitioned::finish(plan, {merged[0], merged[1], merged[8]}), doctest::Contains("9 merged states"),
                       UsageError);
}

namespace {

// Results spread over many binades (so 70 000 rows fill some hundred value buckets), of
// either sign, some tied (rounded to quarters) and some exactly at the pass mark; weights
// that are not dyadic, so weighted running sums round (issue 16's outcome task).
Sample simulate_outcome(std::size_t n, std::size_t clusters, std::uint64_t seed) {
  Sample s = simulate(n, clusters, seed);
  std::mt19937_64 rng(seed + 2);
  std::normal_distribution<double> normal;
  for (std::size_t i = 0; i < n; ++i) {
    const double sign = i % 9 == 0 ? -1.0 : 1.0;
    double a = sign * std::exp(2.5 * normal(rng));
    if (i % 5 == 0) a = std::round(a * 4.0) / 4.0;
    if (i % 41 == 0) a = 2.0;
    s.a[i] = a;
    s.b[i] = i % 13 == 0 ? a : a * std::exp(0.3 * normal(rng)) + 0.05;
    s.w[i] = 0.1 + static_cast<double>(rng() % 1000) / 337.0;
  }
  return s;
}

Policy outcome_policy(bool weighted, bool clustered, const char* interval) {
  return parse_policy_text(std::string(R"({"version": 1, "task": "outcome",
    "columns": {"champion": "a", "challenger": "b", "id": "id", "segments": ["region"])") +
                           (weighted ? R"(, "weight": "w")" : "") + (clustered ? R"(, "cluster": "cust")" : "") +
                           R"(}, "threshold": 2,
    "bootstrap": {"resamples": 130, "interval": ")" + interval + R"(", "seed": 5},
    "rules": [{"id": "mean", "metric": "mean", "subject": "delta", "min": -0.5},
              {"id": "pass", "metric": "pass_rate", "subject": "delta", "min": -0.05},
              {"id": "p50", "metric": "quantile@0.5", "subject": "challenger", "max": 50},
              {"id": "p99", "metric": "quantile@0.99", "subject": "relative_delta", "max": 0.5},
              {"id": "seg", "metric": "quantile@0.9", "subject": "delta", "scope": {"each_segment": "region"}, "max": 5}]})");
}

}  // namespace

TEST_CASE("partitioned outcome gives evaluate()'s report, byte for byte outside run") {
  // 70 000 rows over some hundred value buckets, so 64 partitions of each model pass hold
  // whole buckets. Clustered (180 units: the jackknife leaves one out) and not (BCa's 256 key
  // groups); weighted with non-dyadic weights and not (whole weights: the walk from the top).
  constexpr std::size_t n = kLargeRows;
  for (const auto& [weighted, clustered, interval] :
       {std::tuple{true, false, "bca"}, {false, false, "percentile"}, {true, true, "percentile"}, {false, true, "bca"}}) {
    CAPTURE(weighted);
    CAPTURE(clustered);
    CAPTURE(interval);
    check_partition_counts(simulate_outcome(n, clustered ? 180 : n, 13), outcome_policy(weighted, clustered, interval),
                           {"\"seg\""}, 11);
  }
}

TEST_CASE("partitioned outcome: ranked passes by ascending value, and every level from one partition") {
  const Sample s = simulate_outcome(20000, 20000, 14);
  const Policy p = outcome_policy(true, false, "percentile");
  std::vector<std::size_t> rows(s.y.size());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  const Table whole = table_of(s, rows, p.columns, Task::outcome);
  const std::string plan = partitioned::make_plan(p, partitioned::facts_state(whole, p));
  CHECK(partitioned::ranked(plan, "champion"));
  const std::vector<std::uint64_t> buckets = partitioned::buckets(plan, "champion", whole);
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t q : {std::size_t{1}, std::size_t{17}, std::size_t{4000}})
      if (s.a[r] < s.a[(r + q) % rows.size()]) REQUIRE(buckets[r] <= buckets[(r + q) % rows.size()]);
  // One partition: its above carries the total, so round 2 reaches every level.
  const std::string round1 = partitioned::totals_state(plan, "champion", whole);
  const std::vector<std::string> above = partitioned::aboves(plan, "champion", std::vector{round1});
  REQUIRE(above.size() == 1);
  CHECK_FALSE(above[0].empty());
  const std::string rows_state = partitioned::pass_state(plan, "rows", whole);
  const auto share = [&](const char* pass) {
    const std::string r1 = partitioned::totals_state(plan, pass, whole);
    return partitioned::pass_state(plan, pass, whole, partitioned::aboves(plan, pass, std::vector{r1})[0]);
  };
  const std::string champion = share("champion"), challenger = share("challenger");
  CHECK_NOTHROW(partitioned::finish(plan, {champion, challenger, rows_state}));
  // Round 1's totals in place of round 2's share are refused by kind; a share merged twice
  // reaches each level twice.
  CHECK_THROWS_WITH_AS(partitioned::finish(plan, {round1, challenger, rows_state}), doctest::Contains("round 1's totals"),
                       DataError);
  CHECK_THROWS_WITH_AS(partitioned::merge(plan, "champion", std::vector{champion, champion}),
                       doctest::Contains("both reach one quantile level"), UsageError);
  // An above of the binary kind (no total) is refused.
  CHECK_THROWS_WITH_AS(partitioned::pass_state(plan, "champion", whole, round1), doctest::Contains("no total"),
                       UsageError);
}

TEST_CASE("partitioned outcome: the cumulative weight at a bucket's end is the exact prefix, in both paths") {
  // Bucket [1, 2): weight 1 at 1.0; bucket [2, 4): four of 2^-53, which a running double
  // sum from 1 drops (1 + 2^-53 rounds to 1) but the exact prefix keeps: 1 + 2^-51; bucket
  // [4, 8): 4.0 of weight 1 + 2^-51. The total is 2 + 2^-50, half of it exactly that
  // prefix, so the median is the last value of the second bucket (3.5), as numpy gives in
  // exact arithmetic; a running double sum would give 4.
  Sample s;
  const std::vector<double> a{1.0, 2.0, 2.5, 3.0, 3.5, 4.0};
  const std::vector<double> w{1.0, 0x1p-53, 0x1p-53, 0x1p-53, 0x1p-53, 1.0 + 0x1p-51};
  for (std::size_t i = 0; i < a.size(); ++i) {
    s.y.push_back(0.0), s.a.push_back(a[i]), s.b.push_back(a[i]), s.w.push_back(w[i]);
    s.id.push_back("r" + std::to_string(i)), s.cluster.push_back("c"), s.region.push_back("a"), s.group.push_back("x");
  }
  const Policy p = parse_policy_text(R"({"version": 1, "task": "outcome",
    "columns": {"champion": "a", "challenger": "b", "id": "id", "weight": "w"},
    "bootstrap": {"resamples": 100, "interval": "percentile", "seed": 5},
    "rules": [{"id": "p50", "metric": "quantile@0.5", "subject": "challenger", "max": 50}]})");
  std::vector<std::size_t> rows(a.size());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  const Evaluation ev = evaluate(table_of(s, rows, p.columns, p.task), p);
  const auto q50 = static_cast<std::size_t>(Metric::quantile_50) - static_cast<std::size_t>(Metric::mean);
  CHECK(ev.metrics[0][q50].point.value == 3.5);
  const std::string expected = whole_report(s, p);
  for (std::uint64_t seed : {1, 2, 3}) CHECK(partitioned_report(s, p, 2, seed) == expected);
}

namespace {

// Serving figures for the binary sample: each model's latency (gamma-like, a third of them
// rounded to whole milliseconds, so values tie within and across partitions), cost per
// prediction (non-dyadic) and errors (0/1, a few per cent, often together).
Sample simulate_serving(std::size_t n, std::size_t clusters, std::uint64_t seed) {
  Sample s = simulate(n, clusters, seed);
  std::mt19937_64 rng(seed + 2);
  std::gamma_distribution<double> gamma(4.0, 5.0);
  std::uniform_int_distribution<int> pick(0, 999);
  for (const char* m : {"a", "b"}) {
    auto& lat = s.serving[std::string("lat_") + m];
    auto& cost = s.serving[std::string("cost_") + m];
    auto& err = s.serving[std::string("err_") + m];
    for (std::size_t i = 0; i < n; ++i) {
      double v = gamma(rng) * (m[0] == 'a' ? 1.0 : 1.1);
      if (i % 3 == 0) v = std::round(v);
      lat.push_back(v);
      cost.push_back(0.0001 * (1 + pick(rng) % 9) / 3.0);
      err.push_back(pick(rng) < (m[0] == 'a' ? 30 : 25) ? 1.0 : 0.0);
    }
  }
  for (std::size_t i = 0; i < n; i += 50) s.serving["err_b"][i] = s.serving["err_a"][i];
  return s;
}

Policy serving_policy(bool clustered, bool latency, const char* interval) {
  std::string columns = R"("label": "y", "champion": "a", "challenger": "b", "id": "id",
    "cost": {"champion": "cost_a", "challenger": "cost_b"}, "error": {"champion": "err_a", "challenger": "err_b"})";
  if (latency) columns += R"(, "latency": {"champion": "lat_a", "challenger": "lat_b"})";
  if (clustered) columns += R"(, "cluster": "cust")";
  std::string rules = R"({"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.05},
    {"id": "cost", "metric": "cost_per_1k", "subject": "relative_delta", "max": 0.4},
    {"id": "err", "metric": "error_rate", "subject": "delta", "max": 0.01})";
  if (latency)
    rules += R"(, {"id": "p99", "metric": "latency_p99", "subject": "challenger", "max": 45},
    {"id": "p50", "metric": "latency_p50", "subject": "relative_delta", "max": 0.25},
    {"id": "mean", "metric": "latency_mean", "subject": "delta", "max": 3})";
  return parse_policy_text(R"({"version": 1, "task": "binary", "columns": {)" + columns + R"(}, "threshold": 0.4,
    "bootstrap": {"resamples": 130, "interval": ")" + interval + R"(", "seed": 5}, "rules": [)" + rules + "]}");
}

}  // namespace

TEST_CASE("partitioned serving budgets give evaluate()'s report, byte for byte outside run") {
  for (const auto& [clustered, latency, interval] :
       {std::tuple{false, true, "bca"}, {true, true, "percentile"}, {false, false, "percentile"}}) {
    CAPTURE(clustered);
    CAPTURE(latency);
    const Sample s = simulate_serving(5000, clustered ? 180 : 5000, 13);
    const Policy p = serving_policy(clustered, latency, interval);
    if (latency)
      check_partition_counts(s, p, {"latency_p999", "order statistic", "\"id\": \"p99\"", "cost_per_1k", "wilson"}, 17);
    else
      check_partition_counts(s, p, {"cost_per_1k", "wilson", "paired percentile bootstrap"}, 17);
  }
  // Keyed by the cluster key alone.
  check_partition_counts(simulate_serving(5000, 180, 14), without_id(serving_policy(true, true, "bca")),
                         {"latency_p50"}, 19);
}

TEST_CASE("partitioned serving budgets: the passes, and latency as separate samples refused") {
  const Sample s = simulate_serving(300, 300, 15);
  const Policy p = serving_policy(false, true, "percentile");
  std::vector<std::size_t> rows(300);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  const std::string plan = partitioned::make_plan(p, partitioned::facts_state(table_of(s, rows, p.columns), p));
  CHECK(partitioned::passes(plan) == std::vector<std::string>{"champion", "challenger", "rows", "budget/champion latency",
                                                              "budget/challenger latency"});
  CHECK(partitioned::ranked(plan, "budget/challenger latency"));
  // A latency pass's share made without its above reports no order statistic.
  const Table whole = table_of(s, rows, p.columns);
  std::vector<std::string> merged;
  for (const std::string& pass : partitioned::passes(plan)) {
    const bool ranked = partitioned::ranked(plan, pass);
    std::string above;
    if (ranked && pass != "budget/challenger latency")
      above = partitioned::aboves(plan, pass, std::vector<std::string>{partitioned::totals_state(plan, pass, whole)})[0];
    merged.push_back(partitioned::merge(plan, pass, std::vector<std::string>{partitioned::pass_state(plan, pass, whole, above)}));
  }
  CHECK_THROWS_WITH_AS(partitioned::finish(plan, merged), doctest::Contains("reported a latency order statistic"), UsageError);
  // Latency named by a rule but not by the columns comes as separate samples.
  const Policy samples = serving_policy(false, false, "percentile");
  nlohmann::json source = samples.source;
  source["rules"].push_back({{"id", "p99"}, {"metric", "latency_p99"}, {"subject", "challenger"}, {"max", 45}});
  CHECK_THROWS_WITH_AS(partitioned::check_partitionable(parse_policy_text(source.dump())),
                       doctest::Contains("latency as separate samples"), PolicyError);
}
