// Partitioned evaluation (docs/partitioned.md): the protocol of include/referee/partitioned.hpp
// over the engine's partial states. Binary task: two ranked passes (one per model, bucketed
// by that model's score) and the rows pass (bucketed by unit key: the rows digest, unit and
// group counts, the paired proportions' discordant cells). An order-free task (regression,
// ranking): the two model passes bucket by unit key too, and run in one round. The outcome
// task: two ranked passes bucketed by each model's result in ascending order, whose round 2
// reads the pass's total as well as the weight below.

#include <referee/partitioned.hpp>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <memory>
#include <numeric>
#include <optional>
#include <thread>

#include <referee/error.hpp>

#include "accumulate/binary_state.hpp"
#include "accumulate/replicate_engine.hpp"
#include "budget/budget_partition.hpp"
#include "common/quoted.hpp"
#include "data/keyed_digest.hpp"
#include "data/ranking_queries.hpp"
#include "evaluate/confusion_matrix.hpp"
#include "evaluate/paired_columns.hpp"
#include "evaluate/partition_plan.hpp"
#include "evaluate/stages.hpp"
#include "evaluate/validate_inputs.hpp"
#include "resample/canonical_buckets.hpp"
#include "tasks/task_definition.hpp"

namespace referee::partitioned {

namespace {

// The multiclass task's one-vs-rest passes: one per model and class, when a figure is
// roc_auc (it needs the rows ranked by that class's probability).
std::size_t ovr_classes(const Plan& plan) {
  if (plan.policy.task != Task::multiclass) return 0;
  const auto& metrics = plan.policy.metrics;
  const bool auc = std::any_of(metrics.begin(), metrics.end(), [](const MetricInstance& m) {
    return m.id == Metric::mc_roc_auc;
  });
  return auc ? plan.facts.classes.size() : 0;
}

// The passes in the finish's order: the two model passes, the one-vs-rest passes (model by
// model, class by class; a class by its index in class order, not its name), the rows pass.
std::vector<std::string> pass_names(const Plan& plan) {
  std::vector<std::string> names{"champion", "challenger"};
  for (const char* model : {"champion", "challenger"})
    for (std::size_t k = 0; k < ovr_classes(plan); ++k)
      names.push_back(std::string(model) + "/class " + std::to_string(k));
  names.push_back("rows");
  for (std::string& b : budget_pass_names(plan.policy)) names.push_back(std::move(b));  // serving budgets, after rows
  return names;
}

std::size_t rows_pass(const Plan& plan) { return 2 + 2 * ovr_classes(plan); }

std::size_t pass_index(const Plan& plan, std::string_view pass) {
  const std::vector<std::string> names = pass_names(plan);
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == pass) return i;
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  throw UsageError("unknown pass " + quoted_excerpt(pass, 32) + "; the passes are " + list);
}

std::string pass_name(const Plan& plan, std::size_t p) {
  const std::vector<std::string> names = pass_names(plan);
  return p < names.size() ? names[p] : "pass " + std::to_string(p);
}

// The budget pass a pass index names (budget_partition.hpp), if any.
std::optional<std::size_t> budget_pass(const Plan& plan, std::size_t p) {
  if (p <= rows_pass(plan)) return std::nullopt;
  return p - rows_pass(plan) - 1;
}

// A model pass whose sums need the ranking by a score: binary's two model passes, the
// multiclass task's one-vs-rest passes. An order-free pass buckets by key and runs once.
bool ranked_pass(const Plan& plan, std::size_t p) {
  if (const auto b = budget_pass(plan, p)) return budget_pass_ranked(plan.policy, *b);
  if (p >= rows_pass(plan)) return false;
  return task_definition(plan.policy.task).order_free ? p >= 2 : p < 2;
}

// The score a ranked pass ranks by: a binary model's, or one class's probability.
double ranked_score(const Plan& plan, std::size_t p, const Table& part, std::size_t r) {
  if (p < 2) return (p == 0 ? part.champion : part.challenger)[r];
  const std::size_t K = ovr_classes(plan);
  return part.class_scores[(p - 2) / K].at(r, (p - 2) % K);
}

ReplicateRequest request_of(const Plan& plan, unsigned threads) {
  ReplicateRequest r;
  const BootstrapSettings b = plan.bootstrap();
  r.bootstrap = b.resamples;
  r.jackknife_groups = plan.jackknife_groups();
  r.scheme = b.scheme;
  r.seed = b.seed;
  r.threads = threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
  return r;
}

// A partition's columns under the plan: its groups numbered as the plan numbers every
// partition's, its units ranked among the plan's (while there are few), and the whole
// evaluation's row count and largest weight.
struct PartitionColumns {
  GroupingSet local;
  std::vector<std::vector<std::uint32_t>> group_of_row;
  std::vector<std::uint32_t> unit_rank;
  PairedColumns columns;
};

std::vector<std::uint32_t> global_groups(const Grouping& local, const Facts::GroupingValues& global) {
  std::vector<std::uint32_t> to_global(local.size());
  for (std::size_t j = 0; j < local.size(); ++j) {
    const auto it = std::lower_bound(global.values.begin(), global.values.end(), local.values[j]);
    if (it == global.values.end() || *it != local.values[j])
      throw UsageError("the segment \"" + global.name + "\" has a value the plan's facts do not; gather the facts "
                       "over every row");
    to_global[j] = static_cast<std::uint32_t>(it - global.values.begin());
  }
  return to_global;
}

void set_units(PartitionColumns& p, const Plan& plan, const Table& part) {
  RowUnits& u = p.columns.units;
  u.unit_count = plan.jackknife_units();
  if (plan.facts.more_units) return;  // the jackknife reads each unit's group from its key
  const auto& keys = plan.facts.unit_keys;
  p.unit_rank.resize(part.rows);
  for (std::size_t r = 0; r < part.rows; ++r) {
    const auto it = std::lower_bound(keys.begin(), keys.end(), part.unit_key[r]);
    if (it == keys.end() || *it != part.unit_key[r])
      throw UsageError("a row's unit is not among the plan's units; gather the facts over every row");
    p.unit_rank[r] = static_cast<std::uint32_t>(it - keys.begin());
  }
  u.unit = p.unit_rank;
}

std::unique_ptr<PartitionColumns> partition_columns(const Plan& plan, const Table& part, const Limits& limits) {
  auto p = std::make_unique<PartitionColumns>();
  p->local = build_groupings(part, plan.policy, limits);
  p->columns = paired_columns(part, plan.policy);
  if (!std::ranges::equal(p->columns.classes, plan.facts.classes))
    throw UsageError("the partition's classes differ from the plan's; every partition names the same classes");
  for (std::size_t g = 0; g < p->local.groupings.size(); ++g) {
    const Grouping& local = p->local.groupings[g];
    const std::vector<std::uint32_t> to_global = global_groups(local, plan.facts.groupings.at(g));
    p->group_of_row.emplace_back(local.group_of_row.size());
    for (std::size_t r = 0; r < local.group_of_row.size(); ++r) p->group_of_row[g][r] = to_global[local.group_of_row[r]];
  }
  for (std::size_t g = 0; g < p->group_of_row.size(); ++g)
    p->columns.groupings.push_back(
        {p->group_of_row[g], plan.facts.groupings[g].values.size(), g >= p->local.segment_count});
  p->columns.total_rows = plan.facts.rows;
  p->columns.weight_magnitude = plan.facts.max_weight;
  p->columns.value_magnitude = plan.facts.max_value;
  p->columns.label_magnitude = plan.facts.max_label;
  p->columns.label_sum = plan.facts.label_sum;
  set_units(*p, plan, part);
  return p;
}

// The driver's engine: no rows, the plan's groups; it reads, merges and finishes states.
std::unique_ptr<PartitionColumns> driver_columns(const Plan& plan) {
  static const Table none;
  auto p = std::make_unique<PartitionColumns>();
  p->columns = paired_columns(none, plan.policy);
  for (std::size_t g = 0; g < plan.facts.groupings.size(); ++g)
    p->columns.groupings.push_back({{}, plan.facts.groupings[g].values.size(), g >= plan.policy.segments.size()});
  p->columns.total_rows = plan.facts.rows;
  p->columns.weight_magnitude = plan.facts.max_weight;
  p->columns.value_magnitude = plan.facts.max_value;
  p->columns.label_magnitude = plan.facts.max_label;
  p->columns.label_sum = plan.facts.label_sum;
  p->columns.classes = plan.facts.classes;
  p->columns.units.unit_count = plan.jackknife_units();
  return p;
}

// ---- ranked passes ----

// A model pass's state: its share (kind ranked), or, in round 1 of a ranked pass, its totals.
std::string write_model(const Plan& plan, const ModelPartial& p, StateKind kind = StateKind::ranked) {
  std::string bytes;
  ByteWriter out(bytes);
  write_header(out, kind, plan.id);
  out.u64(p.model);
  out.u64(p.rows);
  out.u64(p.first_bucket);
  out.u64(p.last_bucket);
  out.u64(p.blocks.size());
  for (const auto& b : p.blocks) b->write(out);
  return bytes;
}

// Round 1's totals and round 2's shares are different kinds: each step names the one it takes.
void check_model_kind(ByteReader& in, StateKind kind, StateKind want) {
  if (kind == want) return;
  if (kind == StateKind::totals)
    in.fail("round 1's totals of a ranked pass, not a share of it: merge and finish take round 2's states");
  if (kind == StateKind::ranked && want == StateKind::totals)
    in.fail("a share of a pass, not round 1's totals: aboves and round 2's above take round 1's totals");
  in.fail(want == StateKind::totals ? "not round 1's totals of a ranked pass" : "not a ranked pass's state");
}

ModelPartial read_model(const Plan& plan, const ReplicateEngine& engine, std::string_view bytes, std::size_t model,
                        StateKind want = StateKind::ranked) {
  ByteReader in(bytes, "partial state");
  std::array<std::uint8_t, 32> id{};
  check_model_kind(in, read_header(in, id), want);
  check_plan(plan, id, in);
  ModelPartial p;
  p.model = in.u64();
  if (p.model != model) in.fail("a state of the " + pass_name(plan, p.model) + " pass");
  p.rows = in.u64();
  p.first_bucket = in.u64();
  p.last_bucket = in.u64();
  const std::vector<ReplicateEngine::Block> blocks = ReplicateEngine::block_list(request_of(plan, 1));
  if (in.u64() != blocks.size() + 1) in.fail("the block count differs from the plan's");
  const bool totals = want == StateKind::totals;
  p.blocks.push_back(engine.read_block(in, 1, model, totals));
  for (std::size_t i = 0; i < blocks.size(); ++i) p.blocks.push_back(engine.read_block(in, kLanes, model, totals));
  if (!in.done()) in.fail("trailing bytes");
  return p;
}

std::string ranked_state(const Plan& plan, std::size_t model, const Table& part, std::string_view above,
                         unsigned threads, const Limits& limits) {
  const auto columns = partition_columns(plan, part, limits);
  const ReplicateEngine engine(columns->columns);
  std::unique_ptr<ModelPartial> above_state;
  if (!above.empty())
    above_state = std::make_unique<ModelPartial>(read_model(plan, engine, above, model, StateKind::totals));
  return write_model(plan, engine.partial(request_of(plan, threads), model, above_state.get()));
}

// The exact sum of a model pass's states of one kind (round 2's shares, or round 1's totals).
std::string merge_model(const Plan& plan, std::size_t model, std::span<const std::string> states, StateKind kind) {
  if (states.empty()) throw UsageError("nothing to merge");
  const auto columns = driver_columns(plan);
  const ReplicateEngine engine(columns->columns);
  ModelPartial merged = read_model(plan, engine, states[0], model, kind);
  for (std::size_t i = 1; i < states.size(); ++i) add_partial(merged, read_model(plan, engine, states[i], model, kind));
  return write_model(plan, merged, kind);
}

// ---- the rows pass ----

struct RowsState {
  std::uint64_t rows = 0, units = 0, first_bucket = 1, last_bucket = 0;
  std::uint64_t queries = 0, empty_queries = 0;  // ranking: whole queries (they nest in units)
  std::vector<BucketDigest> digests;
  std::vector<std::vector<std::uint64_t>> group_rows, group_positives;  // [grouping][global group]
  ProportionCellTable cells;
  ConfusionMatrixCells confusion;  // multiclass: each model's K x K cells, exact
};

void write_cells(ByteWriter& out, const ExactProportionCellSet& set) {
  for (const ExactProportionCells& c : set)
    for (const ExactCellSums* s : {&c.denominator, &c.challenger_only, &c.champion_only}) {
      out.u64(s->rows);
      write_exact(out, s->weight);
      write_exact(out, s->weight_squared);
    }
}

ExactProportionCellSet read_cells(ByteReader& in) {
  ExactProportionCellSet set;
  for (ExactProportionCells& c : set)
    for (ExactCellSums* s : {&c.denominator, &c.challenger_only, &c.champion_only}) {
      s->rows = in.u64();
      s->weight = read_exact(in);
      s->weight_squared = read_exact(in);
    }
  return set;
}

// The shape every rows state of the plan has: per grouping, its global group count; cells
// for the overall rows and each segment grouping's groups.
RowsState empty_rows_state(const Plan& plan) {
  RowsState s;
  s.cells.weighted = !plan.policy.columns.weight.empty();
  s.cells.overall.resize(1);
  for (std::size_t g = 0; g < plan.facts.groupings.size(); ++g) {
    const std::size_t n = plan.facts.groupings[g].values.size();
    s.group_rows.emplace_back(n, 0);
    s.group_positives.emplace_back(n, 0);
    if (g < plan.policy.segments.size()) s.cells.segments.emplace_back(n);
  }
  if (plan.policy.task == Task::multiclass)
    for (auto& cells : s.confusion) cells.assign(plan.facts.classes.size() * plan.facts.classes.size(), ExactSum{});
  return s;
}

std::string write_rows(const Plan& plan, const RowsState& s) {
  std::string bytes;
  ByteWriter out(bytes);
  write_header(out, StateKind::rows, plan.id);
  for (std::uint64_t v : {s.rows, s.units, s.first_bucket, s.last_bucket, s.queries, s.empty_queries}) out.u64(v);
  out.u64(s.digests.size());
  for (const BucketDigest& d : s.digests) {
    out.u64(d.bucket);
    out.u64(d.rows);
    out.bytes(d.sha256.data(), d.sha256.size());
  }
  for (std::size_t g = 0; g < s.group_rows.size(); ++g)
    for (std::size_t j = 0; j < s.group_rows[g].size(); ++j) {
      out.u64(s.group_rows[g][j]);
      out.u64(s.group_positives[g][j]);
    }
  write_cells(out, s.cells.overall[0]);
  for (const auto& grouping : s.cells.segments)
    for (const ExactProportionCellSet& set : grouping) write_cells(out, set);
  for (const auto& cells : s.confusion)
    for (const ExactSum& cell : cells) write_exact(out, cell);
  return bytes;
}

RowsState read_rows(const Plan& plan, std::string_view bytes) {
  ByteReader in(bytes, "partial state");
  std::array<std::uint8_t, 32> id{};
  if (read_header(in, id) != StateKind::rows) in.fail("not a rows pass's state");
  check_plan(plan, id, in);
  RowsState s = empty_rows_state(plan);
  for (std::uint64_t* v : {&s.rows, &s.units, &s.first_bucket, &s.last_bucket, &s.queries, &s.empty_queries})
    *v = in.u64();
  s.digests.resize(in.count(plan.facts.rows, "bucket"));
  for (BucketDigest& d : s.digests) {
    d.bucket = in.u64();
    d.rows = in.u64();
    const auto sha = in.bytes(32);
    std::copy(sha.begin(), sha.end(), d.sha256.begin());
  }
  for (std::size_t g = 0; g < s.group_rows.size(); ++g)
    for (std::size_t j = 0; j < s.group_rows[g].size(); ++j) {
      s.group_rows[g][j] = in.u64();
      s.group_positives[g][j] = in.u64();
    }
  s.cells.overall[0] = read_cells(in);
  for (auto& grouping : s.cells.segments)
    for (ExactProportionCellSet& set : grouping) set = read_cells(in);
  for (auto& cells : s.confusion)
    for (ExactSum& cell : cells) cell = read_exact(in);
  if (!in.done()) in.fail("trailing bytes");
  return s;
}

std::string rows_state(const Plan& plan, const Table& part, const Limits& limits) {
  const auto columns = partition_columns(plan, part, limits);
  RowsState s = empty_rows_state(plan);
  s.rows = part.rows;
  std::vector<std::uint64_t> keys(part.unit_key.begin(), part.unit_key.end());
  std::sort(keys.begin(), keys.end());
  s.units = static_cast<std::uint64_t>(std::unique(keys.begin(), keys.end()) - keys.begin());
  s.queries = part.query_text.size();
  s.empty_queries = empty_queries(part);
  s.digests = keyed_bucket_digests(part, key_bucket_bits(plan.facts.rows));
  if (!s.digests.empty()) {
    s.first_bucket = s.digests.front().bucket;
    s.last_bucket = s.digests.back().bucket;
  }
  for (std::size_t g = 0; g < columns->local.groupings.size(); ++g) {
    const Grouping& local = columns->local.groupings[g];
    const std::vector<std::uint32_t> to_global = global_groups(local, plan.facts.groupings[g]);
    for (std::size_t j = 0; j < local.size(); ++j) {
      s.group_rows[g][to_global[j]] += local.rows[j];
      s.group_positives[g][to_global[j]] += local.positives[j];
    }
  }
  GroupingSet global;
  global.segment_count = columns->local.segment_count;
  for (std::size_t g = 0; g < columns->local.segment_count; ++g) {
    Grouping view;
    view.values.resize(plan.facts.groupings[g].values.size());
    view.group_of_row = columns->group_of_row[g];
    global.groupings.push_back(std::move(view));
  }
  s.cells = proportion_cells(part, global, plan.policy, plan.facts.max_weight);
  s.cells.weighted = !plan.policy.columns.weight.empty();
  if (plan.policy.task == Task::multiclass) s.confusion = confusion_matrix_cells(part);
  return write_rows(plan, s);
}

void add_rows(RowsState& into, const RowsState& other) {
  into.rows += other.rows;
  into.units += other.units;
  into.queries += other.queries;
  into.empty_queries += other.empty_queries;
  std::vector<BucketDigest> joined;
  std::merge(into.digests.begin(), into.digests.end(), other.digests.begin(), other.digests.end(),
             std::back_inserter(joined), [](const BucketDigest& a, const BucketDigest& b) { return a.bucket < b.bucket; });
  for (std::size_t i = 1; i < joined.size(); ++i)
    if (joined[i].bucket == joined[i - 1].bucket)
      throw UsageError("two partitions hold rows of key bucket " + std::to_string(joined[i].bucket) +
                       "; partition the rows pass by buckets()");
  into.digests = std::move(joined);
  if (!into.digests.empty()) {
    into.first_bucket = into.digests.front().bucket;
    into.last_bucket = into.digests.back().bucket;
  }
  for (std::size_t g = 0; g < into.group_rows.size(); ++g)
    for (std::size_t j = 0; j < into.group_rows[g].size(); ++j) {
      into.group_rows[g][j] += other.group_rows[g][j];
      into.group_positives[g][j] += other.group_positives[g][j];
    }
  add_cells(into.cells.overall[0], other.cells.overall[0]);
  for (std::size_t g = 0; g < into.cells.segments.size(); ++g)
    for (std::size_t j = 0; j < into.cells.segments[g].size(); ++j)
      add_cells(into.cells.segments[g][j], other.cells.segments[g][j]);
  for (std::size_t m = 0; m < 2; ++m)
    for (std::size_t i = 0; i < into.confusion[m].size(); ++i) into.confusion[m][i].add(other.confusion[m][i]);
}

// ---- the finish ----

GroupingSet global_groupings(const Plan& plan, const RowsState& rows) {
  GroupingSet set;
  set.segment_count = plan.policy.segments.size();
  for (std::size_t g = 0; g < plan.facts.groupings.size(); ++g) {
    const Facts::GroupingValues& f = plan.facts.groupings[g];
    Grouping grouping;
    grouping.name = f.name;
    grouping.columns = f.columns;
    grouping.values = f.values;
    for (std::size_t j = 0; j < f.values.size(); ++j) {
      grouping.rows.push_back(static_cast<std::size_t>(rows.group_rows[g][j]));
      grouping.positives.push_back(static_cast<std::size_t>(rows.group_positives[g][j]));
    }
    set.groupings.push_back(std::move(grouping));
  }
  return set;
}

// The policy's columns as every partition's table resolved them: a multiclass prefix names
// prefix + class for each of the plan's classes (the rows digest lists the columns by name).
ColumnNames resolved_columns(const Plan& plan) {
  const ColumnNames& names = plan.policy.columns;
  if (!names.multiclass()) return names;
  std::vector<std::string> available;
  for (const ClassColumns& model : names.class_columns) {
    available.insert(available.end(), model.columns.begin(), model.columns.end());
    if (model.columns.empty())
      for (const std::string& c : plan.facts.classes) available.push_back(model.prefix + c);
  }
  return resolve_class_columns(names, available, "plan");
}

Evaluation describe_partitioned(const Plan& plan, const RowsState& rows, std::string_view origin) {
  Evaluation ev;
  ev.run.started_at = utc_now();
  ev.policy = plan.policy;
  ev.bootstrap = plan.bootstrap();
  ev.rows = static_cast<std::size_t>(rows.rows);
  // Ranking resamples whole queries: its units are grouped rows even without a cluster column.
  ev.clustered = !plan.policy.columns.cluster.empty() || task_definition(plan.policy.task).queries;
  ev.units = static_cast<std::size_t>(rows.units);
  ev.queries = static_cast<std::size_t>(rows.queries);
  ev.empty_queries = static_cast<std::size_t>(rows.empty_queries);
  ev.source.origin = std::string(origin);
  ev.source.sha256 = keyed_digest(resolved_columns(plan), rows.rows, rows.digests);
  ev.source.hashed = std::string(keyed_digest_kind(plan.policy.columns));
  ev.jackknife_groups = plan.jackknife_groups();
  ev.run.threads = std::max(1u, std::thread::hardware_concurrency());
  return ev;
}

void check_rows(const Plan& plan, std::span<const ModelPartial> models, const RowsState& rows) {
  bool whole = rows.rows == plan.facts.rows;
  std::string seen;
  for (const ModelPartial& m : models) {
    whole = whole && m.rows == plan.facts.rows;
    seen += std::to_string(m.rows) + ", ";
  }
  if (!whole)
    throw UsageError("the passes saw " + seen + "and " + std::to_string(rows.rows) + " rows, the facts " +
                     std::to_string(plan.facts.rows) + "; every pass must see every row once");
}

}  // namespace

