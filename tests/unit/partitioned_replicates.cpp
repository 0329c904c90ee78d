// Partitioned evaluation at the engine: the binary task's replicates from partial states,
// built per partition of whole score buckets, in shuffled row order, merged in random
// order, are bit for bit the replicates of one pass over every row (docs/partitioned.md).

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include "accumulate/binary_state.hpp"
#include "accumulate/replicate_engine.hpp"
#include "resample/canonical_buckets.hpp"
#include "tasks/task_definition.hpp"

using namespace referee;

namespace {

// A binary evaluation's columns, owned: a partition is a copy of some of its rows.
struct Rows {
  std::vector<double> label, champion, challenger, weight;
  std::vector<std::uint64_t> key;
  std::vector<std::uint32_t> unit;
  std::vector<std::uint32_t> segment, sensitive;
  std::size_t units = 0;

  std::size_t size() const { return label.size(); }

  Rows subset(const std::vector<std::size_t>& rows) const {
    Rows out;
    out.units = units;
    for (std::size_t r : rows) {
      out.label.push_back(label[r]);
      out.champion.push_back(champion[r]);
      out.challenger.push_back(challenger[r]);
      if (!weight.empty()) out.weight.push_back(weight[r]);
      out.key.push_back(key[r]);
      out.unit.push_back(unit[r]);
      out.segment.push_back(segment[r]);
      out.sensitive.push_back(sensitive[r]);
    }
    return out;
  }
};

// Scores with many ties (two decimals) and some continuous ones; clusters of rows share a
// unit key, so `clusters` < n gives clustered data.
Rows make_rows(std::size_t n, std::size_t clusters, bool weighted, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<std::uint64_t> cluster_key(clusters);
  for (auto& k : cluster_key) k = rng();
  std::vector<std::uint64_t> sorted = cluster_key;
  std::sort(sorted.begin(), sorted.end());
  Rows t;
  t.units = clusters;
  for (std::size_t r = 0; r < n; ++r) {
    const double y = u(rng) < 0.3 ? 1.0 : 0.0;
    double a = std::clamp(0.3 * y + 0.7 * u(rng), 0.0, 1.0), b = std::clamp(0.4 * y + 0.6 * u(rng), 0.0, 1.0);
    if (r % 3 == 0) a = std::round(a * 100.0) / 100.0;
    if (r % 4 == 0) b = std::round(b * 20.0) / 20.0;
    t.label.push_back(y);
    t.champion.push_back(a);
    t.challenger.push_back(b);
    if (weighted) t.weight.push_back(0.25 + 3.0 * u(rng));
    const std::size_t c = r % clusters;
    t.key.push_back(cluster_key[c]);
    t.unit.push_back(static_cast<std::uint32_t>(std::lower_bound(sorted.begin(), sorted.end(), cluster_key[c]) -
                                                sorted.begin()));
    t.segment.push_back(static_cast<std::uint32_t>(rng() % 3));
    t.sensitive.push_back(static_cast<std::uint32_t>(rng() % 2));
  }
  return t;
}

// The engine's columns over `t`; `total_rows` and the weight magnitude are the whole
// evaluation's, as a partition receives them from its plan.
PairedColumns columns_of(const Rows& t, std::uint64_t total_rows, double weight_magnitude) {
  PairedColumns c;
  c.task = Task::binary;
  c.label = t.label;
  c.champion = t.champion;
  c.challenger = t.challenger;
  c.weight = t.weight;
  c.threshold = 0.5;
  c.units = RowUnits{t.key, t.unit, t.units};
  c.groupings.push_back({t.segment, 3, false});
  c.groupings.push_back({t.sensitive, 2, true});
  c.metrics = catalogue_instances(Task::binary);
  c.total_rows = total_rows;
  c.weight_magnitude = weight_magnitude;
  return c;
}

ReplicateRequest request_for(std::size_t units) {
  ReplicateRequest r;
  r.bootstrap = 200;  // three full blocks and one of 8 lanes
  r.jackknife_groups = std::min<std::size_t>(units, 256);
  r.seed = 20261203;
  r.threads = 2;
  return r;
}

// The rows of each partition of model m's pass: rows sorted by bucket, cut at `parts` - 1
// random bucket boundaries, then shuffled within each partition.
std::vector<std::vector<std::size_t>> partitions(const Rows& t, std::size_t m, std::size_t parts, std::mt19937_64& rng) {
  const std::vector<double>& score = m == 0 ? t.champion : t.challenger;
  const unsigned bits = score_bucket_bits(t.size());
  std::vector<std::size_t> order(t.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return score_bucket(score[a], bits) < score_bucket(score[b], bits); });
  std::vector<std::size_t> boundaries;
  for (std::size_t i = 1; i < order.size(); ++i)
    if (score_bucket(score[order[i]], bits) != score_bucket(score[order[i - 1]], bits)) boundaries.push_back(i);
  std::shuffle(boundaries.begin(), boundaries.end(), rng);
  boundaries.resize(std::min(boundaries.size(), parts - 1));
  boundaries.push_back(order.size());
  std::sort(boundaries.begin(), boundaries.end());
  std::vector<std::vector<std::size_t>> out;
  std::size_t start = 0;
  for (std::size_t end : boundaries) {
    out.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(start), order.begin() + static_cast<std::ptrdiff_t>(end));
    std::shuffle(out.back().begin(), out.back().end(), rng);
    start = end;
  }
  return out;
}

