/* referee: the stable C API (libreferee.so).
 *
 * Everything referee does is reachable from C, and through C from Go, Rust, Java and any
 * other FFI: parse a policy, describe a table, evaluate, read the report.
 *
 *   referee_policy* policy = NULL;
 *   referee_table* table = NULL;
 *   referee_report* report = NULL;
 *   if (referee_policy_load("gate.json", &policy) != REFEREE_OK ||
 *       referee_table_read_csv("eval.csv", policy, &table) != REFEREE_OK ||
 *       referee_evaluate(table, policy, NULL, &report) != REFEREE_OK)
 *     fprintf(stderr, "referee: %s\n", referee_last_error());
 *
 * Conventions
 * - Every function that can fail returns a referee_status; REFEREE_OK is 0. The detail of
 *   the last failure is referee_last_error(). Status values are never renumbered.
 * - A gate FAIL is a result (referee_report_verdict), never an error status.
 * - Handles are opaque. Each *_create or *_load has a *_free, which accepts NULL. A NULL
 *   handle or out pointer is REFEREE_INVALID_ARGUMENT; on failure *out is set to NULL.
 * - A buffer passed with a length or count is read only after that length has been
 *   checked (against the table's rows, and against the largest object that can exist), so
 *   a wrong length is REFEREE_INVALID_ARGUMENT, never a read past the buffer. What cannot
 *   be checked is the caller's promise that the buffer holds what the length says.
 * - Strings returned by the library are owned by the handle they come from and stay valid
 *   until that handle is freed, except referee_last_error() (see below).
 * - No C++ exception ever crosses this API: an unexpected one is REFEREE_INTERNAL.
 * - Messages (referee_last_error) name files, lines, columns, rows and JSON paths, never a
 *   value of the data; text from a policy or a column name is quoted, escaped and cut short.
 *
 * Limits
 *   Everything a caller controls is bounded by caps with one name each (docs/security.md:
 *   max_policy_bytes, max_json_depth, max_rules, max_segment_values, max_field_bytes,
 *   max_record_bytes, max_report_bytes), set on an options handle with
 *   referee_options_set_limit. The functions taking options use its caps, a NULL options
 *   the defaults; those without (referee_policy_create, referee_policy_load,
 *   referee_table_read_csv) use the defaults. Exceeding a cap is the error of what
 *   exceeded it (a policy error, a data error) with a message naming the cap.
 *
 * Lifetime of table columns
 *   Columns added with referee_table_add_* are BORROWED, not copied: the table stores the
 *   caller's pointers. The caller's buffers must stay valid and unchanged until the last
 *   referee_evaluate() that uses the table has returned, or the table is freed. f64
 *   columns are read in place; f32, i64, i32 and u8 columns are converted to f64 in a
 *   temporary buffer during referee_evaluate(). Column names and the entries of a
 *   dictionary column's dictionary are copied; its codes, a string column's bytes and
 *   offsets, and every numeric buffer are borrowed.
 *   A table from referee_table_read_csv() owns its data and borrows nothing.
 *
 * Threading contract
 * - The library has no global mutable state, except each thread's last-error message.
 * - A handle may be used by one thread at a time. A policy may be shared, read-only, by
 *   any number of threads evaluating at once.
 * - referee_evaluate() uses worker threads of its own (referee_options_set_threads); the
 *   result depends on the seed, never on the number of threads.
 * - The progress callback is called from worker threads, one call at a time.
 * - referee_options_cancel() may be called from any thread while referee_evaluate() runs;
 *   that call then returns REFEREE_CANCELLED and no report. The cancel is sticky: every
 *   later referee_evaluate() with the same options is cancelled too.
 * - referee_last_error() is thread-local and valid until the next referee call on the
 *   same thread.
 */
#ifndef REFEREE_H
#define REFEREE_H

#include <stddef.h>
#include <stdint.h>

#include <referee/version.h>

