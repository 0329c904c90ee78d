/* Partitioned evaluation through the C API (referee.h, "Partitioned evaluation";
 * docs/partitioned.md), from a program written and compiled as C: a service that evaluates
 * per-hour shards and merges them later. Four hourly shards of a generated binary dataset
 * (row id, label, two models' scores, a segment, a sensitive attribute, and in one case a
 * weight) give the facts and the plan; each pass then regroups the rows into new tables by
 * their buckets (contiguous bucket ranges for a ranked pass), runs its rounds and merges the
 * states in another order; once, the plan and the states go through a file first. The
 * finished report must equal referee_evaluate() on every row, byte for byte outside "run",
 * and must differ from the report of another seed (so the comparison can fail). The same
 * service runs the multiclass task of two classes (probability blocks, roc_auc: seven passes,
 * the one-vs-rest ones ranked). A partition
 * read from CSV gives the bytes its borrowed columns give. Misuse
 * (NULLs, a state of another plan, a truncated state, a wrong pass name...) must give a
 * status and a message, never a crash. */

#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen, unlink */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <referee/referee.h>

#include "check.h"

#define ROWS 12000
#define HOURS 4 /* shards the service receives */
#define PARTS 3 /* partitions of each pass */
#define MAX_PASSES 8

/* ---- a generated dataset, and tables over any subset of its rows ---- */

struct sample {
  size_t n;
  double y[ROWS], a[ROWS], b[ROWS], w[ROWS];
  int region[ROWS], group[ROWS];
  /* The multiclass task of two classes "0" and "1": each model's probabilities (1 - a, a)
   * and (1 - b, b) as a row-major block, and a policy with roc_auc, so 7 passes. */
  int multiclass;
};

static const char* const kRegions[] = {"north", "south", "east", "west"};
static const char* const kGroups[] = {"x", "yy"};

static uint64_t splitmix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static double uniform(uint64_t* state) { return (double)(splitmix64(state) >> 11) * (1.0 / 9007199254740992.0); }

/* Scores spread over many binary exponents (so over many score buckets), with ties: every
 * fifth champion score is rounded to a multiple of 1/51. */
static void generate(struct sample* s, uint64_t seed) {
  size_t i;
  s->n = ROWS;
  for (i = 0; i < ROWS; ++i) {
    const double u = uniform(&seed), v = uniform(&seed), t = uniform(&seed);
    s->y[i] = uniform(&seed) < 0.35 ? 1.0 : 0.0;
    s->a[i] = 0.6 * u * u + 0.39 * s->y[i] + 0.0001;
    if (i % 5 == 0) s->a[i] = (double)((long)(s->a[i] * 50.0) + 1) / 51.0;
    s->b[i] = 0.5 * v * v + 0.45 * s->y[i] + 0.0002;
    s->w[i] = 0.5 + (double)(splitmix64(&seed) % 7) * 0.375;
    s->region[i] = (int)(t * 4.0);
    s->group[i] = splitmix64(&seed) % 3 == 0 ? 0 : 1;
  }
}

/* One table's columns (borrowed by the table, so they live as long as it does). */
struct part {
  size_t n;
  size_t* rows; /* the sample's row of each of this table's rows */
  double *y, *a, *b, *w, *blocks[2];
  int64_t* id;
  char *region, *group;
  int64_t *region_offsets, *group_offsets;
  referee_table* table;
};

/* Arrow-style strings for `n` rows: value r is names[codes[rows[r]]]. */
static void strings_of(const char* const* names, const int* codes, const size_t* rows, size_t n, char** bytes,
                       int64_t** offsets) {
  size_t r, at = 0;
  *bytes = (char*)malloc(n * 8 + 1);
  *offsets = (int64_t*)malloc((n + 1) * sizeof(int64_t));
  (*offsets)[0] = 0;
  for (r = 0; r < n; ++r) {
    const char* name = names[codes[rows[r]]];
    memcpy(*bytes + at, name, strlen(name));
    at += strlen(name);
    (*offsets)[r + 1] = (int64_t)at;
  }
}

/* The multiclass blocks of a part: rows of (1 - a, a) for the champion, (1 - b, b) for the
 * challenger, classes "0" and "1". */
static void add_class_blocks(struct part* p) {
  static const char* const names[] = {"0", "1"};
  size_t m, r;
  for (m = 0; m < 2; ++m) {
    const double* score = m == 0 ? p->a : p->b;
    p->blocks[m] = (double*)malloc((2 * p->n + 1) * sizeof(double));
    for (r = 0; r < p->n; ++r) {
      p->blocks[m][2 * r] = 1.0 - score[r];
      p->blocks[m][2 * r + 1] = score[r];
    }
    CHECK(referee_table_add_class_scores(p->table, (int)m, p->blocks[m], p->n, 2, 2, 1, names) == REFEREE_OK);
  }
}