// Round 1: each partition's totals; the `above` of a partition is the merge of every
// partition ranked before it. Round 2: each partition's partial with its `above`; the
// merge of those, in random order, is the model's partial.
ModelPartial partitioned_model(const Rows& t, std::size_t m, std::size_t parts, const ReplicateRequest& request,
                               double weight_magnitude, std::mt19937_64& rng) {
  std::vector<Rows> part_rows;
  for (const auto& rows : partitions(t, m, parts, rng)) part_rows.push_back(t.subset(rows));
  std::vector<std::unique_ptr<ReplicateEngine>> engines;
  std::vector<ModelPartial> totals;
  for (const Rows& p : part_rows) {
    engines.push_back(std::make_unique<ReplicateEngine>(columns_of(p, t.size(), weight_magnitude)));
    totals.push_back(engines.back()->totals(request, m));
  }
  std::vector<std::size_t> rank(part_rows.size());
  std::iota(rank.begin(), rank.end(), 0);
  std::sort(rank.begin(), rank.end(),
            [&](std::size_t a, std::size_t b) { return totals[a].first_bucket < totals[b].first_bucket; });
  std::vector<ModelPartial> shares;
  std::unique_ptr<ModelPartial> above;
  for (std::size_t p : rank) {
    shares.push_back(engines[p]->partial(request, m, above.get()));
    if (!above) {
      above = std::make_unique<ModelPartial>(std::move(totals[p]));
    } else {
      add_partial(*above, totals[p]);
    }
  }
  std::shuffle(shares.begin(), shares.end(), rng);
  ModelPartial merged = std::move(shares.front());
  for (std::size_t i = 1; i < shares.size(); ++i) add_partial(merged, shares[i]);
  return merged;
}

bool same_bits(const ReplicateMatrix& a, const ReplicateMatrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * sizeof(double)) == 0;
}

void check_partitioned(const Rows& t, std::size_t parts, std::uint32_t seed) {
  CAPTURE(parts);
  const ReplicateRequest request = request_for(t.units);
  double weight_magnitude = 0.0;
  for (double w : t.weight) weight_magnitude = std::max(weight_magnitude, std::abs(w));
  const ReplicateEngine whole(columns_of(t, 0, 0.0));
  const ReplicateResults expected = whole.run(request);

  std::mt19937_64 rng(seed);
  const ModelPartial champion = partitioned_model(t, 0, parts, request, weight_magnitude, rng);
  const ModelPartial challenger = partitioned_model(t, 1, parts, request, weight_magnitude, rng);
  CHECK(champion.rows == t.size());
  const Rows none = t.subset({});  // the driver holds no rows
  const ReplicateEngine driver(columns_of(none, t.size(), weight_magnitude));
  const ReplicateResults got = driver.finish(request, champion, challenger);

  REQUIRE(got.point.size() == expected.point.size());
  for (std::size_t i = 0; i < got.point.size(); ++i) {
    CHECK(got.point[i].defined == expected.point[i].defined);
    CHECK(std::memcmp(&got.point[i].value, &expected.point[i].value, sizeof(double)) == 0);
  }
  CHECK(same_bits(got.bootstrap, expected.bootstrap));
  CHECK(same_bits(got.jackknife, expected.jackknife));
}

}  // namespace