#if defined(_WIN32)
#define REFEREE_API __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define REFEREE_API __attribute__((visibility("default")))
#else
#define REFEREE_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum referee_status {
  REFEREE_OK = 0,
  REFEREE_INVALID_ARGUMENT = 1, /* a NULL handle, a bad length, a duplicate column name */
  REFEREE_POLICY_ERROR = 2,     /* the policy is invalid; the message names the JSON path */
  REFEREE_DATA_ERROR = 3,       /* the data is invalid; the message names column and row */
  REFEREE_IO_ERROR = 4,         /* a file could not be read or written */
  REFEREE_CANCELLED = 5,        /* referee_options_cancel() was called */
  REFEREE_INTERNAL = 6          /* a bug in referee, or out of memory */
} referee_status;

typedef enum referee_verdict {
  REFEREE_PASS = 0,
  REFEREE_WARN = 1,
  REFEREE_FAIL = 2,
  REFEREE_INCONCLUSIVE = 3
} referee_verdict;

typedef enum referee_type {
  REFEREE_F64 = 0,
  REFEREE_F32 = 1,
  REFEREE_I64 = 2,
  REFEREE_I32 = 3,
  REFEREE_U8 = 4 /* booleans, 0 or 1 */
} referee_type;

typedef struct referee_policy referee_policy;
typedef struct referee_table referee_table;
typedef struct referee_options referee_options;
typedef struct referee_report referee_report;

/* Version of the library actually loaded; compare with REFEREE_VERSION_NUMBER to catch a
 * header/library mismatch. */
REFEREE_API const char* referee_version(void);
REFEREE_API unsigned referee_version_number(void);

REFEREE_API const char* referee_status_name(referee_status status);
REFEREE_API const char* referee_verdict_name(referee_verdict verdict);
REFEREE_API const char* referee_last_error(void);

/* Policies: JSON text (need not be NUL-terminated) or a file (a regular file only). Every
 * problem with the text is a REFEREE_POLICY_ERROR whose message gives its line and column
 * or JSON path: invalid UTF-8, invalid JSON, nesting deeper than max_json_depth, a number
 * beyond double range, a key given twice in one object, more than max_rules rules, text or
 * a file larger than max_policy_bytes (checked before the text is read). */
REFEREE_API referee_status referee_policy_create(const char* json, size_t length, referee_policy** out);
REFEREE_API referee_status referee_policy_load(const char* path, referee_policy** out);
/* As above, under the caps of `options` (NULL: the defaults). The policy keeps nothing of
 * the options. */
REFEREE_API referee_status referee_policy_create_with_options(const char* json, size_t length,
                                                              const referee_options* options,
                                                              referee_policy** out);
REFEREE_API referee_status referee_policy_load_with_options(const char* path, const referee_options* options,
                                                            referee_policy** out);
REFEREE_API void referee_policy_free(referee_policy* policy);

/* Tables: `rows` rows; columns are matched to the policy's roles by name at evaluation,
 * and a role whose column is missing is a REFEREE_DATA_ERROR. Each column's `length` must
 * equal `rows`, and names must be unique (else REFEREE_INVALID_ARGUMENT). Scores (an
 * outcome policy's per-example results), weight and the serving columns ($.columns.latency,
 * cost and error) must be numeric. The label must be numeric, except under a binary policy
 * with $.columns.positive_label or a multiclass policy, whose label may be any kind:
 * strings, a dictionary, integers or floats, each value compared as its text with the
 * positive label or the class names (as a CSV cell would read; f64 and f32 values as their
 * shortest round-trip text, NaN missing).
 * An outcome policy ($.task "outcome") has no label: the table needs no label column. The
 * cluster, segment and sensitive-attribute columns may be strings, a dictionary, or
 * integers (i64, i32, u8: a value is its decimal text, as a CSV cell would read); f64 and
 * f32 there are a REFEREE_DATA_ERROR. The row id column ($.columns.id) may be strings, a
 * dictionary or integers as the cluster column may, or f64/f32 holding whole numbers (a
 * value is its integer's decimal text, so 42.0 and the i64 42 are the same id; a fractional
 * value is a REFEREE_DATA_ERROR); ids must be unique. A drift feature ($.drift.features) may be any kind:
 * an f64 or f32 value becomes its shortest text that reads back as the same number, an
 * f64 or f32 NaN and an empty string are missing values, as an empty CSV cell is. */
REFEREE_API referee_status referee_table_create(size_t rows, referee_table** out);
REFEREE_API referee_status referee_table_add_numeric(referee_table* table, const char* name,
                                                     const void* data, size_t length, referee_type type);