std::string facts_state(const Table& part, const Policy& policy, const Limits& limits) {
  check_partitionable(policy);
  validate_inputs(part, policy, EvaluateOptions{});
  std::string bytes;
  ByteWriter out(bytes);
  write_header(out, StateKind::facts, raw_digest(policy.sha256));
  write_facts(out, facts_of(part, policy, limits));
  return bytes;
}

Policy plan_policy(std::string_view plan, const Limits& limits) { return read_plan(plan, limits).policy; }

std::vector<std::string> passes(std::string_view plan) { return pass_names(read_plan(plan)); }

bool ranked(std::string_view plan_bytes, std::string_view pass) {
  const Plan plan = read_plan(plan_bytes);
  return ranked_pass(plan, pass_index(plan, pass));
}

std::vector<std::uint64_t> buckets(std::string_view plan_bytes, std::string_view pass, const Table& part) {
  const Plan plan = read_plan(plan_bytes);
  const std::size_t p = pass_index(plan, pass);
  if (const auto b = budget_pass(plan, p)) return budget_buckets(plan, *b, part);
  std::vector<std::uint64_t> out(part.rows);
  if (ranked_pass(plan, p)) {
    const unsigned bits = score_bucket_bits(plan.facts.rows);
    const bool ascending = task_definition(plan.policy.task).ascending;
    for (std::size_t r = 0; r < part.rows; ++r) {
      const double score = ranked_score(plan, p, part, r);
      out[r] = ascending ? value_bucket(score, bits) : score_bucket(score, bits);
    }
  } else {
    const unsigned bits = key_bucket_bits(plan.facts.rows);
    for (std::size_t r = 0; r < part.rows; ++r) out[r] = key_bucket(part.unit_key[r], bits);
  }
  return out;
}