/* A table of the sample's `rows` (in that order); the weight column only when `weighted`. */
static void part_make(struct part* p, const struct sample* s, const size_t* rows, size_t n, int weighted) {
  size_t r;
  p->n = n;
  p->rows = (size_t*)malloc((n + 1) * sizeof(size_t));
  p->y = (double*)malloc((n + 1) * sizeof(double));
  p->a = (double*)malloc((n + 1) * sizeof(double));
  p->b = (double*)malloc((n + 1) * sizeof(double));
  p->w = (double*)malloc((n + 1) * sizeof(double));
  p->id = (int64_t*)malloc((n + 1) * sizeof(int64_t));
  for (r = 0; r < n; ++r) {
    p->rows[r] = rows[r];
    p->y[r] = s->y[rows[r]];
    p->a[r] = s->a[rows[r]];
    p->b[r] = s->b[rows[r]];
    p->w[r] = s->w[rows[r]];
    p->id[r] = 1000000 + (int64_t)rows[r];
  }
  strings_of(kRegions, s->region, rows, n, &p->region, &p->region_offsets);
  strings_of(kGroups, s->group, rows, n, &p->group, &p->group_offsets);
  p->table = NULL;
  CHECK(referee_table_create(n, &p->table) == REFEREE_OK);
  CHECK(referee_table_add_numeric(p->table, "y", p->y, n, REFEREE_F64) == REFEREE_OK);
  p->blocks[0] = p->blocks[1] = NULL;
  if (s->multiclass) {
    add_class_blocks(p);
  } else {
    CHECK(referee_table_add_numeric(p->table, "a", p->a, n, REFEREE_F64) == REFEREE_OK);
    CHECK(referee_table_add_numeric(p->table, "b", p->b, n, REFEREE_F64) == REFEREE_OK);
  }
  if (weighted) CHECK(referee_table_add_numeric(p->table, "w", p->w, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(p->table, "id", p->id, n, REFEREE_I64) == REFEREE_OK);
  CHECK(referee_table_add_strings(p->table, "region", p->region, p->region_offsets, n) == REFEREE_OK);
  CHECK(referee_table_add_strings(p->table, "grp", p->group, p->group_offsets, n) == REFEREE_OK);
}

static void part_free(struct part* p) {
  referee_table_free(p->table);
  free(p->rows);
  free(p->y);
  free(p->a);
  free(p->b);
  free(p->w);
  free(p->id);
  free(p->region);
  free(p->group);
  free(p->region_offsets);
  free(p->group_offsets);
  free(p->blocks[0]);
  free(p->blocks[1]);
}

/* A policy from a JSON text whose "%s" takes the weight column when `weighted`. */
static referee_policy* policy_from(const char* format, int weighted) {
  char json[2048];
  referee_policy* policy = NULL;
  snprintf(json, sizeof json, format, weighted ? ", \"weight\": \"w\"" : "");
  CHECK(referee_policy_create(json, strlen(json), &policy) == REFEREE_OK);
  return policy;
}

static referee_policy* policy_of(int weighted) {
  return policy_from(
      "{\"version\": 1, \"task\": \"binary\","
      " \"columns\": {\"label\": \"y\", \"champion\": \"a\", \"challenger\": \"b\", \"id\": \"id\","
      " \"segments\": [\"region\"], \"sensitive\": [\"grp\"]%s},"
      " \"threshold\": 0.4, \"bootstrap\": {\"resamples\": 200, \"interval\": \"bca\", \"seed\": 5},"
      " \"rules\": [{\"id\": \"auc\", \"metric\": \"roc_auc\", \"subject\": \"delta\", \"min\": -0.05},"
      " {\"id\": \"ap\", \"metric\": \"average_precision\", \"subject\": \"challenger\", \"min\": 0.1},"
      " {\"id\": \"acc\", \"metric\": \"accuracy\", \"subject\": \"delta\", \"min\": -0.1},"
      " {\"id\": \"seg\", \"metric\": \"roc_auc\", \"subject\": \"delta\","
      " \"scope\": {\"each_segment\": \"region\"}, \"min\": -0.2},"
      " {\"id\": \"eo\", \"metric\": \"equalized_odds_difference\", \"sensitive\": \"grp\","
      " \"subject\": \"challenger\", \"max\": 0.5}]}",
      weighted);
}

static referee_policy* multiclass_policy_of(int weighted) {
  return policy_from(
      "{\"version\": 1, \"task\": \"multiclass\","
      " \"columns\": {\"label\": \"y\", \"champion\": {\"prefix\": \"a_\"}, \"challenger\": {\"prefix\": \"b_\"},"
      " \"id\": \"id\", \"segments\": [\"region\"]%s},"
      " \"bootstrap\": {\"resamples\": 200, \"interval\": \"bca\", \"seed\": 5},"
      " \"rules\": [{\"id\": \"auc\", \"metric\": \"roc_auc\", \"average\": \"macro\", \"subject\": \"delta\","
      " \"min\": -0.05}, {\"id\": \"acc\", \"metric\": \"accuracy\", \"subject\": \"delta\", \"min\": -0.1},"
      " {\"id\": \"seg\", \"metric\": \"log_loss\", \"subject\": \"delta\","
      " \"scope\": {\"each_segment\": \"region\"}, \"max\": 0.2}]}",
      weighted);
}

/* ---- buffers as (data, size), the way a service holds stored bytes ---- */

struct bytes {
  const void* data;
  size_t size;
};

static struct bytes bytes_of(const referee_buffer* buffer) {
  struct bytes b = {NULL, 0};
  CHECK(referee_buffer_data(buffer, &b.data, &b.size) == REFEREE_OK);
  return b;
}

/* Arrays of pointers and sizes over `count` buffers, taken in the order `order` gives. */
static void spread(referee_buffer* const* buffers, const size_t* order, size_t count, const void** data,
                   size_t* sizes) {
  size_t i;
  for (i = 0; i < count; ++i) {
    const struct bytes b = bytes_of(buffers[order ? order[i] : i]);
    data[i] = b.data;
    sizes[i] = b.size;
  }
}

/* "Merge them later": the plan and a pass's states go to a file and come back as new
 * memory; what was read back is what gets merged. Returns the number of records read. */
static size_t through_file(const void** data, size_t* sizes, size_t count, void** copies) {
  char path[] = "/tmp/referee_partitioned_XXXXXX";
  const int fd = mkstemp(path);
  FILE* f = fd >= 0 ? fdopen(fd, "w+b") : NULL;
  size_t i, read = 0;
  CHECK(f != NULL);
  if (!f) return 0;
  for (i = 0; i < count; ++i) {
    CHECK(fwrite(&sizes[i], sizeof sizes[i], 1, f) == 1);
    CHECK(fwrite(data[i], 1, sizes[i], f) == sizes[i]);
  }
  rewind(f);
  for (i = 0; i < count; ++i) {
    size_t size = 0;
    if (fread(&size, sizeof size, 1, f) != 1) break;
    copies[i] = malloc(size ? size : 1);
    if (fread(copies[i], 1, size, f) != size) break;
    data[i] = copies[i];
    sizes[i] = size;
    ++read;
  }
  fclose(f);
  unlink(path);
  return read;
}

/* ---- the service ---- */

static const uint64_t* sort_keys;

static int by_key(const void* x, const void* y) {
  const uint64_t a = sort_keys[*(const size_t*)x], b = sort_keys[*(const size_t*)y];
  return a < b ? -1 : a > b;
}

/* The rows of partition `k` of a pass, from every row's bucket: a ranked pass cuts the
 * bucket order into PARTS contiguous ranges at bucket boundaries; another pass deals
 * buckets out by their number modulo PARTS. Rows are listed backwards, so no partition
 * sees the sample's order. */
static size_t partition_rows(const uint64_t* bucket, size_t n, int ranked, size_t k, size_t* out) {
  size_t* order = (size_t*)malloc(n * sizeof(size_t));
  size_t i, count = 0, boundaries = 0, start = 0, end = n;
  for (i = 0; i < n; ++i) order[i] = i;
  sort_keys = bucket;
  qsort(order, n, sizeof order[0], by_key);
  if (ranked) {
    size_t seen = 0;
    for (i = 1; i < n; ++i) boundaries += bucket[order[i]] != bucket[order[i - 1]];
    CHECK(boundaries >= PARTS - 1); /* the data must reach several buckets */
    /* Partition k starts at boundary number ceil(k * boundaries / PARTS), which is 1 or
     * more and grows with k, so the ranges are contiguous, disjoint and never empty. */
    for (i = 1; i < n; ++i) {
      if (bucket[order[i]] == bucket[order[i - 1]]) continue;
      ++seen;
      if (k > 0 && seen == (k * boundaries + PARTS - 1) / PARTS) start = i;
      if (k + 1 < PARTS && seen == ((k + 1) * boundaries + PARTS - 1) / PARTS) end = i;
    }
    for (i = end; i > start; --i) out[count++] = order[i - 1];
  } else {
    for (i = n; i > 0; --i)
      if (bucket[order[i - 1]] % PARTS == k) out[count++] = order[i - 1];
  }
  free(order);
  return count;
}

/* Every row's bucket in `pass`, computed shard by shard as a service would. */
static void shard_buckets(const struct bytes* plan, const char* pass, const struct part* shards, uint64_t* bucket) {
  size_t h, r;
  for (h = 0; h < HOURS; ++h) {
    uint64_t* mine = (uint64_t*)malloc((shards[h].n + 1) * sizeof(uint64_t));
    CHECK(referee_partition_buckets(plan->data, plan->size, pass, shards[h].table, mine, shards[h].n) == REFEREE_OK);
    for (r = 0; r < shards[h].n; ++r) bucket[shards[h].rows[r]] = mine[r];
    free(mine);
  }
}

/* Round 1, the aboves and round 2 of a ranked pass; one round of another. */
static void pass_states(const struct bytes* plan, const char* pass, int ranked, const struct part* parts,
                        referee_buffer** states) {
  referee_buffer* round1[PARTS] = {NULL};
  referee_buffer* above[PARTS] = {NULL};
  const void* data[PARTS];
  size_t sizes[PARTS], k;
  if (!ranked) {
    for (k = 0; k < PARTS; ++k)
      CHECK(referee_partition_pass_state(plan->data, plan->size, pass, parts[k].table, NULL, 0, NULL, &states[k]) ==
            REFEREE_OK);
    return;
  }
  for (k = 0; k < PARTS; ++k)
    CHECK(referee_partition_totals(plan->data, plan->size, pass, parts[k].table, NULL, &round1[k]) == REFEREE_OK);
  spread(round1, NULL, PARTS, data, sizes);
  CHECK(referee_partition_aboves(plan->data, plan->size, pass, data, sizes, PARTS, above) == REFEREE_OK);
  for (k = 0; k < PARTS; ++k) {
    const struct bytes a = bytes_of(above[k]);
    int has = 0;
    uint64_t first = 0;
    CHECK(referee_partition_first_bucket(data[k], sizes[k], &has, &first) == REFEREE_OK && has == 1);
    CHECK((a.size == 0) == (k == 0)); /* only the partition ranked first has nothing above */
    CHECK(referee_partition_pass_state(plan->data, plan->size, pass, parts[k].table, a.data, a.size, NULL,
                                       &states[k]) == REFEREE_OK);
    referee_buffer_free(round1[k]);
    referee_buffer_free(above[k]);
  }
}

/* One pass: buckets per shard, new partition tables, their states, merged in reverse order
 * (through a file when `stored`). */
static referee_buffer* run_pass(const struct sample* s, const struct bytes* plan, const char* pass,
                                const struct part* shards, int weighted, int stored) {
  uint64_t* bucket = (uint64_t*)malloc(s->n * sizeof(uint64_t));
  size_t* rows = (size_t*)malloc(s->n * sizeof(size_t));
  struct part parts[PARTS];
  referee_buffer* states[PARTS] = {NULL};
  referee_buffer* merged = NULL;
  const size_t reverse[PARTS] = {2, 1, 0};
  const void* data[PARTS + 1];
  size_t sizes[PARTS + 1], k;
  int ranked = -1;
  CHECK(referee_partition_ranked(plan->data, plan->size, pass, &ranked) == REFEREE_OK && ranked >= 0);
  shard_buckets(plan, pass, shards, bucket);
  for (k = 0; k < PARTS; ++k) part_make(&parts[k], s, rows, partition_rows(bucket, s->n, ranked, k, rows), weighted);
  pass_states(plan, pass, ranked, parts, states);
  spread(states, reverse, PARTS, data, sizes);
  if (stored) {
    void* copies[PARTS + 1] = {NULL};
    data[PARTS] = plan->data;
    sizes[PARTS] = plan->size;
    CHECK(through_file(data, sizes, PARTS + 1, copies) == PARTS + 1);
    CHECK(referee_partition_merge(data[PARTS], sizes[PARTS], pass, data, sizes, PARTS, &merged) == REFEREE_OK);
    for (k = 0; k <= PARTS; ++k) free(copies[k]);
  } else {
    CHECK(referee_partition_merge(plan->data, plan->size, pass, data, sizes, PARTS, &merged) == REFEREE_OK);
  }
  for (k = 0; k < PARTS; ++k) {
    referee_buffer_free(states[k]);
    part_free(&parts[k]);
  }
  free(bucket);
  free(rows);
  return merged;
}

/* Facts from the hourly shards, merged in another order, and the plan (seed from `options`). */
static referee_buffer* plan_of(const referee_policy* policy, const struct part* shards,
                               const referee_options* options) {
  referee_buffer* facts[HOURS] = {NULL};
  referee_buffer *merged = NULL, *plan = NULL;
  const size_t order[HOURS] = {3, 1, 0, 2};
  const void* data[HOURS];
  size_t sizes[HOURS], h;
  struct bytes m;
  for (h = 0; h < HOURS; ++h)
    CHECK(referee_partition_facts(shards[h].table, policy, options, &facts[h]) == REFEREE_OK);
  spread(facts, order, HOURS, data, sizes);
  CHECK(referee_partition_merge_facts(data, sizes, HOURS, options, &merged) == REFEREE_OK);
  m = bytes_of(merged);
  CHECK(referee_partition_plan(policy, m.data, m.size, options, &plan) == REFEREE_OK);
  for (h = 0; h < HOURS; ++h) referee_buffer_free(facts[h]);
  referee_buffer_free(merged);
  return plan;
}

/* The whole protocol over the sample's hourly shards. */
static referee_report* partitioned_report(const struct sample* s, const referee_policy* policy,
                                          const referee_options* options, int weighted) {
  struct part shards[HOURS];
  referee_buffer *plan_buffer, *names = NULL;
  referee_buffer* merged[MAX_PASSES] = {NULL};
  referee_report* report = NULL;
  const void* data[MAX_PASSES];
  size_t sizes[MAX_PASSES], h, passes = 0, row = 0;
  size_t* rows = (size_t*)malloc(s->n * sizeof(size_t));
  struct bytes plan, list;
  const char* pass;
  for (h = 0; h < s->n; ++h) rows[h] = h;
  for (h = 0; h < HOURS; ++h, row += s->n / HOURS) part_make(&shards[h], s, rows + row, s->n / HOURS, weighted);
  plan_buffer = plan_of(policy, shards, options);
  plan = bytes_of(plan_buffer);
  CHECK(referee_partition_passes(plan.data, plan.size, &names) == REFEREE_OK);
  list = bytes_of(names);
  for (pass = (const char*)list.data; pass < (const char*)list.data + list.size && passes < MAX_PASSES;
       pass += strlen(pass) + 1, ++passes)
    merged[passes] = run_pass(s, &plan, pass, shards, weighted, passes == 0);
  CHECK(passes == (s->multiclass ? 7 : 3));
  spread(merged, NULL, passes, data, sizes);
  CHECK(referee_partition_finish(plan.data, plan.size, data, sizes, passes, "memory", NULL, &report) == REFEREE_OK);
  for (h = 0; h < passes; ++h) referee_buffer_free(merged[h]);
  for (h = 0; h < HOURS; ++h) part_free(&shards[h]);
  referee_buffer_free(names);
  referee_buffer_free(plan_buffer);
  free(rows);
  return report;
}

/* referee_evaluate() on every row, in the sample's order. */
static referee_report* whole_report(const struct sample* s, const referee_policy* policy,
                                    const referee_options* options, int weighted) {
  struct part whole;
  referee_report* report = NULL;
  size_t* rows = (size_t*)malloc(s->n * sizeof(size_t));
  size_t r;
  for (r = 0; r < s->n; ++r) rows[r] = r;
  part_make(&whole, s, rows, s->n, weighted);
  CHECK(referee_evaluate(whole.table, policy, options, &report) == REFEREE_OK);
  part_free(&whole);
  free(rows);
  return report;
}

static const char* json_of(const referee_report* report) {
  const char* json = "";
  CHECK(report && referee_report_json(report, &json, NULL) == REFEREE_OK);
  return json;
}

static void test_service(struct sample* s, int weighted) {
  referee_policy* policy = s->multiclass ? multiclass_policy_of(weighted) : policy_of(weighted);
  referee_options* seed6 = NULL;
  referee_report *partitioned, *whole, *partitioned6, *whole6;
  referee_verdict a = REFEREE_PASS, b = REFEREE_FAIL;
  CHECK(referee_options_create(&seed6) == REFEREE_OK);
  CHECK(referee_options_set_seed(seed6, 6) == REFEREE_OK);
  partitioned = partitioned_report(s, policy, NULL, weighted);
  whole = whole_report(s, policy, NULL, weighted);
  CHECK(same_outside_run(json_of(partitioned), json_of(whole)));
  CHECK(referee_report_verdict(partitioned, &a) == REFEREE_OK && referee_report_verdict(whole, &b) == REFEREE_OK &&
        a == b);
  /* The comparison can fail: another seed's report differs, and the plan takes the seed
   * override as referee_evaluate() does. */
  partitioned6 = partitioned_report(s, policy, seed6, weighted);
  whole6 = whole_report(s, policy, seed6, weighted);
  CHECK(!same_outside_run(json_of(partitioned), json_of(whole6)));
  CHECK(same_outside_run(json_of(partitioned6), json_of(whole6)));
  printf("partitioned (%s%s): %d hourly shards, %d partitions a pass, report of %zu bytes\n",
         s->multiclass ? "multiclass, " : "", weighted ? "weighted" : "unweighted", HOURS, PARTS,
         strlen(json_of(partitioned)));
  referee_report_free(partitioned);
  referee_report_free(whole);
  referee_report_free(partitioned6);
  referee_report_free(whole6);
  referee_options_free(seed6);
  referee_policy_free(policy);
}

/* ---- a partition read from CSV is the same partition ---- */

/* The part's rows as a CSV file (doubles with 17 digits, so they read back exactly). */
static int write_csv(const struct part* p, const struct sample* s, char* path) {
  const int fd = mkstemp(path);
  FILE* f = fd >= 0 ? fdopen(fd, "w") : NULL;
  size_t r;
  if (!f) return 0;
  fprintf(f, "id,y,a,b,region,grp\n");
  for (r = 0; r < p->n; ++r)
    fprintf(f, "%lld,%.17g,%.17g,%.17g,%s,%s\n", (long long)p->id[r], p->y[r], p->a[r], p->b[r],
            kRegions[s->region[p->rows[r]]], kGroups[s->group[p->rows[r]]]);
  return fclose(f) == 0;
}

/* Facts, buckets and a pass state of a table read with referee_table_read_csv() are those of
 * the same rows given as borrowed columns, byte for byte. */
static void test_csv_partition(const struct sample* s) {
  referee_policy* policy = policy_of(0);
  referee_table* csv = NULL;
  referee_buffer *facts[2] = {NULL, NULL}, *plan = NULL, *state[2] = {NULL, NULL};
  size_t rows[500], r;
  uint64_t buckets[2][500];
  struct part p;
  struct bytes f[2], pl, st[2];
  char path[] = "/tmp/referee_partition_csv_XXXXXX";
  for (r = 0; r < 500; ++r) rows[r] = (r * 7919) % s->n;
  part_make(&p, s, rows, 500, 0);
  CHECK(write_csv(&p, s, path));
  CHECK(referee_table_read_csv(path, policy, &csv) == REFEREE_OK);
  CHECK(referee_partition_facts(p.table, policy, NULL, &facts[0]) == REFEREE_OK);
  CHECK(referee_partition_facts(csv, policy, NULL, &facts[1]) == REFEREE_OK);
  f[0] = bytes_of(facts[0]);
  f[1] = bytes_of(facts[1]);
  CHECK(f[0].size == f[1].size && memcmp(f[0].data, f[1].data, f[0].size) == 0);
  CHECK(referee_partition_plan(policy, f[0].data, f[0].size, NULL, &plan) == REFEREE_OK);
  pl = bytes_of(plan);
  CHECK(referee_partition_buckets(pl.data, pl.size, "challenger", p.table, buckets[0], 500) == REFEREE_OK);
  CHECK(referee_partition_buckets(pl.data, pl.size, "challenger", csv, buckets[1], 500) == REFEREE_OK);
  CHECK(memcmp(buckets[0], buckets[1], sizeof buckets[0]) == 0);
  CHECK(referee_partition_pass_state(pl.data, pl.size, "challenger", p.table, NULL, 0, NULL, &state[0]) == REFEREE_OK);
  CHECK(referee_partition_pass_state(pl.data, pl.size, "challenger", csv, NULL, 0, NULL, &state[1]) == REFEREE_OK);
  st[0] = bytes_of(state[0]);
  st[1] = bytes_of(state[1]);
  CHECK(st[0].size == st[1].size && memcmp(st[0].data, st[1].data, st[0].size) == 0);
  unlink(path);
  for (r = 0; r < 2; ++r) {
    referee_buffer_free(facts[r]);
    referee_buffer_free(state[r]);
  }
  referee_buffer_free(plan);
  referee_table_free(csv);
  part_free(&p);
  referee_policy_free(policy);
}

/* ---- misuse: a status and a readable message, never a crash ---- */

/* True when `status` is `expected` and the message says `fragment`. */
static int fails_with(referee_status status, referee_status expected, const char* fragment) {
  return status == expected && contains(referee_last_error(), fragment);
}

static void test_refusals(const struct part* whole) {
  const char* keyless =
      "{\"version\": 1, \"task\": \"binary\", \"columns\": {\"label\": \"y\", \"champion\": \"a\","
      " \"challenger\": \"b\"}, \"rules\": [{\"id\": \"auc\", \"metric\": \"roc_auc\", \"subject\": \"delta\","
      " \"min\": -0.05}]}";
  referee_policy* policy = NULL;
  referee_buffer* out = (referee_buffer*)&out; /* not NULL, so the test sees it reset */
  CHECK(referee_policy_create(keyless, strlen(keyless), &policy) == REFEREE_OK);
  CHECK(fails_with(referee_partition_check(policy), REFEREE_POLICY_ERROR, "$.columns.id"));
  CHECK(fails_with(referee_partition_facts(whole->table, policy, NULL, &out), REFEREE_POLICY_ERROR, "$.columns.id"));
  CHECK(out == NULL);
  CHECK(fails_with(referee_partition_check(NULL), REFEREE_INVALID_ARGUMENT, "policy is NULL"));
  referee_policy_free(policy);
}

/* NULL pointers, counts and lengths that do not match. */
static void test_null_arguments(const struct bytes* plan, const struct part* whole, const struct bytes* state) {
  referee_buffer* out = NULL;
  uint64_t bucket = 0;
  int has = 0;
  size_t size = 0;
  const void* none = NULL;
  CHECK(fails_with(referee_partition_facts(NULL, NULL, NULL, NULL), REFEREE_INVALID_ARGUMENT, "out is NULL"));
  CHECK(fails_with(referee_partition_passes(NULL, 5, &out), REFEREE_INVALID_ARGUMENT, "plan is NULL"));
  CHECK(fails_with(referee_partition_ranked(plan->data, plan->size, NULL, &has), REFEREE_INVALID_ARGUMENT,
                   "pass is NULL"));
  CHECK(fails_with(referee_partition_merge(plan->data, plan->size, "rows", NULL, NULL, 2, &out),
                   REFEREE_INVALID_ARGUMENT, "states is NULL"));
  CHECK(fails_with(referee_partition_merge(plan->data, plan->size, "rows", &none, &state->size, 1, &out),
                   REFEREE_INVALID_ARGUMENT, "states[0] is NULL"));
  CHECK(fails_with(referee_partition_merge(plan->data, plan->size, "rows", NULL, NULL, 0, &out),
                   REFEREE_INVALID_ARGUMENT, "nothing to merge"));
  CHECK(fails_with(referee_partition_merge_facts(NULL, NULL, 0, NULL, &out), REFEREE_INVALID_ARGUMENT,
                   "nothing to merge"));
  CHECK(fails_with(referee_partition_buckets(plan->data, plan->size, "rows", whole->table, &bucket, 1),
                   REFEREE_INVALID_ARGUMENT, "the table has"));
  CHECK(fails_with(referee_partition_buckets(plan->data, plan->size, "rows", whole->table, NULL, whole->n),
                   REFEREE_INVALID_ARGUMENT, "out is NULL"));
  CHECK(fails_with(referee_partition_pass_state(plan->data, plan->size, "rows", NULL, NULL, 0, NULL, &out),
                   REFEREE_INVALID_ARGUMENT, "part is NULL"));
  CHECK(fails_with(referee_partition_first_bucket(state->data, state->size, NULL, &bucket), REFEREE_INVALID_ARGUMENT,
                   "has is NULL"));
  CHECK(fails_with(referee_buffer_data(NULL, &none, &size), REFEREE_INVALID_ARGUMENT, "buffer is NULL"));
  CHECK(fails_with(referee_partition_finish(plan->data, plan->size, NULL, NULL, 3, NULL, NULL, NULL),
                   REFEREE_INVALID_ARGUMENT, "out is NULL"));
  CHECK(out == NULL);
  referee_buffer_free(NULL);
}

/* States that do not belong where they are given. */
static void test_foreign_states(const struct bytes* plan, const struct bytes* other_plan, const struct part* whole) {
  referee_buffer *rows = NULL, *champion = NULL, *totals = NULL, *out = NULL;
  referee_buffer* aboves[2] = {NULL, NULL};
  referee_report* report = NULL;
  struct bytes r, c, t;
  const void* data[3];
  size_t sizes[3];
  int has = -1;
  uint64_t first = 1, bucket = 0;
  CHECK(referee_partition_pass_state(plan->data, plan->size, "rows", whole->table, NULL, 0, NULL, &rows) ==
        REFEREE_OK);
  CHECK(referee_partition_pass_state(plan->data, plan->size, "champion", whole->table, NULL, 0, NULL, &champion) ==
        REFEREE_OK);
  CHECK(referee_partition_totals(plan->data, plan->size, "champion", whole->table, NULL, &totals) == REFEREE_OK);
  r = bytes_of(rows);
  c = bytes_of(champion);
  t = bytes_of(totals);
  /* Round 1's totals and round 2's shares are not interchangeable; each step names them. */
  CHECK(fails_with(referee_partition_merge(plan->data, plan->size, "champion", &t.data, &t.size, 1, &out),
                   REFEREE_DATA_ERROR, "round 1's totals"));
  CHECK(fails_with(referee_partition_aboves(plan->data, plan->size, "champion", &c.data, &c.size, 1, aboves),
                   REFEREE_DATA_ERROR, "not round 1's totals"));
  CHECK(fails_with(referee_partition_pass_state(plan->data, plan->size, "champion", whole->table, c.data, c.size,
                                                NULL, &out),
                   REFEREE_DATA_ERROR, "not round 1's totals"));
  CHECK(fails_with(referee_partition_totals(plan->data, plan->size, "rows", whole->table, NULL, &out),
                   REFEREE_INVALID_ARGUMENT, "no round 1"));
  /* Whole weights: round 1's totals join over pieces of a partition (one piece: itself). */
  CHECK(referee_partition_mergeable_totals(plan->data, plan->size, "champion", &has) == REFEREE_OK && has == 1);
  CHECK(referee_partition_mergeable_totals(plan->data, plan->size, "rows", &has) == REFEREE_OK && has == 0);
  CHECK(referee_partition_merge_totals(plan->data, plan->size, "champion", &t.data, &t.size, 1, &out) == REFEREE_OK);
  CHECK(bytes_of(out).size == t.size && memcmp(bytes_of(out).data, t.data, t.size) == 0);
  referee_buffer_free(out);
  out = NULL;
  CHECK(fails_with(referee_partition_merge_totals(plan->data, plan->size, "champion", &c.data, &c.size, 1, &out),
                   REFEREE_DATA_ERROR, "not round 1's totals"));
  CHECK(fails_with(referee_partition_merge_totals(plan->data, plan->size, "rows", &t.data, &t.size, 1, &out),
                   REFEREE_INVALID_ARGUMENT, "do not add exactly in pieces"));
  CHECK(fails_with(referee_partition_merge(other_plan->data, other_plan->size, "rows", &r.data, &r.size, 1, &out),
                   REFEREE_DATA_ERROR, "another plan"));
  sizes[0] = r.size - 1; /* truncated */
  CHECK(fails_with(referee_partition_merge(plan->data, plan->size, "rows", &r.data, sizes, 1, &out),
                   REFEREE_DATA_ERROR, "truncated"));
  CHECK(fails_with(referee_partition_merge(plan->data, plan->size, "champions", &c.data, &c.size, 1, &out),
                   REFEREE_INVALID_ARGUMENT, "unknown pass"));
  CHECK(fails_with(referee_partition_merge(plan->data, plan->size, "challenger", &c.data, &c.size, 1, &out),
                   REFEREE_DATA_ERROR, "champion pass"));
  CHECK(fails_with(referee_partition_pass_state(plan->data, plan->size, "rows", whole->table, r.data, r.size, NULL,
                                                &out),
                   REFEREE_INVALID_ARGUMENT, "no above"));
  CHECK(fails_with(referee_partition_passes(r.data, r.size, &out), REFEREE_DATA_ERROR, "not a referee plan"));
  CHECK(fails_with(referee_partition_passes(plan->data, plan->size - 3, &out), REFEREE_DATA_ERROR, "plan"));
  /* Two partitions holding the same buckets. */
  data[0] = data[1] = t.data;
  sizes[0] = sizes[1] = t.size;
  aboves[0] = aboves[1] = (referee_buffer*)&out;
  CHECK(fails_with(referee_partition_aboves(plan->data, plan->size, "champion", data, sizes, 2, aboves),
                   REFEREE_INVALID_ARGUMENT, "share score bucket"));
  CHECK(aboves[0] == NULL && aboves[1] == NULL);
  CHECK(referee_partition_first_bucket(c.data, c.size, &has, &first) == REFEREE_OK && has == 1);
  CHECK(referee_partition_first_bucket(t.data, t.size, &has, &bucket) == REFEREE_OK && has == 1 && bucket == first);
  /* finish: one state per pass, each in its pass's place. */
  data[0] = c.data, data[1] = c.data, data[2] = r.data;
  sizes[0] = c.size, sizes[1] = c.size, sizes[2] = r.size;
  CHECK(fails_with(referee_partition_finish(plan->data, plan->size, data, sizes, 2, NULL, NULL, &report),
                   REFEREE_INVALID_ARGUMENT, "3 passes"));
  CHECK(fails_with(referee_partition_finish(plan->data, plan->size, data, sizes, 3, NULL, NULL, &report),
                   REFEREE_DATA_ERROR, "champion pass"));
  CHECK(report == NULL && out == NULL);
  referee_buffer_free(rows);
  referee_buffer_free(champion);
  referee_buffer_free(totals);
}

static void test_misuse(const struct sample* s) {
  referee_policy* policy = policy_of(0);
  referee_options* seed6 = NULL;
  referee_buffer *facts = NULL, *plan = NULL, *other = NULL, *state = NULL;
  referee_policy* carried = NULL;
  size_t* rows = (size_t*)malloc(s->n * sizeof(size_t));
  struct part whole;
  struct bytes f, p, o, st;
  size_t r;
  int has = -1;
  uint64_t first = 1;
  for (r = 0; r < s->n; ++r) rows[r] = r;
  part_make(&whole, s, rows, s->n, 0);
  CHECK(referee_options_create(&seed6) == REFEREE_OK);
  CHECK(referee_options_set_seed(seed6, 6) == REFEREE_OK);
  CHECK(referee_partition_check(policy) == REFEREE_OK);
  CHECK(referee_partition_facts(whole.table, policy, NULL, &facts) == REFEREE_OK);
  f = bytes_of(facts);
  CHECK(referee_partition_plan(policy, f.data, f.size, NULL, &plan) == REFEREE_OK);
  CHECK(referee_partition_plan(policy, f.data, f.size, seed6, &other) == REFEREE_OK);
  p = bytes_of(plan);
  o = bytes_of(other);
  CHECK(referee_partition_plan_policy(p.data, p.size, &carried) == REFEREE_OK && carried != NULL);
  CHECK(fails_with(referee_partition_first_bucket(f.data, f.size, &has, &first), REFEREE_INVALID_ARGUMENT,
                   "facts state") && has == 0 && first == 0);
  CHECK(fails_with(referee_partition_plan(policy, f.data, f.size - 1, NULL, &state), REFEREE_DATA_ERROR, "truncated"));
  CHECK(referee_partition_pass_state(p.data, p.size, "rows", whole.table, NULL, 0, NULL, &state) == REFEREE_OK);
  st = bytes_of(state);
  test_refusals(&whole);
  test_null_arguments(&p, &whole, &st);
  test_foreign_states(&p, &o, &whole);
  referee_buffer_free(state);
  referee_buffer_free(facts);
  referee_buffer_free(plan);
  referee_buffer_free(other);
  referee_policy_free(carried);
  referee_options_free(seed6);
  referee_policy_free(policy);
  part_free(&whole);
  free(rows);
}

int main(void) {
  static struct sample s;
  generate(&s, 20261203);
  test_service(&s, 0);
  test_service(&s, 1);
  s.multiclass = 1; /* seven passes: two one-vs-rest passes per model */
  test_service(&s, 1);
  s.multiclass = 0;
  test_csv_partition(&s);
  test_misuse(&s);
  printf("%d checks passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