/* UTF-8 strings, Arrow-style: value i is bytes[offsets[i], offsets[i + 1]); `offsets` has
 * length + 1 entries. */
REFEREE_API referee_status referee_table_add_strings(referee_table* table, const char* name,
                                                     const char* bytes, const int64_t* offsets,
                                                     size_t length);
/* Dictionary-encoded strings: value i is dictionary[codes[i]] (NUL-terminated UTF-8). A code
 * outside [0, dictionary_size) is a REFEREE_DATA_ERROR from referee_evaluate() naming the
 * column and the row. */
REFEREE_API referee_status referee_table_add_dictionary(referee_table* table, const char* name,
                                                        const int32_t* codes, size_t length,
                                                        const char* const* dictionary,
                                                        size_t dictionary_size);
/* Multiclass ($.task "multiclass"): one model's n x K class probabilities in one call, read
 * in place. `model` is 0 (the champion) or 1 (the challenger); `rows` must equal the
 * table's rows; `classes` (K) is 2 or more. Row r, class k is
 * data[r * row_stride + k * class_stride], strides counted in doubles (not bytes): a C
 * (row-major) n x K array has row_stride K and class_stride 1, a Fortran (column-major) one
 * row_stride 1 and class_stride n, a numpy array its strides divided by 8. The buffer is
 * BORROWED, as a column is (see "Lifetime of table columns"); the strides are checked
 * against the largest buffer that can exist before any value is read.
 * The block's classes must be in class order: numeric when every name is an integer, else
 * by UTF-8 bytes (np.unique's order, which is predict_proba's), since its columns are read
 * in place and cannot be reordered. They are:
 * - class_names NULL: the policy's $.columns.classes (a policy with a prefix and no
 *   $.columns.classes needs class_names);
 * - class_names, K NUL-terminated UTF-8 names (copied): with a prefix, the block stands for
 *   the columns prefix + name (so a prefix policy's classes may come from a block); with a
 *   list, the names must be the listed classes, in class order.
 * A model may instead be given column by column (referee_table_add_numeric, one column per
 * class); a prefix then names the columns added, as a CSV header does. Class names that do
 * not match are a REFEREE_DATA_ERROR from referee_evaluate(); a second block for the same
 * model, a NULL or empty class name, or one given twice is REFEREE_INVALID_ARGUMENT. */
REFEREE_API referee_status referee_table_add_class_scores(referee_table* table, int model, const double* data,
                                                          size_t rows, size_t classes, size_t row_stride,
                                                          size_t class_stride, const char* const* class_names);
/* Reads the policy's columns from a CSV file, exactly as the CLI does; the table owns its
 * data, and its report equals the CLI's outside the "run" section. The file must be a
 * regular file (a FIFO or a device is a REFEREE_IO_ERROR); a cell longer than
 * max_field_bytes or a line longer than max_record_bytes is a REFEREE_DATA_ERROR naming
 * the file, line, column and cap, raised while reading. */
REFEREE_API referee_status referee_table_read_csv(const char* path, const referee_policy* policy,
                                                  referee_table** out);
/* As above, under the caps of `options` (NULL: the defaults). */
REFEREE_API referee_status referee_table_read_csv_with_options(const char* path, const referee_policy* policy,
                                                               const referee_options* options,
                                                               referee_table** out);
REFEREE_API void referee_table_free(referee_table* table);

/* Options; NULL options in referee_evaluate() means the defaults (all cores, the policy's seed). */
REFEREE_API referee_status referee_options_create(referee_options** out);
REFEREE_API referee_status referee_options_set_threads(referee_options* options, unsigned threads);
REFEREE_API referee_status referee_options_set_seed(referee_options* options, uint64_t seed);
REFEREE_API referee_status referee_options_set_progress(referee_options* options,
                                                        void (*callback)(double fraction, void* user),
                                                        void* user);
REFEREE_API referee_status referee_options_cancel(referee_options* options);
/* The caps (see Limits above) by name: an unknown name or a value of 0 is
 * REFEREE_INVALID_ARGUMENT, with a message listing the names. They apply to what these
 * options are later passed to: the *_with_options readers, referee_options_set_latency_file
 * (set the caps first), referee_evaluate (segment values, the drift reference file) and
 * referee_report_write of the reports it returns. get sets *value to 0 on failure. */