std::string pass_state(std::string_view plan_bytes, std::string_view pass, const Table& part, std::string_view above,
                       unsigned threads, const Limits& limits) {
  const Plan plan = read_plan(plan_bytes, limits);
  validate_inputs(part, plan.policy, EvaluateOptions{});
  const std::size_t p = pass_index(plan, pass);
  if (!ranked_pass(plan, p) && !above.empty())
    throw UsageError("the " + pass_name(plan, p) + " pass is order-free: it runs once and takes no above");
  if (const auto b = budget_pass(plan, p)) return budget_pass_state(plan, *b, part, above, threads);
  if (p < rows_pass(plan)) return ranked_state(plan, p, part, above, threads, limits);
  return rows_state(plan, part, limits);
}

std::string totals_state(std::string_view plan_bytes, std::string_view pass, const Table& part, unsigned threads,
                         const Limits& limits) {
  const Plan plan = read_plan(plan_bytes, limits);
  validate_inputs(part, plan.policy, EvaluateOptions{});
  const std::size_t model = pass_index(plan, pass);
  if (!ranked_pass(plan, model))
    throw UsageError("the " + pass_name(plan, model) + " pass is not ranked: it has no round 1, only pass_state()");
  // A budget pass's round 1 is its share without an above: each lane's whole weight.
  if (const auto b = budget_pass(plan, model)) return budget_pass_state(plan, *b, part, {}, threads);
  const auto columns = partition_columns(plan, part, limits);
  const ReplicateEngine engine(columns->columns);
  return write_model(plan, engine.totals(request_of(plan, threads), model), StateKind::totals);
}

