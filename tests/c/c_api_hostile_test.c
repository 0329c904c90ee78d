/* The C API under hostile input (issue 14), written and compiled as C11. Every case
 * asserts the status the header documents, that the message says what it should (a cap's
 * name, a line and column), that it is valid UTF-8 and never carries the planted data value
 * SECRET-4242, and, for outputs, that nothing was written or replaced.
 *
 * Buffers are allocated at their exact size (no NUL, no slack), so that in the ASan build a
 * read one byte past what the caller passed is a heap-buffer-overflow, not a silent pass.
 *
 * Usage: referee_c_api_hostile_test SOURCE_DIR (the examples are read from there; scratch
 * files go in a fresh directory under $TMPDIR, removed at the end). */

#define _XOPEN_SOURCE 700 /* mkdtemp, mkfifo, symlink, lstat, readlink, nftw */

#include <dirent.h>
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <referee/referee.h>

#include "check.h"

static const char* const kSecret = "SECRET-4242";
static char scratch[4096];
static const char* source_dir = ".";

/* RFC 3629: well-formed UTF-8, no overlong forms, no surrogates, nothing above U+10FFFF. */
static int valid_utf8(const char* text) {
  const unsigned char* s = (const unsigned char*)text;
  while (*s) {
    int n = 0;
    unsigned min = 0, cp;
    if (*s < 0x80) { ++s; continue; }
    if ((*s & 0xE0) == 0xC0) { n = 1; min = 0x80; cp = *s & 0x1F; }
    else if ((*s & 0xF0) == 0xE0) { n = 2; min = 0x800; cp = *s & 0x0F; }
    else if ((*s & 0xF8) == 0xF0) { n = 3; min = 0x10000; cp = *s & 0x07; }
    else return 0;
    for (int k = 1; k <= n; ++k) {
      if ((s[k] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (s[k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    s += n + 1;
  }
  return 1;
}


/* The status, then what every failure's message must be: valid UTF-8, free of the secret,
 * and holding `fragment` (NULL: any message). */
static void expect_failure(referee_status got, referee_status want, const char* fragment, int line) {
  const char* message = referee_last_error();
  int ok = got == want && message[0] != '\0' && valid_utf8(message) && !contains(message, kSecret) &&
           (!fragment || contains(message, fragment));
  if (ok) {
    ++passed;
  } else {
    ++failed;
    fprintf(stderr, "%s:%d: got %s, want %s with \"%s\"; last error: %s\n", __FILE__, line,
            referee_status_name(got), referee_status_name(want), fragment ? fragment : "", message);
  }
}
#define EXPECT(call, status, fragment) expect_failure((call), (status), (fragment), __LINE__)

/* A copy of text in a buffer of exactly its length: no terminating NUL. */
static char* exact_copy(const char* text, size_t length) {
  char* copy = (char*)malloc(length ? length : 1);
  if (!copy) abort();
  memcpy(copy, text, length);
  return copy;
}

static const char* in_scratch(const char* name) {
  static char path[2][8192];
  static int which = 0;
  which ^= 1;
  snprintf(path[which], sizeof path[which], "%s/%s", scratch, name);
  return path[which];
}

static const char* in_source(const char* name) {
  static char path[8192];
  snprintf(path, sizeof path, "%s/%s", source_dir, name);
  return path;
}

static void write_text(const char* path, const char* text) {
  FILE* f = fopen(path, "wb");
  if (!f || fwrite(text, 1, strlen(text), f) != strlen(text) || fclose(f) != 0) {
    fprintf(stderr, "cannot write %s\n", path);
    exit(2);
  }
}

static int file_equals(const char* path, const char* text) {
  char buffer[256];
  FILE* f = fopen(path, "rb");
  size_t n;
  if (!f) return 0;
  n = fread(buffer, 1, sizeof buffer, f);
  fclose(f);
  return n == strlen(text) && memcmp(buffer, text, n) == 0;
}

static int entries_in_scratch(void) {
  int count = 0;
  DIR* dir = opendir(scratch);
  struct dirent* entry;
  if (!dir) return -1;
  while ((entry = readdir(dir)) != NULL)
    if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) ++count;
  closedir(dir);
  return count;
}

/* A small binary task: 40 rows of label y and two models' scores a and b. */
static const char* const kPolicy =
    "{\"version\": 1, \"task\": \"binary\", \"columns\": {\"label\": \"y\", \"champion\": \"a\", \"challenger\": \"b\"},"
    " \"bootstrap\": {\"resamples\": 100, \"seed\": 3},"
    " \"rules\": [{\"id\": \"auc\", \"metric\": \"roc_auc\", \"subject\": \"challenger\", \"min\": 0.5,"
    " \"decide_on\": \"point\"}]}";

enum { kRows = 40 };
static double y[kRows], a[kRows], b[kRows];

static void fill_columns(void) {
  for (int i = 0; i < kRows; ++i) {
    y[i] = i % 2;
    a[i] = (i * 7 % 10) / 10.0;
    b[i] = (i * 3 % 10) / 10.0 + 0.05 * (i % 2);
  }
}

static void write_table_csv(const char* path, const char* planted_row) {
  FILE* f = fopen(path, "wb");
  if (!f) exit(2);
  fputs("y,a,b\n", f);
  for (int i = 0; i < kRows; ++i) {
    if (i == 5 && planted_row) fprintf(f, "%s\n", planted_row);
    fprintf(f, "%g,%g,%g\n", y[i], a[i], b[i]);
  }
  fclose(f);
}

static referee_policy* policy_from(const char* text, const referee_options* options) {
  referee_policy* policy = NULL;
  char* copy = exact_copy(text, strlen(text));
  if (referee_policy_create_with_options(copy, strlen(text), options, &policy) != REFEREE_OK)
    fprintf(stderr, "policy_from: %s\n", referee_last_error());
  free(copy);
  return policy;
}

static referee_table* memory_table(void) {
  referee_table* table = NULL;
  CHECK(referee_table_create(kRows, &table) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "y", y, kRows, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "a", a, kRows, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "b", b, kRows, REFEREE_F64) == REFEREE_OK);
  return table;
}

/* referee_table_add_strings read offsets[0..length] before comparing length with the
 * table's rows (the red team's heap-buffer-overflow): a length of 5 over a 3-entry offsets
 * buffer must be refused without a read. */
static void test_strings_length_checked_first(void) {
  referee_table* table = NULL;
  int64_t* offsets = (int64_t*)malloc(3 * sizeof(int64_t));
  char* bytes = exact_copy("xy", 2);
  offsets[0] = 0, offsets[1] = 1, offsets[2] = 2;
  CHECK(referee_table_create(2, &table) == REFEREE_OK);
  EXPECT(referee_table_add_strings(table, "s", bytes, offsets, 5), REFEREE_INVALID_ARGUMENT, "has 5 values");
  EXPECT(referee_table_add_strings(table, "s", bytes, offsets, SIZE_MAX), REFEREE_INVALID_ARGUMENT, "rows");
  EXPECT(referee_table_add_strings(NULL, "s", bytes, offsets, 5), REFEREE_INVALID_ARGUMENT, "table is NULL");
  EXPECT(referee_table_add_strings(table, NULL, bytes, offsets, 2), REFEREE_INVALID_ARGUMENT, "name is NULL");
  EXPECT(referee_table_add_strings(table, "s", NULL, offsets, 2), REFEREE_INVALID_ARGUMENT, "bytes is NULL");
  EXPECT(referee_table_add_strings(table, "s", bytes, NULL, 2), REFEREE_INVALID_ARGUMENT, "offsets is NULL");
  offsets[1] = -1;
  EXPECT(referee_table_add_strings(table, "s", bytes, offsets, 2), REFEREE_INVALID_ARGUMENT, "never decrease");
  offsets[1] = 1;
  CHECK(referee_table_add_strings(table, "s", bytes, offsets, 2) == REFEREE_OK);
  EXPECT(referee_table_add_strings(table, "s", bytes, offsets, 2), REFEREE_INVALID_ARGUMENT, "added twice");
  /* A column name that is not UTF-8 and carries a terminal escape is quoted and escaped. */
  CHECK(referee_table_add_numeric(table, "n\xff\x1b[2J", y, 2, REFEREE_F64) == REFEREE_OK);
  EXPECT(referee_table_add_numeric(table, "n\xff\x1b[2J", y, 2, REFEREE_F64), REFEREE_INVALID_ARGUMENT,
         "\"n\\xFF\\x1B[2J\" is added twice");
  referee_table_free(table);
  free(offsets);
  free(bytes);
}

/* A table of SIZE_MAX rows can be described, but no column of it can exist: the length
 * times the element size is checked before anything is sized or read by it. */
static void test_oversize_counts(void) {
  referee_table* huge = NULL;
  double* one = (double*)malloc(sizeof(double));
  int32_t* code = (int32_t*)malloc(sizeof(int32_t));
  int64_t* offsets = (int64_t*)malloc(sizeof(int64_t));
  const char** dictionary = (const char**)malloc(sizeof(const char*));
  referee_options* options = NULL;
  *one = 1.0, *code = 0, *offsets = 0, dictionary[0] = "x";
  CHECK(referee_table_create(SIZE_MAX, &huge) == REFEREE_OK);
  EXPECT(referee_table_add_numeric(huge, "y", one, SIZE_MAX, REFEREE_F64), REFEREE_INVALID_ARGUMENT, "more than");
  EXPECT(referee_table_add_numeric(huge, "u", one, SIZE_MAX, REFEREE_U8), REFEREE_INVALID_ARGUMENT, "more than");
  EXPECT(referee_table_add_strings(huge, "s", "", offsets, SIZE_MAX), REFEREE_INVALID_ARGUMENT, "more than");
  EXPECT(referee_table_add_dictionary(huge, "d", code, SIZE_MAX, dictionary, 1), REFEREE_INVALID_ARGUMENT,
         "more than");
  referee_table_free(huge);
  /* A table of as many rows as a buffer of int64 can hold: its offsets, one entry more,
   * cannot exist. */
  CHECK(referee_table_create((size_t)PTRDIFF_MAX / 8, &huge) == REFEREE_OK);
  EXPECT(referee_table_add_strings(huge, "s", "", offsets, (size_t)PTRDIFF_MAX / 8), REFEREE_INVALID_ARGUMENT,
         "length + 1");
  referee_table_free(huge);
  /* A dictionary_size beyond any array, and one of 1000 over a 1-entry array with a NULL
   * table: refused before a single entry is read. */
  CHECK(referee_table_create(1, &huge) == REFEREE_OK);
  EXPECT(referee_table_add_dictionary(huge, "d", code, 1, dictionary, SIZE_MAX), REFEREE_INVALID_ARGUMENT,
         "dictionary_size");
  EXPECT(referee_table_add_dictionary(NULL, "d", code, 1, dictionary, 1000), REFEREE_INVALID_ARGUMENT,
         "table is NULL");
  EXPECT(referee_table_add_dictionary(huge, "d", code, 7, dictionary, 1000), REFEREE_INVALID_ARGUMENT,
         "has 7 values");
  EXPECT(referee_table_add_numeric(huge, "t", one, 1, (referee_type)99), REFEREE_INVALID_ARGUMENT, "referee_type");
  referee_table_free(huge);
  CHECK(referee_options_create(&options) == REFEREE_OK);
  EXPECT(referee_options_set_latency_samples(options, one, SIZE_MAX, one, 1), REFEREE_INVALID_ARGUMENT,
         "champion_count");
  EXPECT(referee_options_set_latency_samples(options, one, 1, one, SIZE_MAX / 2), REFEREE_INVALID_ARGUMENT,
         "challenger_count");
  EXPECT(referee_options_set_latency_samples(options, NULL, 1, one, 1), REFEREE_INVALID_ARGUMENT, "champion is NULL");
  EXPECT(referee_policy_create("{}", SIZE_MAX, NULL), REFEREE_INVALID_ARGUMENT, "out is NULL");
  {
    referee_policy* policy = (referee_policy*)(uintptr_t)1;
    EXPECT(referee_policy_create("{}", SIZE_MAX, &policy), REFEREE_INVALID_ARGUMENT, "length");
    CHECK(policy == NULL);
  }
  referee_options_free(options);
  free(one), free(code), free(offsets), free(dictionary);
}

/* Every handle, out pointer and buffer argument NULL in turn: REFEREE_INVALID_ARGUMENT
 * naming it, *out reset to NULL, and every *_free(NULL) a no-op. */
static void test_null_everywhere(void) {
  referee_options* options = NULL;
  referee_table* table = memory_table();
  referee_policy* policy = policy_from(kPolicy, NULL);
  referee_report* report = NULL;
  referee_policy* out_policy = (referee_policy*)(uintptr_t)1;
  referee_table* out_table = (referee_table*)(uintptr_t)1;
  referee_report* out_report = (referee_report*)(uintptr_t)1;
  uint64_t value = 7;
  const char* json = NULL;
  int flag = 0;
  referee_verdict verdict;
  CHECK(referee_options_create(&options) == REFEREE_OK && policy != NULL);
  EXPECT(referee_policy_create_with_options(NULL, 2, options, &out_policy), REFEREE_INVALID_ARGUMENT, "json is NULL");
  CHECK(out_policy == NULL);
  EXPECT(referee_policy_create_with_options("{}", 2, options, NULL), REFEREE_INVALID_ARGUMENT, "out is NULL");
  out_policy = (referee_policy*)(uintptr_t)1;
  EXPECT(referee_policy_load_with_options(NULL, options, &out_policy), REFEREE_INVALID_ARGUMENT, "path is NULL");
  CHECK(out_policy == NULL);
  EXPECT(referee_policy_load_with_options("x.json", NULL, NULL), REFEREE_INVALID_ARGUMENT, "out is NULL");
  EXPECT(referee_table_read_csv_with_options(NULL, policy, options, &out_table), REFEREE_INVALID_ARGUMENT,
         "path is NULL");
  CHECK(out_table == NULL);
  EXPECT(referee_table_read_csv_with_options("x.csv", NULL, options, &out_table), REFEREE_INVALID_ARGUMENT,
         "policy is NULL");
  EXPECT(referee_table_read_csv_with_options("x.csv", policy, options, NULL), REFEREE_INVALID_ARGUMENT, "out is NULL");
  EXPECT(referee_options_create(NULL), REFEREE_INVALID_ARGUMENT, "out is NULL");
  EXPECT(referee_options_set_threads(NULL, 1), REFEREE_INVALID_ARGUMENT, "options is NULL");
  EXPECT(referee_options_set_seed(NULL, 1), REFEREE_INVALID_ARGUMENT, "options is NULL");
  EXPECT(referee_options_set_progress(NULL, NULL, NULL), REFEREE_INVALID_ARGUMENT, "options is NULL");
  EXPECT(referee_options_cancel(NULL), REFEREE_INVALID_ARGUMENT, "options is NULL");
  EXPECT(referee_options_set_limit(NULL, "max_rules", 5), REFEREE_INVALID_ARGUMENT, "options is NULL");
  EXPECT(referee_options_set_limit(options, NULL, 5), REFEREE_INVALID_ARGUMENT, "name is NULL");
  EXPECT(referee_options_get_limit(NULL, "max_rules", &value), REFEREE_INVALID_ARGUMENT, "options is NULL");
  CHECK(value == 0);
  EXPECT(referee_options_get_limit(options, NULL, &value), REFEREE_INVALID_ARGUMENT, "name is NULL");
  EXPECT(referee_options_get_limit(options, "max_rules", NULL), REFEREE_INVALID_ARGUMENT, "value is NULL");
  EXPECT(referee_options_set_latency_file(NULL, "x.csv"), REFEREE_INVALID_ARGUMENT, "options is NULL");
  EXPECT(referee_options_set_latency_samples(NULL, NULL, 0, NULL, 0), REFEREE_INVALID_ARGUMENT, "options is NULL");
  EXPECT(referee_options_set_drift_reference(NULL, "x.csv"), REFEREE_INVALID_ARGUMENT, "options is NULL");
  EXPECT(referee_evaluate(NULL, policy, options, &out_report), REFEREE_INVALID_ARGUMENT, "table is NULL");
  CHECK(out_report == NULL);
  EXPECT(referee_evaluate(table, NULL, options, &out_report), REFEREE_INVALID_ARGUMENT, "policy is NULL");
  EXPECT(referee_evaluate(table, policy, options, NULL), REFEREE_INVALID_ARGUMENT, "out is NULL");
  CHECK(referee_evaluate(table, policy, options, &report) == REFEREE_OK);
  EXPECT(referee_report_json(report, NULL, NULL), REFEREE_INVALID_ARGUMENT, "json is NULL");
  CHECK(referee_report_json(report, &json, NULL) == REFEREE_OK && json != NULL); /* length may be NULL */
  EXPECT(referee_report_verdict(NULL, &verdict), REFEREE_INVALID_ARGUMENT, "report is NULL");
  EXPECT(referee_report_verdict(report, NULL), REFEREE_INVALID_ARGUMENT, "out is NULL");
  EXPECT(referee_report_passed(NULL, &flag), REFEREE_INVALID_ARGUMENT, "report is NULL");
  EXPECT(referee_report_passed(report, NULL), REFEREE_INVALID_ARGUMENT, "out is NULL");
  EXPECT(referee_report_write(NULL, in_scratch("r.json")), REFEREE_INVALID_ARGUMENT, "report is NULL");
  EXPECT(referee_report_write(report, NULL), REFEREE_INVALID_ARGUMENT, "path is NULL");
  referee_policy_free(NULL), referee_table_free(NULL), referee_options_free(NULL), referee_report_free(NULL);
  referee_report_free(report), referee_table_free(table), referee_policy_free(policy), referee_options_free(options);
}

/* Builds {"version": [[[...]]]} nested `depth` deep, in a buffer of its exact length. */
static char* deep_policy(size_t depth, size_t* length) {
  const char* head = "{\"version\": ";
  const size_t h = strlen(head);
  char* text;
  *length = h + 2 * depth + 1;
  text = (char*)malloc(*length);
  memcpy(text, head, h);
  memset(text + h, '[', depth);
  memset(text + h + depth, ']', depth);
  text[*length - 1] = '}';
  return text;
}

static char* replaced(const char* text, const char* from, const char* to) {
  const char* at = strstr(text, from);
  size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
  char* out = (char*)malloc(n);
  if (!at) abort();
  snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
  return out;
}

static void expect_policy_error(const char* text, const char* fragment, int line) {
  referee_policy* policy = (referee_policy*)(uintptr_t)1;
  char* copy = exact_copy(text, strlen(text));
  expect_failure(referee_policy_create(copy, strlen(text), &policy), REFEREE_POLICY_ERROR, fragment, line);
  CHECK(policy == NULL);
  free(copy);
}

/* The parser's classes: nesting, numbers beyond double range, duplicate keys, bytes that
 * are not UTF-8. Each a policy error with its line and column, never an internal one. */
static void test_hostile_policies(void) {
  size_t length;
  char* deep = deep_policy(100000, &length);
  referee_policy* policy = (referee_policy*)(uintptr_t)1;
  char* text;
  EXPECT(referee_policy_create(deep, length, &policy), REFEREE_POLICY_ERROR, "policy:1:");
  CHECK(contains(referee_last_error(), "max_json_depth") && policy == NULL);
  {
    FILE* f = fopen(in_scratch("deep.json"), "wb");
    fwrite(deep, 1, length, f);
    fclose(f);
  }
  EXPECT(referee_policy_load(in_scratch("deep.json"), &policy), REFEREE_POLICY_ERROR, "deep.json:1:");
  free(deep);
  text = replaced(kPolicy, "\"resamples\": 100", "\"resamples\": 1e999");
  expect_policy_error(text, "1e999", __LINE__);
  CHECK(contains(referee_last_error(), "policy:1:") && !contains(referee_last_error(), "internal"));
  free(text);
  text = replaced(kPolicy, "\"resamples\": 100", "\"resamples\": 1e400");
  expect_policy_error(text, "policy:1:", __LINE__);
  free(text);
  text = replaced(kPolicy, "\"min\": 0.5", "\"min\": -0.05, \"min\": 0.99");
  expect_policy_error(text, "$.rules[0].min", __LINE__);
  CHECK(contains(referee_last_error(), "twice"));
  free(text);
  /* Raw bytes 0xFF 0xFE next to a planted value: the message is valid UTF-8 and carries
   * neither the bytes nor the value. */
  text = replaced(kPolicy, "\"auc\"", "\"SECRET-4242\xff\xfe\"");
  expect_policy_error(text, "UTF-8", __LINE__);
  CHECK(contains(referee_last_error(), "policy:1:") && !contains(referee_last_error(), "\xff"));
  free(text);
  text = replaced(kPolicy, "\"auc\"", "\"\xc0\xaf\xed\xa0\x80\"");  /* overlong '/', a surrogate */
  expect_policy_error(text, "UTF-8", __LINE__);
  free(text);
  expect_policy_error("", "policy", __LINE__);
  expect_policy_error("{\"version\": 1", "policy", __LINE__);
}

static referee_options* options_with(const char* name, uint64_t value) {
  referee_options* options = NULL;
  CHECK(referee_options_create(&options) == REFEREE_OK);
  CHECK(referee_options_set_limit(options, name, value) == REFEREE_OK);
  return options;
}

/* The setters take the core's names; the defaults are those docs/security.md documents. */
static void test_limit_names(void) {
  static const char* const names[] = {"max_policy_bytes", "max_json_depth",  "max_rules",       "max_segment_values",
                                      "max_field_bytes",  "max_record_bytes", "max_report_bytes"};
  static const uint64_t defaults[] = {16u << 20, 64, 10000, 1000, 1u << 20, 16u << 20, 256u << 20};
  referee_options* options = NULL;
  uint64_t value = 0;
  CHECK(referee_options_create(&options) == REFEREE_OK);
  for (int i = 0; i < 7; ++i) {
    CHECK(referee_options_get_limit(options, names[i], &value) == REFEREE_OK && value == defaults[i]);
    CHECK(referee_options_set_limit(options, names[i], 12345) == REFEREE_OK);
    CHECK(referee_options_get_limit(options, names[i], &value) == REFEREE_OK && value == 12345);
  }
  EXPECT(referee_options_set_limit(options, "max_rule", 5), REFEREE_INVALID_ARGUMENT, "did you mean \"max_rules\"");
  EXPECT(referee_options_set_limit(options, "", 5), REFEREE_INVALID_ARGUMENT, "max_report_bytes");
  EXPECT(referee_options_set_limit(options, "max_rules", 0), REFEREE_INVALID_ARGUMENT, "max_rules");
  EXPECT(referee_options_get_limit(options, "rows", &value), REFEREE_INVALID_ARGUMENT, "unknown limit");
  CHECK(value == 0);
  CHECK(referee_options_get_limit(options, "max_rules", &value) == REFEREE_OK && value == 12345); /* kept */
  referee_options_free(options);
}

/* The policy caps, each through the *_with_options functions, naming the cap; and the same
 * text under the defaults parses, so the caps refuse only what passes them. */
static void test_policy_caps(void) {
  const size_t length = strlen(kPolicy);
  char* text = exact_copy(kPolicy, length);
  char* two_rules = replaced(kPolicy, "\"decide_on\": \"point\"}]",
                             "\"decide_on\": \"point\"}, {\"id\": \"auc2\", \"metric\": \"roc_auc\","
                             " \"subject\": \"champion\", \"min\": 0.5}]");
  referee_options* options = options_with("max_policy_bytes", 100);
  referee_policy* policy = NULL;
  /* A length over the cap is refused before the text is read: 10^6 bytes claimed of a
   * buffer holding kPolicy only. */
  EXPECT(referee_policy_create_with_options(text, 1000000, options, &policy), REFEREE_POLICY_ERROR,
         "max_policy_bytes");
  EXPECT(referee_policy_create_with_options(text, length, options, &policy), REFEREE_POLICY_ERROR, "max_policy_bytes");
  write_text(in_scratch("policy.json"), kPolicy);
  EXPECT(referee_policy_load_with_options(in_scratch("policy.json"), options, &policy), REFEREE_POLICY_ERROR,
         "max_policy_bytes");
  CHECK(referee_policy_load_with_options(in_scratch("policy.json"), NULL, &policy) == REFEREE_OK);
  referee_policy_free(policy), referee_options_free(options);
  options = options_with("max_json_depth", 2);
  EXPECT(referee_policy_create_with_options(text, length, options, &policy), REFEREE_POLICY_ERROR, "max_json_depth");
  CHECK(contains(referee_last_error(), "policy:1:"));
  referee_options_free(options);
  options = options_with("max_rules", 1);
  free(text);
  text = exact_copy(two_rules, strlen(two_rules));
  EXPECT(referee_policy_create_with_options(text, strlen(two_rules), options, &policy), REFEREE_POLICY_ERROR,
         "max_rules");
  CHECK(referee_policy_create_with_options(text, strlen(two_rules), NULL, &policy) == REFEREE_OK);
  referee_policy_free(policy), referee_options_free(options);
  /* Inputs that are not regular files are refused before they are opened for reading. */
  EXPECT(referee_policy_load("/dev/zero", &policy), REFEREE_IO_ERROR, "/dev/zero");
  CHECK(mkfifo(in_scratch("fifo.json"), 0600) == 0);
  EXPECT(referee_policy_load(in_scratch("fifo.json"), &policy), REFEREE_IO_ERROR, "fifo.json");
  unlink(in_scratch("fifo.json"));
  free(text), free(two_rules);
}

/* The CSV caps through referee_table_read_csv_with_options, with a planted value in the
 * offending cell. */
static void test_csv_caps_and_secrets(void) {
  referee_policy* policy = policy_from(kPolicy, NULL);
  referee_options* options = options_with("max_field_bytes", 16);
  referee_table* table = (referee_table*)(uintptr_t)1;
  write_table_csv(in_scratch("field.csv"), "1,0.1,0.2SECRET-4242SECRET-4242SECRET-4242");
  EXPECT(referee_table_read_csv_with_options(in_scratch("field.csv"), policy, options, &table), REFEREE_DATA_ERROR,
         "max_field_bytes");
  CHECK(table == NULL && contains(referee_last_error(), "field.csv") && contains(referee_last_error(), "\"b\""));
  referee_options_free(options);
  options = options_with("max_record_bytes", 8);
  write_table_csv(in_scratch("ok.csv"), NULL);
  EXPECT(referee_table_read_csv_with_options(in_scratch("ok.csv"), policy, options, &table), REFEREE_DATA_ERROR,
         "max_record_bytes");
  CHECK(referee_table_read_csv_with_options(in_scratch("ok.csv"), policy, NULL, &table) == REFEREE_OK);
  referee_table_free(table);
  write_table_csv(in_scratch("secret.csv"), "SECRET-4242,0.1,0.2");
  EXPECT(referee_table_read_csv(in_scratch("secret.csv"), policy, &table), REFEREE_DATA_ERROR, "row 6 (line 7)");
  write_table_csv(in_scratch("bytes.csv"), "1,0.1,SECRET-4242\xff");
  EXPECT(referee_table_read_csv(in_scratch("bytes.csv"), policy, &table), REFEREE_DATA_ERROR, NULL);
  EXPECT(referee_table_read_csv("/dev/zero", policy, &table), REFEREE_IO_ERROR, "/dev/zero");
  CHECK(mkfifo(in_scratch("fifo.csv"), 0600) == 0);
  EXPECT(referee_table_read_csv(in_scratch("fifo.csv"), policy, &table), REFEREE_IO_ERROR, "fifo.csv");
  unlink(in_scratch("fifo.csv"));
  referee_options_free(options), referee_policy_free(policy);
}

/* The latency file is read by referee_options_set_latency_file under the options' caps
 * (set first); a bad value is named by position, never shown. */
static void test_latency_file(void) {
  referee_options* options = options_with("max_field_bytes", 8);
  write_text(in_scratch("latency.csv"), "model,latency_ms\nchampion,12.5\nchallenger,SECRET-4242-1234567\n");
  EXPECT(referee_options_set_latency_file(options, in_scratch("latency.csv")), REFEREE_DATA_ERROR, "max_field_bytes");
  CHECK(contains(referee_last_error(), "latency.csv"));
  CHECK(referee_options_set_limit(options, "max_field_bytes", 1024) == REFEREE_OK);
  write_text(in_scratch("latency.csv"), "model,latency_ms\nchampion,12.5\nchallenger,SECRET-4242\n");
  EXPECT(referee_options_set_latency_file(options, in_scratch("latency.csv")), REFEREE_DATA_ERROR, "latency.csv");
  CHECK(referee_options_set_latency_file(options, in_source("examples/latency_loadtest.csv")) == REFEREE_OK);
  referee_options_free(options);
}

/* The drift reference is read by referee_evaluate under the options' caps. */
static void test_drift_reference(void) {
  static const char* const features[] = {"north", "south"};
  int32_t* codes = (int32_t*)malloc(kRows * sizeof(int32_t));
  referee_policy* policy;
  referee_options* options = options_with("max_field_bytes", 8);
  referee_table* table = memory_table();
  referee_report* report = (referee_report*)(uintptr_t)1;
  char* text;
  char drift[9000];
  for (int i = 0; i < kRows; ++i) codes[i] = i % 2;
  CHECK(referee_table_add_dictionary(table, "f", codes, kRows, features, 2) == REFEREE_OK);
  write_text(in_scratch("reference.csv"), "f\nnorth\nSECRET-4242-south\n");
  snprintf(drift, sizeof drift, "\"drift\": {\"reference\": \"%s\", \"features\": [\"f\"]}, \"rules\"",
           in_scratch("reference.csv"));
  text = replaced(kPolicy, "\"rules\"", drift);
  policy = policy_from(text, NULL);
  CHECK(policy != NULL);
  EXPECT(referee_evaluate(table, policy, options, &report), REFEREE_DATA_ERROR, "max_field_bytes");
  CHECK(report == NULL && contains(referee_last_error(), "reference.csv"));
  CHECK(referee_evaluate(table, policy, NULL, &report) == REFEREE_OK); /* under the defaults */
  referee_report_free(report);
  referee_policy_free(policy), referee_options_free(options), referee_table_free(table);
  free(text), free(codes);
}

/* max_segment_values at evaluation, over a segment column holding a planted value; and
 * cell values that are not UTF-8: data errors naming row and column, never the value. */
static void test_segments_and_cells(void) {
  static const char* const regions[] = {"north", "south", "SECRET-4242"};
  int32_t* codes = (int32_t*)malloc(kRows * sizeof(int32_t));
  int64_t* offsets = (int64_t*)malloc((kRows + 1) * sizeof(int64_t));
  char* bytes = exact_copy("SECRET-4242\xff", 12);
  char* text = replaced(kPolicy, "\"challenger\": \"b\"}", "\"challenger\": \"b\", \"segments\": [\"region\"]}");
  referee_policy* policy = policy_from(text, NULL);
  referee_options* options = options_with("max_segment_values", 2);
  referee_table* table = memory_table();
  referee_report* report = NULL;
  for (int i = 0; i < kRows; ++i) codes[i] = i % 3;
  CHECK(referee_table_add_dictionary(table, "region", codes, kRows, regions, 3) == REFEREE_OK);
  EXPECT(referee_evaluate(table, policy, options, &report), REFEREE_DATA_ERROR, "max_segment_values");
  CHECK(contains(referee_last_error(), "region") && report == NULL);
  CHECK(referee_evaluate(table, policy, NULL, &report) == REFEREE_OK);
  referee_report_free(report), referee_table_free(table);
  /* Row 4's string is the planted value followed by a byte that is not UTF-8. */
  table = memory_table();
  for (int i = 0; i <= kRows; ++i) offsets[i] = i <= 3 ? 0 : 12;
  CHECK(referee_table_add_strings(table, "region", bytes, offsets, kRows) == REFEREE_OK);
  EXPECT(referee_evaluate(table, policy, NULL, &report), REFEREE_DATA_ERROR, "not valid UTF-8");
  CHECK(contains(referee_last_error(), "row 4") && contains(referee_last_error(), "\"region\""));
  referee_table_free(table);
  table = memory_table();
  codes[7] = 3; /* outside the 3-entry dictionary */
  CHECK(referee_table_add_dictionary(table, "region", codes, kRows, regions, 3) == REFEREE_OK);
  EXPECT(referee_evaluate(table, policy, NULL, &report), REFEREE_DATA_ERROR, "outside the dictionary");
  referee_table_free(table);
  /* A dictionary naming one value twice would split one segment in two. */
  table = memory_table();
  codes[7] = 1;
  {
    static const char* const twice[] = {"SECRET-4242", "SECRET-4242", "south"};
    CHECK(referee_table_add_dictionary(table, "region", codes, kRows, twice, 3) == REFEREE_OK);
  }
  EXPECT(referee_evaluate(table, policy, NULL, &report), REFEREE_DATA_ERROR, "twice");
  referee_table_free(table);
  referee_policy_free(policy), referee_options_free(options);
  free(codes), free(offsets), free(bytes), free(text);
}

static referee_report* small_report(const referee_options* options) {
  referee_policy* policy = policy_from(kPolicy, NULL);
  referee_table* table = memory_table();
  referee_report* report = NULL;
  CHECK(referee_evaluate(table, policy, options, &report) == REFEREE_OK && report != NULL);
  referee_table_free(table), referee_policy_free(policy);
  return report;
}

/* referee_report_write onto what is not a regular file: refused, and the thing left as it
 * was; over max_report_bytes: refused and the previous file kept; no temporary file left. */
static void test_report_outputs(void) {
  referee_options* options = options_with("max_report_bytes", 100);
  referee_report* report = small_report(NULL);
  referee_report* capped = small_report(options);
  struct stat st;
  char target[8192];
  int before;
  write_text(in_scratch("victim.txt"), "KEEP");
  CHECK(symlink(in_scratch("victim.txt"), in_scratch("link.json")) == 0);
  CHECK(symlink(in_scratch("absent.txt"), in_scratch("dangling.json")) == 0);
  CHECK(mkfifo(in_scratch("fifo.json"), 0600) == 0);
  CHECK(mkdir(in_scratch("dir.json"), 0700) == 0);
  write_text(in_scratch("old.json"), "KEEP");
  before = entries_in_scratch();
  EXPECT(referee_report_write(report, in_scratch("link.json")), REFEREE_IO_ERROR, "symbolic link");
  CHECK(lstat(in_scratch("link.json"), &st) == 0 && S_ISLNK(st.st_mode));
  CHECK(readlink(in_scratch("link.json"), target, sizeof target) == (ssize_t)strlen(in_scratch("victim.txt")));
  CHECK(file_equals(in_scratch("victim.txt"), "KEEP"));
  EXPECT(referee_report_write(report, in_scratch("dangling.json")), REFEREE_IO_ERROR, "symbolic link");
  CHECK(access(in_scratch("absent.txt"), F_OK) != 0);
  EXPECT(referee_report_write(report, "/dev/null"), REFEREE_IO_ERROR, "/dev/null");
  CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
  EXPECT(referee_report_write(report, in_scratch("fifo.json")), REFEREE_IO_ERROR, "fifo.json");
  CHECK(lstat(in_scratch("fifo.json"), &st) == 0 && S_ISFIFO(st.st_mode));
  EXPECT(referee_report_write(report, in_scratch("dir.json")), REFEREE_IO_ERROR, "dir.json");
  EXPECT(referee_report_write(report, in_scratch("missing/r.json")), REFEREE_IO_ERROR, "missing");
  EXPECT(referee_report_write(report, ""), REFEREE_IO_ERROR, "empty");
  EXPECT(referee_report_write(capped, in_scratch("old.json")), REFEREE_DATA_ERROR, "max_report_bytes");
  CHECK(file_equals(in_scratch("old.json"), "KEEP"));
  CHECK(entries_in_scratch() == before); /* nothing created, no temporary file left */
  CHECK(referee_report_write(report, in_scratch("old.json")) == REFEREE_OK);
  CHECK(!file_equals(in_scratch("old.json"), "KEEP") && entries_in_scratch() == before);
  referee_report_free(report), referee_report_free(capped), referee_options_free(options);
}

static int remove_entry(const char* path, const struct stat* st, int flag, struct FTW* ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

int main(int argc, char** argv) {
  const char* tmp = getenv("TMPDIR");
  if (argc > 1) source_dir = argv[1];
  snprintf(scratch, sizeof scratch, "%s/referee-c-hostile-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(scratch)) {
    perror("mkdtemp");
    return 2;
  }
  fill_columns();
  test_strings_length_checked_first();
  test_oversize_counts();
  test_null_everywhere();
  test_hostile_policies();
  test_limit_names();
  test_policy_caps();
  test_csv_caps_and_secrets();
  test_latency_file();
  test_drift_reference();
  test_segments_and_cells();
  test_report_outputs();
  nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