REFEREE_API referee_status referee_options_set_limit(referee_options* options, const char* name, uint64_t value);
REFEREE_API referee_status referee_options_get_limit(const referee_options* options, const char* name,
                                                     uint64_t* value);
/* Latency measured apart from the table, a load test's, instead of $.columns.latency (a
 * policy with both makes referee_evaluate() return REFEREE_INVALID_ARGUMENT).
 * referee_options_set_latency_file reads now, and keeps in the options, a CSV with the
 * columns model ("champion" or "challenger") and latency_ms, as the CLI's --latency does;
 * an unreadable file is a REFEREE_IO_ERROR and bad content a REFEREE_DATA_ERROR, each with
 * a message naming the file. referee_options_set_latency_samples copies two arrays of
 * milliseconds instead (a NULL array is allowed with a count of 0); each model needs one
 * sample or more, all finite and >= 0, else REFEREE_DATA_ERROR. On failure the options
 * keep what they had. Each setter replaces what either set; a NULL path clears it. */
REFEREE_API referee_status referee_options_set_latency_file(referee_options* options, const char* path);
REFEREE_API referee_status referee_options_set_latency_samples(referee_options* options, const double* champion,
                                                               size_t champion_count, const double* challenger,
                                                               size_t challenger_count);
/* Overrides the policy's $.drift.reference with a CSV path, used as given (relative paths
 * are relative to the working directory, not to the policy's). The file is read by
 * referee_evaluate(), whose status reports a missing or invalid file. NULL restores the
 * policy's reference. */
REFEREE_API referee_status referee_options_set_drift_reference(referee_options* options, const char* path);
REFEREE_API void referee_options_free(referee_options* options);

REFEREE_API referee_status referee_evaluate(const referee_table* table, const referee_policy* policy,
                                            const referee_options* options, referee_report** out);

/* The report's JSON text (owned by the report), its verdict, and whether it lets the
 * challenger through (PASS or WARN). */
REFEREE_API referee_status referee_report_json(const referee_report* report, const char** json,
                                               size_t* length);
REFEREE_API referee_status referee_report_verdict(const referee_report* report, referee_verdict* out);
REFEREE_API referee_status referee_report_passed(const referee_report* report, int* out);
/* Writes the report atomically (a temporary file created exclusively beside it, fsynced,
 * then renamed), as the CLI's --report. The destination must be absent or a regular file:
 * a symlink, a device, a FIFO or a directory is a REFEREE_IO_ERROR and is left untouched.
 * A report larger than the max_report_bytes of the options it was evaluated with is a
 * REFEREE_DATA_ERROR naming the cap. On any error nothing is written or replaced. */
REFEREE_API referee_status referee_report_write(const referee_report* report, const char* path);
REFEREE_API void referee_report_free(referee_report* report);