namespace {

// Round 1 folds rows in memory order, every fold an integer, only with whole weights and a
// binary totals block (binary_totals.hpp); the outcome and budget passes' round 1 is their
// whole share, folded by bucket.
bool totals_add_exactly(const Plan& plan, std::size_t p) {
  return ranked_pass(plan, p) && !budget_pass(plan, p) && !task_definition(plan.policy.task).ascending &&
         plan.policy.columns.weight.empty();
}

}  // namespace

bool mergeable_totals(std::string_view plan_bytes, std::string_view pass) {
  const Plan plan = read_plan(plan_bytes);
  return totals_add_exactly(plan, pass_index(plan, pass));
}

std::string merge_totals(std::string_view plan_bytes, std::string_view pass, std::span<const std::string> totals) {
  const Plan plan = read_plan(plan_bytes);
  const std::size_t model = pass_index(plan, pass);
  if (!totals_add_exactly(plan, model))
    throw UsageError("round 1's totals of the " + pass_name(plan, model) + " pass do not add exactly in pieces (a "
                     "weight column, or a pass whose round 1 folds by rank): take totals_state() over whole "
                     "partitions (mergeable_totals())");
  return merge_model(plan, model, totals, StateKind::totals);
}

// Each partition's above is the exact sum of the totals of every partition ranked before it.
// The states are read twice (their ranges, then their sums in rank order), so the driver
// holds one partition's totals at a time, however many partitions there are.
std::vector<std::string> aboves(std::string_view plan_bytes, std::string_view pass, std::span<const std::string> round1) {
  const Plan plan = read_plan(plan_bytes);
  const std::size_t model = pass_index(plan, pass);
  if (!ranked_pass(plan, model)) throw UsageError("only a ranked pass has aboves");
  if (const auto b = budget_pass(plan, model)) return budget_aboves(plan, *b, round1);
  const auto columns = driver_columns(plan);
  const ReplicateEngine engine(columns->columns);
  const ReplicateRequest request = request_of(plan, 1);
  // A task whose round 2 reads the pass's total (TaskDefinition::ascending) gives every
  // partition an above, the first too (zero sums: the driver's engine holds no rows).
  std::optional<ModelPartial> total;
  if (task_definition(plan.policy.task).ascending) total = engine.totals(request, model);
  std::vector<RankedRange> ranges;
  for (std::size_t i = 0; i < round1.size(); ++i) {
    const ModelPartial s = read_model(plan, engine, round1[i], model, StateKind::totals);
    if (!s.empty()) ranges.push_back({i, s.first_bucket, s.last_bucket});
    if (total) add_partial(*total, s);
  }
  const std::vector<RankedRange> order = rank_order(std::move(ranges), pass, "score");
  std::vector<std::string> out(round1.size());
  std::unique_ptr<ModelPartial> above;
  if (total) {
    above = std::make_unique<ModelPartial>(engine.totals(request, model));
    engine.attach_total(*above, *total);
  }
  for (std::size_t k = 0; k < order.size(); ++k) {
    ModelPartial s = read_model(plan, engine, round1[order[k].index], model, StateKind::totals);
    if (above) out[order[k].index] = write_model(plan, *above, StateKind::totals);
    if (above)
      add_partial(*above, s);
    else
      above = std::make_unique<ModelPartial>(std::move(s));
  }
  return out;
}