TEST_CASE("binary replicates from partial states equal one pass, bit for bit") {
  for (bool weighted : {false, true}) {
    CAPTURE(weighted);
    const Rows clustered = make_rows(6000, 1500, weighted, 11);  // beyond 256 units: grouped jackknife
    const Rows small = make_rows(900, 120, weighted, 12);        // leave-one-unit-out jackknife
    for (std::size_t parts : {1, 3, 16, 64}) {
      check_partitioned(clustered, parts, static_cast<std::uint32_t>(parts));
      check_partitioned(small, parts, static_cast<std::uint32_t>(parts + 100));
    }
  }
}

// A block's bytes: what a state carries.
std::string bytes_of(const PartialBlock& block) {
  std::string bytes;
  ByteWriter out(bytes);
  block.write(out);
  return bytes;
}

// The totals a full block holds (its pos and neg), in the totals' serial form.
std::string totals_in(const PartialBlock& full) {
  const std::string bytes = bytes_of(full);
  ByteReader in(bytes, "partial state");
  const BinaryPassState s = read_state(in, 64);
  BinaryTotalsState t = binary_totals_state(s.overall.lanes(), std::vector<std::size_t>{3, 2});
  auto copy = [](const BinaryExact& e, BinaryTotals& into) {
    into.q[0] = e[BinaryQuantity::pos];
    into.q[1] = e[BinaryQuantity::neg];
  };
  copy(s.overall, t.overall);
  for (std::size_t g = 0; g < s.groups.size(); ++g)
    for (std::size_t j = 0; j < s.groups[g].size(); ++j) copy(s.groups[g][j], t.groups[g][j]);
  std::string out_bytes;
  ByteWriter out(out_bytes);
  write_state(out, t);
  return out_bytes;
}

TEST_CASE("round 1's totals are the full pass's positive and negative weight, bit for bit") {
  for (bool weighted : {false, true}) {
    CAPTURE(weighted);
    const Rows t = make_rows(6000, 1500, weighted, 21);
    double weight_magnitude = 0.0;
    for (double w : t.weight) weight_magnitude = std::max(weight_magnitude, std::abs(w));
    const ReplicateRequest request = request_for(t.units);
    std::mt19937_64 rng(7);
    for (std::size_t m : {0, 1})
      for (const auto& rows : partitions(t, m, 5, rng)) {
        const Rows part = t.subset(rows);  // the engine reads these rows in place
        const ReplicateEngine engine(columns_of(part, t.size(), weight_magnitude));
        const ModelPartial full = engine.partial(request, m, nullptr), totals = engine.totals(request, m);
        CHECK(totals.rows == full.rows);
        CHECK(totals.first_bucket == full.first_bucket);
        CHECK(totals.last_bucket == full.last_bucket);
        REQUIRE(totals.blocks.size() == full.blocks.size());
        for (std::size_t i = 0; i < full.blocks.size(); ++i) CHECK(bytes_of(*totals.blocks[i]) == totals_in(*full.blocks[i]));
      }
  }
}

TEST_CASE("a partial block survives its serial form, and a wrong shape is refused") {
  const Rows t = make_rows(500, 500, true, 5);
  const ReplicateEngine engine(columns_of(t, 0, 0.0));
  ReplicateRequest request = request_for(t.units);
  request.bootstrap = 64;
  request.jackknife_groups = 0;
  const ModelPartial p = engine.partial(request, 1, nullptr);
  std::string bytes;
  ByteWriter out(bytes);
  p.blocks[1]->write(out);
  ByteReader in(bytes, "partial state");
  const auto back = engine.read_block(in, kLanes, 1);
  CHECK(in.done());
  std::string again;
  ByteWriter out2(again);
  back->write(out2);
  CHECK(again == bytes);
  ByteReader wrong(bytes, "partial state");
  CHECK_THROWS_AS(engine.read_block(wrong, 1, 1), DataError);
  ByteReader cut(std::string_view(bytes).substr(0, bytes.size() / 2), "partial state");
  CHECK_THROWS_AS(engine.read_block(cut, kLanes, 1), DataError);
}