/* Partitioned evaluation (docs/partitioned.md)
 *
 * An evaluation split into partial states, one per partition of the rows (an hour's shard,
 * a Spark task), merged exactly and finished into the report referee_evaluate() gives on
 * every row, byte for byte outside its "run" section, whatever the partitioning, the row
 * order and the merge order. The C form of include/referee/partitioned.hpp:
 *
 *   0. facts:  referee_partition_facts() per partition (any partitioning),
 *              referee_partition_merge_facts(), referee_partition_plan().
 *   1. passes: for each pass of referee_partition_passes(): put every row in the partition
 *              of its referee_partition_buckets() value (a bucket is never split). A ranked
 *              pass (referee_partition_ranked) needs each partition to be a contiguous range
 *              of buckets and runs twice: referee_partition_totals() per partition (round
 *              1), referee_partition_aboves() over round 1's totals, then
 *              referee_partition_pass_state() per partition with its above (round 2). Another
 *              pass runs referee_partition_pass_state() once. referee_partition_merge()
 *              merges each pass's states (round 2's).
 *   2. finish: referee_partition_finish() over the merged states, in the passes' order,
 *              gives a referee_report.
 *
 * States and plans are bytes in a versioned, little-endian format: store them in files or
 * send them over a network, and read them back later. So every state or plan goes IN as
 * (const void* data, size_t size), or as arrays of pointers and sizes, whatever produced it;
 * it comes OUT as a referee_buffer, bytes owned by referee (referee_buffer_data,
 * referee_buffer_free). A state of another plan, pass or format version, a truncated or
 * altered state, is a REFEREE_DATA_ERROR naming the byte; a pass name that is not one of
 * the plan's, or partitions that share a bucket, a REFEREE_INVALID_ARGUMENT. A NULL data
 * pointer is allowed only with a size of 0.
 *
 * Partition tables are referee_table handles built as for referee_evaluate() (borrowed
 * columns, or referee_table_read_csv), with the policy's columns; the policy must name a
 * row id ($.columns.id) or a cluster key ($.columns.cluster). Options, where taken (NULL: the defaults): the threads
 * (referee_options_set_threads), the seed override (referee_partition_plan, as
 * referee_evaluate() takes it) and the caps. Progress, cancellation, latency and drift
 * settings are not used by these functions.
 *
 * Threading: every function is reentrant and keeps nothing between calls; a buffer is
 * never changed after it is made, so any number of threads may read it (and pass its bytes
 * to these functions) at once; a table or report handle is used by one thread at a time,
 * as elsewhere in this API. The states and the report depend on the plan, never on the
 * number of threads.
 */
typedef struct referee_buffer referee_buffer;

/* The buffer's bytes (owned by the buffer, valid until it is freed) and their count. A
 * buffer of pass names (referee_partition_passes) also ends in a NUL. */
REFEREE_API referee_status referee_buffer_data(const referee_buffer* buffer, const void** data, size_t* size);
REFEREE_API void referee_buffer_free(referee_buffer* buffer);

/* REFEREE_OK when the policy can be evaluated in partitions; else a REFEREE_POLICY_ERROR
 * naming what the partitioned path does not compute yet (a task, drift, latency as separate samples,
 * the multinomial scheme) or cannot key on (neither $.columns.id nor $.columns.cluster). */
REFEREE_API referee_status referee_partition_check(const referee_policy* policy);

/* Round 0: what a partition's rows tell about the whole evaluation (its row count, its
 * largest weight, segment values...), as a facts state. */
REFEREE_API referee_status referee_partition_facts(const referee_table* part, const referee_policy* policy,
                                                   const referee_options* options, referee_buffer** out);
/* Merges `count` (1 or more) facts states of one policy: states[i] holds sizes[i] bytes.
 * Exact and commutative; a merged state may be merged again. */
REFEREE_API referee_status referee_partition_merge_facts(const void* const* states, const size_t* sizes,
                                                         size_t count, const referee_options* options,
                                                         referee_buffer** out);
/* The plan: the policy, the seed (options' seed when set, else the policy's) and the merged
 * facts. Every state names its plan; broadcast the plan's bytes to every partition. */
REFEREE_API referee_status referee_partition_plan(const referee_policy* policy, const void* facts, size_t facts_size,
                                                  const referee_options* options, referee_buffer** out);
/* The policy a plan carries (a new handle, freed with referee_policy_free). */
REFEREE_API referee_status referee_partition_plan_policy(const void* plan, size_t plan_size, referee_policy** out);
/* The plan's passes, in the order referee_partition_finish() takes their states, as NUL-
 * terminated names one after another ("champion\0challenger\0rows\0" for the binary task;
 * the multiclass task with roc_auc has "champion/class 0" ... "challenger/class K-1", classes
 * by index in class order, before "rows"):
 *   for (const char* p = data; p < (const char*)data + size; p += strlen(p) + 1) ...
 * A name is what the pass parameters below take. */
REFEREE_API referee_status referee_partition_passes(const void* plan, size_t plan_size, referee_buffer** out);
/* *out = 1 when the pass is ranked (contiguous bucket ranges, two rounds), else 0. */
REFEREE_API referee_status referee_partition_ranked(const void* plan, size_t plan_size, const char* pass, int* out);
/* Each row's bucket in the pass, into the caller's `out`, which has `length` entries: the
 * table's rows. Partition by it; for a ranked pass, buckets are numbered in ranking order,
 * so a partition holds a contiguous range of them. */