std::optional<std::uint64_t> first_bucket(std::string_view state) {
  ByteReader in(state, "partial state");
  std::array<std::uint8_t, 32> id{};
  const StateKind kind = read_header(in, id);
  if (kind == StateKind::facts) throw UsageError("a facts state has no buckets");
  if (kind == StateKind::ranked || kind == StateKind::totals || kind == StateKind::budget) in.u64();  // the pass
  in.u64();  // rows
  if (kind == StateKind::rows) in.u64();  // units
  const std::uint64_t first = in.u64(), last = in.u64();
  if (first > last) return std::nullopt;
  return first;
}

std::string merge_facts(std::span<const std::string> states, const Limits& limits) {
  if (states.empty()) throw UsageError("nothing to merge");
  std::array<std::uint8_t, 32> id{};
  Facts merged;
  for (std::size_t i = 0; i < states.size(); ++i) {
    ByteReader in(states[i], "facts state");
    std::array<std::uint8_t, 32> other{};
    if (read_header(in, other) != StateKind::facts) in.fail("not a facts state");
    if (i > 0 && other != id) in.fail("facts of another policy");
    id = other;
    Facts f = read_facts(in, limits);
    if (!in.done()) in.fail("trailing bytes");
    if (i == 0)
      merged = std::move(f);
    else
      add_facts(merged, f, limits);
  }
  std::string bytes;
  ByteWriter out(bytes);
  write_header(out, StateKind::facts, id);
  write_facts(out, merged);
  return bytes;
}