REFEREE_API referee_status referee_partition_buckets(const void* plan, size_t plan_size, const char* pass,
                                                     const referee_table* part, uint64_t* out, size_t length);
/* A partition's state for the pass. For a ranked pass (round 2), `above` is what
 * referee_partition_aboves() gave this partition (possibly 0 bytes); for another pass, above
 * is NULL with a size of 0. Uses the options' threads and caps. */
REFEREE_API referee_status referee_partition_pass_state(const void* plan, size_t plan_size, const char* pass,
                                                        const referee_table* part, const void* above,
                                                        size_t above_size, const referee_options* options,
                                                        referee_buffer** out);
/* Round 1 of a ranked pass: the partition's totals, only what the partitions ranked below it
 * offset by, for referee_partition_aboves(); a fraction of referee_partition_pass_state()'s
 * work. An unranked pass has no round 1 (REFEREE_INVALID_ARGUMENT). Uses the options'
 * threads and caps. */
REFEREE_API referee_status referee_partition_totals(const void* plan, size_t plan_size, const char* pass,
                                                    const referee_table* part, const referee_options* options,
                                                    referee_buffer** out);
/* *out = 1 when round 1's totals of the pass add exactly when a partition's rows are taken
 * in pieces (whole weights: no weight column), so referee_partition_merge_totals() may join
 * them (a driver then takes round 1 chunk by chunk while it buckets the rows), else 0. */
REFEREE_API referee_status referee_partition_mergeable_totals(const void* plan, size_t plan_size, const char* pass,
                                                              int* out);
/* Round 1's totals of one partition, taken over `count` (1 or more) pieces of its rows, as
 * one referee_partition_totals() of the whole partition: exact and commutative. A pass whose
 * totals do not add in pieces is REFEREE_INVALID_ARGUMENT. */
REFEREE_API referee_status referee_partition_merge_totals(const void* plan, size_t plan_size, const char* pass,
                                                          const void* const* states, const size_t* sizes,
                                                          size_t count, referee_buffer** out);
/* Merges `count` (1 or more) states of one pass (round 2's for a ranked pass): exact and
 * commutative, so any order or grouping of merges gives the same bytes. Round 1's totals
 * are a REFEREE_DATA_ERROR naming them. */
REFEREE_API referee_status referee_partition_merge(const void* plan, size_t plan_size, const char* pass,
                                                   const void* const* states, const size_t* sizes, size_t count,
                                                   referee_buffer** out);
/* Between the rounds of a ranked pass: from round 1's totals (referee_partition_totals),
 * out[i] (the caller's array of `count` pointers) receives partition i's above, a buffer of
 * 0 bytes for a partition with nothing above it; free each with referee_buffer_free.
 * Partitions that share a bucket are REFEREE_INVALID_ARGUMENT; a round-2 state
 * (referee_partition_pass_state) is a REFEREE_DATA_ERROR naming it. On failure every out[i]
 * is NULL. */
REFEREE_API referee_status referee_partition_aboves(const void* plan, size_t plan_size, const char* pass,
                                                    const void* const* states, const size_t* sizes, size_t count,
                                                    referee_buffer** out);
/* The first bucket a pass state (or round 1's totals) holds (partitions are ordered by it):
 * *has = 1 and *bucket set, or *has = 0 (and *bucket 0) for an empty partition. */
REFEREE_API referee_status referee_partition_first_bucket(const void* state, size_t size, int* has,
                                                          uint64_t* bucket);
/* The report from each pass's merged state: states[i] (sizes[i] bytes) is the merged state
 * of the i-th pass of referee_partition_passes(), count the number of passes. `origin`
 * names the data in the report (NULL: "memory", as referee_evaluate() names a table of
 * borrowed columns). The report is a referee_report as referee_evaluate() returns:
 * referee_report_json, _verdict, _passed and _write (under the options' max_report_bytes)
 * work on it. */
REFEREE_API referee_status referee_partition_finish(const void* plan, size_t plan_size, const void* const* states,
                                                    const size_t* sizes, size_t count, const char* origin,
                                                    const referee_options* options, referee_report** out);

#ifdef __cplusplus
}
#endif

#endif /* REFEREE_H */