std::string merge(std::string_view plan_bytes, std::string_view pass, std::span<const std::string> states) {
  const Plan plan = read_plan(plan_bytes);
  const std::size_t p = pass_index(plan, pass);
  if (states.empty()) throw UsageError("nothing to merge");
  if (const auto b = budget_pass(plan, p)) return budget_merge(plan, *b, states);
  if (p == rows_pass(plan)) {
    RowsState merged = read_rows(plan, states[0]);
    for (std::size_t i = 1; i < states.size(); ++i) add_rows(merged, read_rows(plan, states[i]));
    return write_rows(plan, merged);
  }
  return merge_model(plan, p, states, StateKind::ranked);
}

Evaluation finish(std::string_view plan_bytes, std::span<const std::string> merged, std::string_view origin,
                  const Limits& limits) {
  const auto clock_start = std::chrono::steady_clock::now();
  const Plan plan = read_plan(plan_bytes, limits);
  const std::size_t models = rows_pass(plan), count = pass_names(plan).size();
  if (merged.size() != count)
    throw UsageError("finish takes " + std::to_string(count) + " merged states, one per pass in the order of "
                     "passes(), not " + std::to_string(merged.size()));
  const RowsState rows = read_rows(plan, merged[models]);
  const auto columns = driver_columns(plan);
  columns->columns.queries = static_cast<std::size_t>(rows.queries);  // each model pass must have seen as many
  const ReplicateEngine engine(columns->columns);
  std::vector<ModelPartial> partials;
  std::vector<const ModelPartial*> pointers;
  for (std::size_t p = 0; p < models; ++p) partials.push_back(read_model(plan, engine, merged[p], p));
  for (const ModelPartial& p : partials) pointers.push_back(&p);
  check_rows(plan, partials, rows);

  Evaluation ev = describe_partitioned(plan, rows, origin);
  if (plan.policy.task == Task::multiclass)
    ev.confusion = confusion_matrix(plan.facts.classes, !plan.policy.columns.weight.empty(), rows.confusion);
  const GroupingSet groups = global_groupings(plan, rows);
  const ReplicateRun run{engine.finish(request_of(plan, 1), pointers), engine.layout()};
  estimate_figures(ev, run, groups, rows.cells, origin);
  ev.budgets = budget_finish(plan, merged.subspan(models + 1));
  decide_gate(ev, run, groups, origin);
  ev.run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count();
  return ev;
}

Evaluation finish(std::string_view plan, const MergedPasses& merged, std::string_view origin, const Limits& limits) {
  const std::string in_order[] = {merged.champion, merged.challenger, merged.rows};
  return finish(plan, in_order, origin, limits);
}

}  // namespace referee::partitioned
