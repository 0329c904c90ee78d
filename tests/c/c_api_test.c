/* The C API from C: every function, the error paths included. Run from the source root
 * with one argument, a path where the example's report is written for comparison with
 * the CLI's (tests/c/run_c_api_test.sh). */

#define _POSIX_C_SOURCE 200809L /* mkstemp, close */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <referee/referee.h>

#include "check.h"


static const char* kPolicy =
    "{\"version\": 1, \"task\": \"binary\","
    " \"columns\": {\"label\": \"y\", \"champion\": \"a\", \"challenger\": \"b\", \"weight\": \"w\","
    " \"cluster\": \"customer\"},"
    " \"bootstrap\": {\"resamples\": 200, \"seed\": 3},"
    " \"rules\": [{\"id\": \"auc\", \"metric\": \"roc_auc\", \"subject\": \"challenger\", \"min\": 0.5,"
    " \"decide_on\": \"point\"}]}";

struct progress_log {
  int calls;
  double last;
  referee_options* cancel_on_first_call; /* NULL: just record */
};

static void on_progress(double fraction, void* user) {
  struct progress_log* log = (struct progress_log*)user;
  log->calls++;
  log->last = fraction;
  if (log->cancel_on_first_call && log->calls == 1) referee_options_cancel(log->cancel_on_first_call);
}

static char* read_whole_file(const char* path, size_t* length) {
  FILE* f = fopen(path, "rb");
  char* text = NULL;
  long size;
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
    text = (char*)malloc((size_t)size + 1);
    if (text && fread(text, 1, (size_t)size, f) == (size_t)size) {
      text[size] = '\0';
      *length = (size_t)size;
    } else {
      free(text);
      text = NULL;
    }
  }
  fclose(f);
  return text;
}

static void test_versions_and_names(void) {
  CHECK(strcmp(referee_version(), REFEREE_VERSION_STRING) == 0);
  CHECK(referee_version_number() == REFEREE_VERSION_NUMBER);
  CHECK(strcmp(referee_status_name(REFEREE_OK), "REFEREE_OK") == 0);
  CHECK(strcmp(referee_status_name(REFEREE_DATA_ERROR), "REFEREE_DATA_ERROR") == 0);
  CHECK(strcmp(referee_status_name((referee_status)99), "REFEREE_UNKNOWN_STATUS") == 0);
  CHECK(strcmp(referee_verdict_name(REFEREE_INCONCLUSIVE), "INCONCLUSIVE") == 0);
  {
    static const char* const statuses[] = {"REFEREE_OK", "REFEREE_INVALID_ARGUMENT", "REFEREE_POLICY_ERROR",
                                           "REFEREE_DATA_ERROR", "REFEREE_IO_ERROR", "REFEREE_CANCELLED",
                                           "REFEREE_INTERNAL"};
    static const char* const verdicts[] = {"PASS", "WARN", "FAIL", "INCONCLUSIVE"};
    int i;
    for (i = 0; i < 7; ++i) CHECK(strcmp(referee_status_name((referee_status)i), statuses[i]) == 0);
    for (i = 0; i < 4; ++i) CHECK(strcmp(referee_verdict_name((referee_verdict)i), verdicts[i]) == 0);
    CHECK(strcmp(referee_status_name((referee_status)-1), "REFEREE_UNKNOWN_STATUS") == 0);
  }
  CHECK(REFEREE_VERSION_NUMBER ==
        REFEREE_VERSION_MAJOR * 10000 + REFEREE_VERSION_MINOR * 100 + REFEREE_VERSION_PATCH);
  CHECK(strcmp(referee_last_error(), "") == 0); /* nothing has failed on this thread yet */
}

static void test_null_arguments_and_free_null(void) {
  referee_policy* policy = NULL;
  CHECK(referee_policy_create(NULL, 0, &policy) == REFEREE_INVALID_ARGUMENT);
  CHECK(contains(referee_last_error(), "json is NULL"));
  CHECK(referee_policy_create("{}", 2, NULL) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_evaluate(NULL, NULL, NULL, NULL) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_options_set_threads(NULL, 1) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_report_json(NULL, NULL, NULL) == REFEREE_INVALID_ARGUMENT);
  CHECK(contains(referee_last_error(), "report is NULL"));
  CHECK(referee_policy_load(NULL, &policy) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_policy_load("examples/gate.json", NULL) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_table_create(3, NULL) == REFEREE_INVALID_ARGUMENT);
  {
    const double values[3] = {0.0, 1.0, 0.0};
    const int64_t offsets[4] = {0, 1, 2, 3};
    const int32_t codes[3] = {0, 0, 0};
    const char* const dictionary[1] = {"x"};
    const char* const holey[1] = {NULL};
    referee_table* table = NULL;
    referee_table* csv = (referee_table*)(uintptr_t)1; /* poisoned: must be reset to NULL */
    CHECK(referee_table_add_numeric(NULL, "y", values, 3, REFEREE_F64) == REFEREE_INVALID_ARGUMENT);
    CHECK(referee_table_create(3, &table) == REFEREE_OK && table != NULL);
    CHECK(referee_table_add_numeric(table, NULL, values, 3, REFEREE_F64) == REFEREE_INVALID_ARGUMENT);
    CHECK(referee_table_add_numeric(table, "y", NULL, 3, REFEREE_F64) == REFEREE_INVALID_ARGUMENT);
    CHECK(referee_table_add_strings(table, "s", NULL, offsets, 3) == REFEREE_INVALID_ARGUMENT);
    CHECK(referee_table_add_strings(table, "s", "abc", NULL, 3) == REFEREE_INVALID_ARGUMENT);
    CHECK(referee_table_add_strings(NULL, "s", "abc", offsets, 3) == REFEREE_INVALID_ARGUMENT);
    CHECK(referee_table_add_dictionary(table, "d", NULL, 3, dictionary, 1) == REFEREE_INVALID_ARGUMENT);
    CHECK(referee_table_add_dictionary(table, "d", codes, 3, NULL, 1) == REFEREE_INVALID_ARGUMENT);
    CHECK(referee_table_add_dictionary(table, "d", codes, 3, holey, 1) == REFEREE_INVALID_ARGUMENT);
    CHECK(referee_table_add_dictionary(NULL, "d", codes, 3, dictionary, 1) == REFEREE_INVALID_ARGUMENT);
    CHECK(referee_table_read_csv(NULL, NULL, &csv) == REFEREE_INVALID_ARGUMENT && csv == NULL);
    CHECK(referee_table_read_csv("examples/credit_eval.csv", NULL, &csv) == REFEREE_INVALID_ARGUMENT);
    CHECK(contains(referee_last_error(), "policy is NULL"));
    CHECK(referee_evaluate(table, NULL, NULL, NULL) == REFEREE_INVALID_ARGUMENT);
    referee_table_free(table);
  }
  CHECK(referee_options_create(NULL) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_options_set_seed(NULL, 1) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_options_set_progress(NULL, NULL, NULL) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_options_cancel(NULL) == REFEREE_INVALID_ARGUMENT);
  {
    referee_verdict verdict = REFEREE_PASS;
    int flag = 0;
    CHECK(referee_report_verdict(NULL, &verdict) == REFEREE_INVALID_ARGUMENT);
    CHECK(referee_report_passed(NULL, &flag) == REFEREE_INVALID_ARGUMENT);
    CHECK(referee_report_write(NULL, "/tmp/x.json") == REFEREE_INVALID_ARGUMENT);
  }
  referee_policy_free(NULL);
  referee_table_free(NULL);
  referee_options_free(NULL);
  referee_report_free(NULL);
}

static void test_policy_errors(void) {
  referee_policy* policy = NULL;
  const char* bad = "{\"version\": 1, \"task\": }";
  CHECK(referee_policy_create(bad, strlen(bad), &policy) == REFEREE_POLICY_ERROR);
  CHECK(policy == NULL);
  CHECK(contains(referee_last_error(), "invalid JSON"));
  const char* misspelt =
      "{\"version\": 1, \"task\": \"binary\", \"columns\": {\"label\": \"y\", \"champion\": \"a\","
      " \"challenger\": \"b\"}, \"rules\": [{\"id\": \"r\", \"metric\": \"roc_acu\", \"subject\": \"delta\", \"min\": 0}]}";
  CHECK(referee_policy_create(misspelt, strlen(misspelt), &policy) == REFEREE_POLICY_ERROR);
  CHECK(contains(referee_last_error(), "did you mean \"roc_auc\""));
  CHECK(referee_policy_load("/nonexistent/gate.json", &policy) == REFEREE_IO_ERROR);
  CHECK(referee_policy_create(kPolicy, strlen(kPolicy), &policy) == REFEREE_OK);
  CHECK(strcmp(referee_last_error(), "") == 0);  /* success clears the message */
  referee_policy_free(policy);
}

/* A table of the test's columns, with the cluster column dictionary-encoded. */
static referee_table* table_with_codes(size_t n, const int32_t* y, const float* a, const double* b,
                                       const uint8_t* w, const int32_t* codes, const char* const* dictionary) {
  referee_table* table = NULL;
  CHECK(referee_table_create(n, &table) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "y", y, n, REFEREE_I32) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "a", a, n, REFEREE_F32) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "b", b, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "w", w, n, REFEREE_U8) == REFEREE_OK);
  CHECK(referee_table_add_dictionary(table, "customer", codes, n, dictionary, 8) == REFEREE_OK);
  return table;
}

static void test_column_table(void) {
  enum { n = 12 };
  const int32_t y[n] = {0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1};
  const float a[n] = {0.2f, 0.7f, 0.4f, 0.6f, 0.9f, 0.3f, 0.1f, 0.8f, 0.5f, 0.4f, 0.2f, 0.7f};
  const double b[n] = {0.1, 0.8, 0.3, 0.7, 0.95, 0.2, 0.2, 0.9, 0.4, 0.6, 0.1, 0.8};
  const uint8_t w[n] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  const char bytes[] = "c1c1c2c3c3c4c5c5c6c7c8c8";
  int64_t offsets[n + 1];
  for (int i = 0; i <= n; ++i) offsets[i] = 2 * i;
  const int32_t codes[n] = {0, 0, 1, 2, 2, 3, 4, 4, 5, 6, 7, 7};
  const char* dictionary[] = {"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"};

  referee_policy* policy = NULL;
  CHECK(referee_policy_create(kPolicy, strlen(kPolicy), &policy) == REFEREE_OK);

  referee_table* table = NULL;
  CHECK(referee_table_create(n, &table) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "y", y, n, REFEREE_I32) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "a", a, n, REFEREE_F32) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "a", a, n, REFEREE_F32) == REFEREE_INVALID_ARGUMENT);
  CHECK(contains(referee_last_error(), "added twice"));
  CHECK(referee_table_add_numeric(table, "short", a, n - 1, REFEREE_F32) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_table_add_numeric(table, "bad", a, n, (referee_type)42) == REFEREE_INVALID_ARGUMENT);

  /* Without b, w and customer the evaluation names what is missing. */
  referee_report* report = NULL;
  CHECK(referee_evaluate(table, policy, NULL, &report) == REFEREE_DATA_ERROR);
  CHECK(contains(referee_last_error(), "no column \"b\""));
  CHECK(report == NULL);

  CHECK(referee_table_add_numeric(table, "bb", b, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_evaluate(table, policy, NULL, &report) == REFEREE_DATA_ERROR);
  CHECK(contains(referee_last_error(), "did you mean \"bb\""));
  CHECK(referee_table_add_numeric(table, "b", b, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "w", w, n, REFEREE_U8) == REFEREE_OK);
  CHECK(referee_table_add_strings(table, "customer", bytes, offsets, n) == REFEREE_OK);

  referee_options* options = NULL;
  struct progress_log log = {0, 0.0, NULL};
  CHECK(referee_options_create(&options) == REFEREE_OK);
  CHECK(referee_options_set_threads(options, 2) == REFEREE_OK);
  CHECK(referee_options_set_seed(options, 11) == REFEREE_OK);
  CHECK(referee_options_set_progress(options, on_progress, &log) == REFEREE_OK);
  CHECK(referee_evaluate(table, policy, options, &report) == REFEREE_OK);
  CHECK(log.calls > 0 && log.last == 1.0);

  referee_verdict verdict = REFEREE_FAIL;
  int passed_flag = 0;
  const char* json = NULL;
  size_t length = 0;
  CHECK(referee_report_verdict(report, &verdict) == REFEREE_OK);
  CHECK(verdict == REFEREE_PASS);
  CHECK(referee_report_passed(report, &passed_flag) == REFEREE_OK && passed_flag == 1);
  CHECK(referee_report_json(report, &json, &length) == REFEREE_OK);
  CHECK(length == strlen(json) && contains(json, "\"seed\": 11") && contains(json, "\"units\": 8"));

  /* The same clusters given as a dictionary give the same report, byte for byte outside run. */
  referee_table* by_code = table_with_codes(n, y, a, b, w, codes, dictionary);
  referee_report* again = NULL;
  CHECK(referee_evaluate(by_code, policy, options, &again) == REFEREE_OK);
  const char* json_again = NULL;
  CHECK(referee_report_json(again, &json_again, NULL) == REFEREE_OK);
  CHECK(same_outside_run(json, json_again));
  referee_report_free(again);

  /* A code outside the dictionary is a data error naming the row. */
  int32_t broken[n];
  memcpy(broken, codes, sizeof broken);
  broken[4] = 9;
  referee_table* bad_codes = table_with_codes(n, y, a, b, w, broken, dictionary);
  referee_report* none = NULL;
  CHECK(referee_evaluate(bad_codes, policy, NULL, &none) == REFEREE_DATA_ERROR);
  CHECK(contains(referee_last_error(), "row 5") && contains(referee_last_error(), "outside the dictionary"));

  /* Cancelled before it starts: a status, and no report. */
  CHECK(referee_options_cancel(options) == REFEREE_OK);
  CHECK(referee_evaluate(table, policy, options, &none) == REFEREE_CANCELLED);
  CHECK(none == NULL);

  char path[] = "/tmp/referee-c-api-XXXXXX";
  const int fd = mkstemp(path);
  CHECK(fd >= 0);
  CHECK(referee_report_write(report, path) == REFEREE_OK);
  {
    size_t written_length = 0;
    char* written = read_whole_file(path, &written_length);
    CHECK(written != NULL && written_length == length && memcmp(written, json, length) == 0);
    free(written);
  }
  CHECK(referee_report_write(report, "/nonexistent/dir/report.json") == REFEREE_IO_ERROR);
  CHECK(contains(referee_last_error(), "/nonexistent/dir"));
  if (fd >= 0) close(fd);
  remove(path);

  referee_report_free(report);
  referee_options_free(options);
  referee_table_free(bad_codes);
  referee_table_free(by_code);
  referee_table_free(table);
  referee_policy_free(policy);
}


/* Evaluates and returns the report (NULL on failure), checking the status. */
static referee_report* evaluate_ok(const referee_table* table, const referee_policy* policy,
                                   const referee_options* options) {
  referee_report* report = NULL;
  const referee_status status = referee_evaluate(table, policy, options, &report);
  CHECK(status == REFEREE_OK && report != NULL);
  return report;
}

static const char* json_of(const referee_report* report) {
  const char* json = "";
  if (report) CHECK(referee_report_json(report, &json, NULL) == REFEREE_OK);
  return json;
}

/* The contract beyond the happy path: thread count, integer cluster keys, FAIL as a
 * result, bad values, and a cancel while the evaluation runs. */
static void test_contract(void) {
  enum { n = 12 };
  const double y[n] = {0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1};
  const double a[n] = {0.2, 0.7, 0.4, 0.6, 0.9, 0.3, 0.1, 0.8, 0.5, 0.4, 0.2, 0.7};
  const double b[n] = {0.1, 0.8, 0.3, 0.7, 0.95, 0.2, 0.2, 0.9, 0.4, 0.6, 0.1, 0.8};
  const uint8_t w[n] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  const int32_t codes[n] = {0, 0, 1, 2, 2, 3, 4, 4, 5, 6, 7, 7};
  /* Keys above 2^53, where neighbours collide as doubles: read as integers, they stay apart. */
  const int64_t base = (int64_t)1 << 53;
  int64_t keys[n];
  char bytes[n * 24];
  int64_t offsets[n + 1];
  const int32_t bad_labels[n] = {0, 1, 0, 2, 1, 0, 0, 1, 0, 1, 0, 1};
  const char label_bytes[] = "011011001010";
  int64_t label_offsets[n + 1];
  referee_policy* policy = NULL;
  referee_policy* strict = NULL;
  referee_table* by_integer = NULL;
  referee_table* by_text = NULL;
  referee_table* bad = NULL;
  referee_report* one = NULL;
  referee_report* many = NULL;
  referee_report* by_int_report = NULL;
  referee_report* by_text_report = NULL;
  referee_report* none = NULL;
  referee_options* single = NULL;
  referee_options* all = NULL;
  referee_options* midway = NULL;
  struct progress_log log = {0, 0.0, NULL};
  size_t used = 0;
  int i;
  const char* strict_text =
      "{\"version\": 1, \"task\": \"binary\","
      " \"columns\": {\"label\": \"y\", \"champion\": \"a\", \"challenger\": \"b\"},"
      " \"bootstrap\": {\"resamples\": 200, \"seed\": 3},"
      " \"rules\": [{\"id\": \"auc\", \"metric\": \"roc_auc\", \"subject\": \"champion\", \"min\": 0.999,"
      " \"decide_on\": \"point\"}]}";

  offsets[0] = 0;
  for (i = 0; i < n; ++i) {
    keys[i] = base + codes[i];
    used += (size_t)sprintf(bytes + used, "%lld", (long long)keys[i]);
    offsets[i + 1] = (int64_t)used;
  }
  for (i = 0; i <= n; ++i) label_offsets[i] = i;

  CHECK(referee_policy_create(kPolicy, strlen(kPolicy), &policy) == REFEREE_OK);
  CHECK(referee_policy_create(strict_text, strlen(strict_text), &strict) == REFEREE_OK);

  CHECK(referee_table_create(n, &by_integer) == REFEREE_OK);
  CHECK(referee_table_add_numeric(by_integer, "y", y, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(by_integer, "a", a, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(by_integer, "b", b, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(by_integer, "w", w, n, REFEREE_U8) == REFEREE_OK);
  CHECK(referee_table_add_numeric(by_integer, "customer", keys, n, REFEREE_I64) == REFEREE_OK);

  CHECK(referee_table_create(n, &by_text) == REFEREE_OK);
  CHECK(referee_table_add_numeric(by_text, "y", y, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(by_text, "a", a, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(by_text, "b", b, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(by_text, "w", w, n, REFEREE_U8) == REFEREE_OK);
  CHECK(referee_table_add_strings(by_text, "customer", bytes, offsets, n) == REFEREE_OK);

  /* Results depend on the seed, never on the thread count. */
  CHECK(referee_options_create(&single) == REFEREE_OK);
  CHECK(referee_options_set_threads(single, 1) == REFEREE_OK);
  CHECK(referee_options_create(&all) == REFEREE_OK);
  CHECK(referee_options_set_threads(all, 0) == REFEREE_OK);
  one = evaluate_ok(by_integer, policy, single);
  many = evaluate_ok(by_integer, policy, all);
  CHECK(same_outside_run(json_of(one), json_of(many)));
  CHECK(contains(json_of(one), "\"units\": 8"));

  /* An i64 cluster column keys units by the value's decimal text: the same report, data
   * hash included (by unit: "rows_by_unit"), as the same keys given as strings. */
  by_int_report = evaluate_ok(by_integer, policy, NULL);
  by_text_report = evaluate_ok(by_text, policy, NULL);
  CHECK(same_outside_run(json_of(by_int_report), json_of(by_text_report)));
  CHECK(contains(json_of(by_int_report), "\"sha256_of\": \"rows_by_unit\""));

  /* A FAIL verdict is a result: the call succeeds. */
  {
    referee_report* failing = evaluate_ok(by_text, strict, NULL);
    referee_verdict verdict = REFEREE_PASS;
    int flag = 1;
    CHECK(referee_report_verdict(failing, &verdict) == REFEREE_OK && verdict == REFEREE_FAIL);
    CHECK(referee_report_passed(failing, &flag) == REFEREE_OK && flag == 0);
    CHECK(strcmp(referee_verdict_name(verdict), "FAIL") == 0);
    CHECK(strcmp(referee_last_error(), "") == 0);
    referee_report_free(failing);
  }

  /* Bad values: a label of 2 names the row; a label column of strings is refused. */
  CHECK(referee_table_create(n, &bad) == REFEREE_OK);
  CHECK(referee_table_add_numeric(bad, "y", bad_labels, n, REFEREE_I32) == REFEREE_OK);
  CHECK(referee_table_add_numeric(bad, "a", a, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(bad, "b", b, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_evaluate(bad, strict, NULL, &none) == REFEREE_DATA_ERROR && none == NULL);
  CHECK(contains(referee_last_error(), "row 4") && contains(referee_last_error(), "not 0 or 1"));
  referee_table_free(bad);
  bad = NULL;
  CHECK(referee_table_create(n, &bad) == REFEREE_OK);
  CHECK(referee_table_add_strings(bad, "y", label_bytes, label_offsets, n) == REFEREE_OK);
  CHECK(referee_table_add_numeric(bad, "a", a, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(bad, "b", b, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_evaluate(bad, strict, NULL, &none) == REFEREE_DATA_ERROR && none == NULL);
  CHECK(contains(referee_last_error(), "\"y\" holds strings"));
  /* An empty table is a data error too. */
  referee_table_free(bad);
  bad = NULL;
  CHECK(referee_table_create(0, &bad) == REFEREE_OK);
  CHECK(referee_table_add_numeric(bad, "y", y, 0, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(bad, "a", a, 0, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(bad, "b", b, 0, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_evaluate(bad, strict, NULL, &none) == REFEREE_DATA_ERROR && none == NULL);
  CHECK(contains(referee_last_error(), "no data rows"));

  /* Cancelled while running: the progress callback cancels after the first block. */
  CHECK(referee_options_create(&midway) == REFEREE_OK);
  CHECK(referee_options_set_threads(midway, 1) == REFEREE_OK);
  log.cancel_on_first_call = midway;
  CHECK(referee_options_set_progress(midway, on_progress, &log) == REFEREE_OK);
  CHECK(referee_evaluate(by_text, policy, midway, &none) == REFEREE_CANCELLED && none == NULL);
  CHECK(log.calls >= 1 && log.last < 1.0);
  CHECK(contains(referee_last_error(), "cancelled"));
  CHECK(strcmp(referee_status_name(REFEREE_CANCELLED), "REFEREE_CANCELLED") == 0);

  referee_options_free(midway);
  referee_options_free(all);
  referee_options_free(single);
  referee_report_free(by_text_report);
  referee_report_free(by_int_report);
  referee_report_free(many);
  referee_report_free(one);
  referee_table_free(bad);
  referee_table_free(by_text);
  referee_table_free(by_integer);
  referee_policy_free(strict);
  referee_policy_free(policy);
}

static void test_csv_matches_the_cli(const char* report_path) {
  referee_policy* policy = NULL;
  referee_table* table = NULL;
  referee_report* report = NULL;
  CHECK(referee_policy_load("examples/gate.json", &policy) == REFEREE_OK);
  CHECK(referee_table_read_csv("examples/missing.csv", policy, &table) == REFEREE_IO_ERROR);
  CHECK(referee_table_read_csv("examples/credit_eval.csv", policy, &table) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "x", "", 0, REFEREE_U8) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_evaluate(table, policy, NULL, &report) == REFEREE_OK);
  referee_verdict verdict = REFEREE_FAIL;
  CHECK(referee_report_verdict(report, &verdict) == REFEREE_OK && verdict == REFEREE_PASS);
  /* The report_json text goes to report_path for the script's comparison with the CLI;
   * report_write must produce the same bytes. */
  {
    const char* json = NULL;
    size_t length = 0;
    FILE* out = fopen(report_path, "wb");
    char written_path[] = "/tmp/referee-c-api-csv-XXXXXX";
    const int fd = mkstemp(written_path);
    CHECK(referee_report_json(report, &json, &length) == REFEREE_OK);
    CHECK(out != NULL && json != NULL && fwrite(json, 1, length, out) == length);
    if (out) CHECK(fclose(out) == 0);
    CHECK(fd >= 0);
    if (fd >= 0) {
      size_t written_length = 0;
      char* written;
      close(fd);
      CHECK(referee_report_write(report, written_path) == REFEREE_OK);
      written = read_whole_file(written_path, &written_length);
      CHECK(written != NULL && json != NULL && written_length == length && memcmp(written, json, length) == 0);
      free(written);
      remove(written_path);
    }
  }
  referee_report_free(report);
  referee_table_free(table);
  referee_policy_free(policy);
}

/* The segment test's table without its region column: scores, a dictionary-coded sex and
 * an i32 channel. */
static referee_table* segment_table(size_t n, const double* y, const double* a, const double* b,
                                    const int32_t* sex_codes, const char* const* sexes, const int32_t* channel) {
  referee_table* table = NULL;
  CHECK(referee_table_create(n, &table) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "y", y, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "a", a, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "b", b, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_dictionary(table, "sex", sex_codes, n, sexes, 2) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "channel", channel, n, REFEREE_I32) == REFEREE_OK);
  return table;
}

/* Segments and fairness through the C API: a string, a dictionary and an integer column,
 * the trap example read from CSV, and a float segment column refused. */
static void test_segments(void) {
  enum { n = 16 };
  const double y[n] = {0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0};
  const double a[n] = {.2, .7, .4, .6, .9, .3, .1, .8, .5, .4, .2, .7, .6, .3, .8, .1};
  const double b[n] = {.1, .8, .3, .7, .95, .2, .2, .9, .4, .6, .1, .8, .7, .2, .9, .2};
  const char bytes[] = "NNNNNNNNSSSSSSSS";
  int64_t offsets[n + 1];
  const int32_t sex_codes[n] = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
  const char* sexes[] = {"F", "M"};
  const int32_t channel[n] = {1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2};
  const double float_segment[n] = {0};
  const int64_t big_region[n] = {9007199254740993, 9007199254740993, 9007199254740993, 9007199254740993,
                                 9007199254740993, 9007199254740993, 9007199254740993, 9007199254740993,
                                 -1, -1, -1, -1, -1, -1, -1, -1};
  const int32_t bad_sex_codes[n] = {0, 1, 0, 2, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
  const char* policy_text =
      "{\"version\": 1, \"task\": \"binary\","
      " \"columns\": {\"label\": \"y\", \"champion\": \"a\", \"challenger\": \"b\","
      " \"segments\": [\"region\", \"region*channel\"], \"sensitive\": [\"sex\"]},"
      " \"segments_min\": {\"rows\": 2, \"positives\": 1},"
      " \"fairness\": {\"reference\": {\"sex\": \"M\"}},"
      " \"bootstrap\": {\"resamples\": 200, \"seed\": 3},"
      " \"rules\": [{\"id\": \"each\", \"metric\": \"accuracy\", \"subject\": \"challenger\", \"min\": 0,"
      " \"decide_on\": \"point\", \"scope\": {\"each_segment\": \"region\"}},"
      " {\"id\": \"di\", \"metric\": \"DI\", \"sensitive\": \"sex\", \"subject\": \"challenger\", \"min\": 0,"
      " \"decide_on\": \"point\"}]}";
  referee_policy* policy = NULL;
  referee_table* table = NULL;
  referee_report* report = NULL;
  int i;
  for (i = 0; i <= n; ++i) offsets[i] = i;
  CHECK(referee_policy_create(policy_text, strlen(policy_text), &policy) == REFEREE_OK);
  table = segment_table(n, y, a, b, sex_codes, sexes, channel);
  CHECK(referee_table_add_strings(table, "region", bytes, offsets, n) == REFEREE_OK);
  CHECK(referee_evaluate(table, policy, NULL, &report) == REFEREE_OK);
  {
    const char* json = json_of(report);
    CHECK(contains(json, "\"segments\": ["));
    CHECK(contains(json, "\"fairness\": ["));
    CHECK(contains(json, "\"segment\": \"region*channel\""));
    CHECK(contains(json, "\"channel\": \"2\""));  /* an integer segment value is its decimal text */
    CHECK(contains(json, "\"value\": \"N\"") && contains(json, "\"value\": \"S\""));
    CHECK(contains(json, "\"reference\": \"M\""));
  }
  referee_report_free(report);
  report = NULL;
  referee_table_free(table);

  /* An i64 segment is read as an integer: 2^53 + 1 keeps its last digit (a double would not). */
  table = segment_table(n, y, a, b, sex_codes, sexes, channel);
  CHECK(referee_table_add_numeric(table, "region", big_region, n, REFEREE_I64) == REFEREE_OK);
  CHECK(referee_evaluate(table, policy, NULL, &report) == REFEREE_OK);
  CHECK(contains(json_of(report), "\"value\": \"9007199254740993\""));
  CHECK(contains(json_of(report), "\"value\": \"-1\""));
  referee_report_free(report);
  report = NULL;
  referee_table_free(table);

  /* A dictionary code outside the dictionary names the row and the column. */
  table = segment_table(n, y, a, b, bad_sex_codes, sexes, channel);
  CHECK(referee_table_add_strings(table, "region", bytes, offsets, n) == REFEREE_OK);
  CHECK(referee_evaluate(table, policy, NULL, &report) == REFEREE_DATA_ERROR && report == NULL);
  CHECK(contains(referee_last_error(), "row 4, column \"sex\": code 2 is outside the dictionary"));
  referee_table_free(table);

  /* Invalid UTF-8 in a segment column is bad data (it was once REFEREE_INTERNAL): table
     validation checks every text column, whatever door the table came through, and the
     message names the row and column but not the bytes. */
  {
    const char broken[] = "NNNNNNNNSSSSSS\xff\xfe";
    table = segment_table(n, y, a, b, sex_codes, sexes, channel);
    CHECK(referee_table_add_strings(table, "region", broken, offsets, n) == REFEREE_OK);
    CHECK(referee_evaluate(table, policy, NULL, &report) == REFEREE_DATA_ERROR && report == NULL);
    CHECK(contains(referee_last_error(), "row 15, column \"region\": the value is not valid UTF-8"));
    referee_table_free(table);
  }

  /* A float column cannot be a segment: its text is ambiguous. */
  table = segment_table(n, y, a, b, sex_codes, sexes, channel);
  CHECK(referee_table_add_numeric(table, "region", float_segment, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_evaluate(table, policy, NULL, &report) == REFEREE_DATA_ERROR && report == NULL);
  CHECK(contains(referee_last_error(), "column \"region\" must hold strings or integers"));
  referee_table_free(table);
  referee_policy_free(policy);

  /* The trap example, read from CSV: FAIL, and the report names the region. */
  CHECK(referee_policy_load("examples/gate-segments.json", &policy) == REFEREE_OK);
  CHECK(referee_table_read_csv("examples/segment_trap.csv", policy, &table) == REFEREE_OK);
  CHECK(referee_evaluate(table, policy, NULL, &report) == REFEREE_OK);
  {
    referee_verdict verdict = REFEREE_PASS;
    CHECK(referee_report_verdict(report, &verdict) == REFEREE_OK && verdict == REFEREE_FAIL);
    CHECK(contains(json_of(report), "\"segment\": \"west\""));
  }
  referee_report_free(report);
  referee_table_free(table);
  referee_policy_free(policy);
}

/* A CSV file without quoted cells, cut in place into NUL-terminated cells: enough to
 * rebuild the bundled example column by column. */
struct csv_file {
  char* text;
  size_t rows, columns;
  char** cells; /* the header row, then each data row */
};

static int csv_load(const char* path, struct csv_file* csv) {
  size_t length = 0, count = 1, i, cell = 0;
  char* p;
  memset(csv, 0, sizeof *csv);
  csv->text = read_whole_file(path, &length);
  if (!csv->text) return 0;
  for (i = 0; i < length; ++i) count += csv->text[i] == ',' || csv->text[i] == '\n';
  csv->cells = (char**)malloc(count * sizeof(char*));
  if (!csv->cells) return 0;
  for (p = csv->text; *p != '\0';) {
    char* end = p + strcspn(p, ",\r\n");
    const char separator = *end;
    csv->cells[cell++] = p;
    if (csv->rows == 0 && separator != ',') csv->columns = cell;
    *end = '\0';
    if (separator == '\r') ++end;
    if (separator != '\0') ++end;
    if (separator == '\n' || separator == '\r' || separator == '\0') ++csv->rows;
    p = end;
  }
  csv->rows -= 1; /* the header */
  return csv->columns > 0 && cell == (csv->rows + 1) * csv->columns;
}

static void csv_free(struct csv_file* csv) {
  free(csv->cells);
  free(csv->text);
}

static const char* csv_cell(const struct csv_file* csv, size_t row, const char* name) {
  size_t c;
  for (c = 0; c < csv->columns; ++c)
    if (strcmp(csv->cells[c], name) == 0) return csv->cells[(row + 1) * csv->columns + c];
  return "";
}

/* The table's buffers, freed together once the last evaluation has returned. */
struct buffers {
  void* owned[32];
  int count;
};

static void* keep(struct buffers* b, void* p) {
  CHECK(p != NULL && b->count < 32);
  if (b->count < 32) b->owned[b->count++] = p;
  return p;
}

static void add_f64(referee_table* t, struct buffers* b, const struct csv_file* csv, const char* name) {
  double* v = (double*)keep(b, malloc(csv->rows * sizeof(double)));
  size_t r;
  for (r = 0; v && r < csv->rows; ++r) v[r] = strtod(csv_cell(csv, r, name), NULL);
  CHECK(referee_table_add_numeric(t, name, v, csv->rows, REFEREE_F64) == REFEREE_OK);
}

static void add_i64(referee_table* t, struct buffers* b, const struct csv_file* csv, const char* name) {
  int64_t* v = (int64_t*)keep(b, malloc(csv->rows * sizeof(int64_t)));
  size_t r;
  for (r = 0; v && r < csv->rows; ++r) v[r] = strtoll(csv_cell(csv, r, name), NULL, 10);
  CHECK(referee_table_add_numeric(t, name, v, csv->rows, REFEREE_I64) == REFEREE_OK);
}

static void add_u8(referee_table* t, struct buffers* b, const struct csv_file* csv, const char* name) {
  uint8_t* v = (uint8_t*)keep(b, malloc(csv->rows));
  size_t r;
  for (r = 0; v && r < csv->rows; ++r) v[r] = (uint8_t)atoi(csv_cell(csv, r, name));
  CHECK(referee_table_add_numeric(t, name, v, csv->rows, REFEREE_U8) == REFEREE_OK);
}

static void add_strings(referee_table* t, struct buffers* b, const struct csv_file* csv, const char* name) {
  int64_t* offsets = (int64_t*)keep(b, malloc((csv->rows + 1) * sizeof(int64_t)));
  size_t r, total = 0;
  char* bytes;
  for (r = 0; r < csv->rows; ++r) total += strlen(csv_cell(csv, r, name));
  bytes = (char*)keep(b, malloc(total + 1));
  if (!offsets || !bytes) return;
  offsets[0] = 0;
  for (r = 0; r < csv->rows; ++r) {
    const char* cell = csv_cell(csv, r, name);
    memcpy(bytes + offsets[r], cell, strlen(cell));
    offsets[r + 1] = offsets[r] + (int64_t)strlen(cell);
  }
  CHECK(referee_table_add_strings(t, name, bytes, offsets, csv->rows) == REFEREE_OK);
}

/* The example's columns gate-budgets.json reads, each in the kind a caller would likely
 * hold: f64 figures, i64 ages (a drift feature given as integers), u8 error flags and
 * string keys. `skip` leaves one column out (NULL: none). */
static referee_table* credit_table(const struct csv_file* csv, struct buffers* b, const char* skip) {
  static const char* const f64[] = {"y", "score_prod", "score_new", "w", "lat_prod_ms", "lat_new_ms",
                                    "cost_prod", "cost_new", "income"};
  static const char* const strings[] = {"customer_id", "region"};
  referee_table* t = NULL;
  size_t i;
  CHECK(referee_table_create(csv->rows, &t) == REFEREE_OK);
  for (i = 0; i < sizeof f64 / sizeof *f64; ++i)
    if (!skip || strcmp(skip, f64[i]) != 0) add_f64(t, b, csv, f64[i]);
  for (i = 0; i < sizeof strings / sizeof *strings; ++i)
    if (!skip || strcmp(skip, strings[i]) != 0) add_strings(t, b, csv, strings[i]);
  add_i64(t, b, csv, "age");
  add_u8(t, b, csv, "err_prod");
  add_u8(t, b, csv, "err_new");
  return t;
}

/* Equal text from the "bootstrap" section (the one after "data") up to "run". */
static int same_after_data(const char* a, const char* b) {
  const char* from_a = strstr(a, "\n  \"bootstrap\": {");
  const char* from_b = strstr(b, "\n  \"bootstrap\": {");
  const char* to_a = strstr(a, "\n  \"run\": {");
  const char* to_b = strstr(b, "\n  \"run\": {");
  return from_a && from_b && to_a && to_b && to_a - from_a == to_b - from_b && to_a > from_a &&
         strncmp(from_a, from_b, (size_t)(to_a - from_a)) == 0;
}

static referee_verdict verdict_of(const referee_report* report) {
  referee_verdict verdict = REFEREE_INCONCLUSIVE;
  if (report) CHECK(referee_report_verdict(report, &verdict) == REFEREE_OK);
  return verdict;
}

static void write_text(const char* path, const char* text) {
  FILE* out = fopen(path, "wb");
  CHECK(out != NULL);
  if (!out) return;
  CHECK(fwrite(text, 1, strlen(text), out) == strlen(text));
  CHECK(fclose(out) == 0);
}

/* Budgets and drift: the example read from CSV fails its p99 budget; the same columns
 * given one by one give the same report outside "data"; the drift reference can be
 * overridden; a load test's latency comes from a file or from arrays. Writes the two
 * example reports next to `report_path` for the script's comparison with the CLI. */
static void test_budgets_and_drift(const char* report_path) {
  referee_policy* budgets = NULL;
  referee_policy* loadtest = NULL;
  referee_table* from_csv = NULL;
  referee_table* loadtest_csv = NULL; /* read for gate-loadtest.json: no latency columns */
  referee_table* by_column = NULL;
  referee_table* without_income = NULL;
  referee_report* csv_report = NULL;
  referee_report* column_report = NULL;
  referee_report* report = NULL;
  referee_options* options = NULL;
  struct csv_file csv;
  struct buffers owned = {{NULL}, 0};
  char path[4096];
  int i;
  const double champion_ms[] = {12.0, 15.5, 11.25, 19.0, 14.0};
  const double challenger_ms[] = {13.0, 16.5, 12.0, 18.0};
  const double negative_ms[] = {13.0, -2.0};

  CHECK(referee_policy_load("examples/gate-budgets.json", &budgets) == REFEREE_OK);
  CHECK(referee_policy_load("examples/gate-loadtest.json", &loadtest) == REFEREE_OK);
  CHECK(referee_table_read_csv("examples/credit_eval.csv", budgets, &from_csv) == REFEREE_OK);
  csv_report = evaluate_ok(from_csv, budgets, NULL);
  CHECK(verdict_of(csv_report) == REFEREE_FAIL);
  CHECK(contains(json_of(csv_report), "\n  \"budgets\": {") && contains(json_of(csv_report), "\n  \"drift\": {"));
  CHECK(contains(json_of(csv_report), "\"id\": \"p99-latency-budget\""));
  CHECK(contains(json_of(csv_report), "\"file\": \"reference_sample.csv\""));
  snprintf(path, sizeof path, "%s.budgets", report_path);
  write_text(path, json_of(csv_report));

  /* Column by column: the budgets and drift sections, and everything else outside
   * "data", equal the CSV's. */
  CHECK(csv_load("examples/credit_eval.csv", &csv));
  CHECK(csv.rows == 6366 && csv.columns == 17);
  by_column = credit_table(&csv, &owned, NULL);
  column_report = evaluate_ok(by_column, budgets, NULL);
  CHECK(verdict_of(column_report) == REFEREE_FAIL);
  CHECK(same_after_data(json_of(csv_report), json_of(column_report)));
  CHECK(contains(json_of(column_report), "\"sha256_of\": \"rows_by_unit\""));

  /* A drift feature missing from the table is a data error naming it. */
  without_income = credit_table(&csv, &owned, "income");
  CHECK(referee_evaluate(without_income, budgets, NULL, &report) == REFEREE_DATA_ERROR && report == NULL);
  CHECK(contains(referee_last_error(), "no column \"income\""));

  /* The drift reference, overridden: the same file gives the same report; a missing one
   * is an I/O error naming it; NULL restores the policy's. */
  CHECK(referee_options_create(&options) == REFEREE_OK);
  CHECK(referee_options_set_drift_reference(NULL, "x.csv") == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_options_set_drift_reference(options, "examples/reference_sample.csv") == REFEREE_OK);
  report = evaluate_ok(by_column, budgets, options);
  CHECK(same_after_data(json_of(column_report), json_of(report)));
  referee_report_free(report);
  report = NULL;
  CHECK(referee_options_set_drift_reference(options, "examples/no_such_reference.csv") == REFEREE_OK);
  CHECK(referee_evaluate(from_csv, budgets, options, &report) == REFEREE_IO_ERROR && report == NULL);
  CHECK(contains(referee_last_error(), "no_such_reference.csv"));
  CHECK(referee_options_set_drift_reference(options, NULL) == REFEREE_OK);
  report = evaluate_ok(from_csv, budgets, options);
  CHECK(same_outside_run(json_of(csv_report), json_of(report)));
  referee_report_free(report);
  report = NULL;

  /* A load test's latency file: independent samples, named in the report. */
  CHECK(referee_table_read_csv("examples/credit_eval.csv", loadtest, &loadtest_csv) == REFEREE_OK);
  CHECK(referee_options_set_latency_file(NULL, "examples/latency_loadtest.csv") == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_options_set_latency_file(options, "examples/latency_loadtest.csv") == REFEREE_OK);
  report = evaluate_ok(loadtest_csv, loadtest, options);
  CHECK(contains(json_of(report), "\"file\": \"latency_loadtest.csv\""));
  CHECK(contains(json_of(report), "\"paired\": false"));
  CHECK(contains(json_of(report), "\"latency_p99\": {"));
  snprintf(path, sizeof path, "%s.loadtest", report_path);
  write_text(path, json_of(report));
  {
    /* A file that cannot be read: an I/O error naming it, and the options keep the
     * samples they had. */
    referee_report* again = NULL;
    CHECK(referee_options_set_latency_file(options, "examples/no_such_latency.csv") == REFEREE_IO_ERROR);
    CHECK(contains(referee_last_error(), "no_such_latency.csv"));
    CHECK(referee_options_set_latency_file(options, "examples/credit_eval.csv") == REFEREE_DATA_ERROR);
    CHECK(contains(referee_last_error(), "credit_eval.csv") && contains(referee_last_error(), "model"));
    again = evaluate_ok(loadtest_csv, loadtest, options);
    CHECK(same_outside_run(json_of(report), json_of(again)));
    referee_report_free(again);
  }
  referee_report_free(report);
  report = NULL;

  /* Latency columns in the policy and separate samples: one too many. */
  CHECK(referee_evaluate(from_csv, budgets, options, &report) == REFEREE_INVALID_ARGUMENT && report == NULL);
  CHECK(contains(referee_last_error(), "latency is given twice"));

  /* Samples from arrays: copied, validated now, and named "memory" (file null). */
  CHECK(referee_options_set_latency_samples(options, champion_ms, 5, negative_ms, 2) == REFEREE_DATA_ERROR);
  CHECK(contains(referee_last_error(), "challenger") && contains(referee_last_error(), "sample 2"));
  CHECK(referee_options_set_latency_samples(options, champion_ms, 5, NULL, 0) == REFEREE_DATA_ERROR);
  CHECK(contains(referee_last_error(), "no latency samples for the challenger"));
  CHECK(referee_options_set_latency_samples(options, NULL, 5, challenger_ms, 4) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_options_set_latency_samples(options, champion_ms, 5, challenger_ms, 4) == REFEREE_OK);
  report = evaluate_ok(loadtest_csv, loadtest, options);
  CHECK(contains(json_of(report), "\"file\": null"));
  CHECK(contains(json_of(report), "\"n\": 5") && contains(json_of(report), "\"n\": 4"));
  referee_report_free(report);
  report = NULL;

  /* NULL clears the samples: the budgets policy runs on its own latency columns again. */
  CHECK(referee_options_set_latency_file(options, NULL) == REFEREE_OK);
  report = evaluate_ok(by_column, budgets, options);
  CHECK(same_after_data(json_of(column_report), json_of(report)));
  referee_report_free(report);

  referee_options_free(options);
  referee_report_free(column_report);
  referee_report_free(csv_report);
  referee_table_free(without_income);
  referee_table_free(loadtest_csv);
  referee_table_free(by_column);
  referee_table_free(from_csv);
  for (i = 0; i < owned.count; ++i) free(owned.owned[i]);
  csv_free(&csv);
  referee_policy_free(loadtest);
  referee_policy_free(budgets);
}

/* Labels as they come and decision scores (issue 15): a string label column with a
 * positive_label, margins that are any real number. Four positives and four negatives
 * whose margins are ordered correctly in 15 of the 16 pairs give a ROC AUC of 15/16. */
static void test_string_labels_and_decision_scores(void) {
  const char* policy_json =
      "{\"version\": 1, \"task\": \"binary\", \"columns\": {\"label\": \"y\", \"positive_label\": \"spam\","
      " \"scores\": \"decision\", \"champion\": \"a\", \"challenger\": \"b\"},"
      " \"bootstrap\": {\"resamples\": 200, \"seed\": 5},"
      " \"rules\": [{\"id\": \"auc\", \"metric\": \"roc_auc\", \"subject\": \"challenger\", \"min\": 0.5}]}";
  const size_t n = 8;
  const char bytes[] = "spamhamspamhamspamhamhamspam";
  const int64_t offsets[] = {0, 4, 7, 11, 14, 18, 21, 24, 28};
  const double a[] = {2.5, -1.0, 0.7, -3.2, -0.2, 0.1, -0.5, 4.0}; /* ham 0.1 above spam -0.2 */
  const double b[] = {1.5, -2.0, 0.9, -1.2, 0.3, -0.4, -0.6, 2.0};
  referee_policy* policy = NULL;
  referee_table* table = NULL;
  CHECK(referee_policy_create(policy_json, strlen(policy_json), &policy) == REFEREE_OK);
  CHECK(referee_table_create(n, &table) == REFEREE_OK);
  CHECK(referee_table_add_strings(table, "y", bytes, offsets, n) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "a", a, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "b", b, n, REFEREE_F64) == REFEREE_OK);
  referee_report* report = evaluate_ok(table, policy, NULL);
  CHECK(contains(json_of(report), "\"estimate\": 0.9375"));  /* the champion's AUC, 15/16 */
  referee_report_free(report);
  referee_table_free(table);
  referee_policy_free(policy);
}

/* Writes a report's JSON to `path`, for the script's comparison with the CLI's. */
static void write_report(const referee_report* report, const char* path) {
  const char* json = NULL;
  size_t length = 0;
  FILE* out = fopen(path, "wb");
  CHECK(out != NULL && report != NULL && referee_report_json(report, &json, &length) == REFEREE_OK);
  if (out && json) CHECK(fwrite(json, 1, length, out) == length);
  if (out) CHECK(fclose(out) == 0);
}

/* A dictionary-coded copy of a CSV text column (first-seen order). */
static void add_dictionary(referee_table* t, struct buffers* b, const struct csv_file* csv, const char* name) {
  int32_t* codes = (int32_t*)keep(b, malloc(csv->rows * sizeof(int32_t)));
  const char** dictionary = (const char**)keep(b, malloc(csv->rows * sizeof(char*)));
  size_t r, d, size = 0;
  if (!codes || !dictionary) return;
  for (r = 0; r < csv->rows; ++r) {
    const char* cell = csv_cell(csv, r, name);
    for (d = 0; d < size && strcmp(dictionary[d], cell) != 0; ++d) {
    }
    if (d == size) dictionary[size++] = cell;
    codes[r] = (int32_t)d;
  }
  CHECK(referee_table_add_dictionary(t, name, codes, csv->rows, dictionary, size) == REFEREE_OK);
}

/* The outcome task (no label column) and a binary label as text with positive_label and
 * decision scores, from the bundled examples: the CSV read by the library equals the same
 * columns given one by one (an outcome's 0/1 results as u8, the SVM's label as strings and
 * as a dictionary). The CSV reports go next to `report_path` for the CLI comparison. */
static void test_outcome_and_text_labels(const char* report_path) {
  static const char* const examples[2][3] = {{"examples/gate-outcome.json", "examples/llm_eval.csv", ".outcome"},
                                             {"examples/gate-svm.json", "examples/breast_cancer_svm.csv", ".svm"}};
  char path[4096];
  int e;
  for (e = 0; e < 2; ++e) {
    referee_policy* policy = NULL;
    referee_table* from_csv = NULL;
    referee_table* by_column[2] = {NULL, NULL};
    referee_report* reports[3] = {NULL, NULL, NULL};
    struct csv_file csv;
    struct buffers b;
    int k;
    memset(&b, 0, sizeof b);
    CHECK(csv_load(examples[e][1], &csv));
    CHECK(referee_policy_load(examples[e][0], &policy) == REFEREE_OK);
    CHECK(referee_table_read_csv(examples[e][1], policy, &from_csv) == REFEREE_OK);
    reports[0] = evaluate_ok(from_csv, policy, NULL);
    for (k = 0; k < 2; ++k) {
      CHECK(referee_table_create(csv.rows, &by_column[k]) == REFEREE_OK);
      if (e == 0) {
        add_u8(by_column[k], &b, &csv, "success_v1");
        add_f64(by_column[k], &b, &csv, "success_v2");
        (k == 0 ? add_strings : add_dictionary)(by_column[k], &b, &csv, "prompt_id");
      } else {
        (k == 0 ? add_strings : add_dictionary)(by_column[k], &b, &csv, "diagnosis");
        add_f64(by_column[k], &b, &csv, "svm_prod");
        add_f64(by_column[k], &b, &csv, "svm_new");
      }
      reports[k + 1] = evaluate_ok(by_column[k], policy, NULL);
      CHECK(same_after_data(json_of(reports[0]), json_of(reports[k + 1])));
    }
    CHECK(verdict_of(reports[0]) == REFEREE_PASS);
    CHECK(contains(json_of(reports[0]), e == 0 ? "\"quantile@0.9\": {" : "\"needs probabilities"));
    snprintf(path, sizeof path, "%s%s", report_path, examples[e][2]);
    write_report(reports[0], path);
    for (k = 0; k < 3; ++k) referee_report_free(reports[k]);
    referee_table_free(by_column[0]);
    referee_table_free(by_column[1]);
    referee_table_free(from_csv);
    referee_policy_free(policy);
    while (b.count > 0) free(b.owned[--b.count]);
    csv_free(&csv);
  }
}

/* A positive_label policy's label in every kind a caller may hold: strings, a dictionary,
 * i32 and f64 (each value compared as its text, so 4 and 4.0 are the positive label 4). */
static void test_label_kinds_with_positive_label(void) {
  const char* policy_json =
      "{\"version\": 1, \"task\": \"binary\", \"columns\": {\"label\": \"y\", \"positive_label\": 4,"
      " \"champion\": \"a\", \"challenger\": \"b\"}, \"bootstrap\": {\"resamples\": 200, \"seed\": 2},"
      " \"rules\": [{\"id\": \"auc\", \"metric\": \"roc_auc\", \"subject\": \"delta\", \"min\": -1}]}";
  enum { n = 8 };
  const char bytes[] = "42424424";
  const int64_t offsets[] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
  const int32_t codes[] = {0, 1, 0, 1, 0, 0, 1, 0};
  const char* const dictionary[] = {"4", "2"};
  const int32_t i32[] = {4, 2, 4, 2, 4, 4, 2, 4};
  const double f64[] = {4.0, 2.0, 4.0, 2.0, 4.0, 4.0, 2.0, 4.0};
  const double a[] = {0.9, 0.3, 0.2, 0.4, 0.8, 0.7, 0.1, 0.6}; /* the 4 at 0.2 below two 2s: AUC 13/15 */
  const double b[] = {0.8, 0.2, 0.7, 0.1, 0.9, 0.6, 0.3, 0.5};
  referee_policy* policy = NULL;
  referee_report* reports[4] = {NULL, NULL, NULL, NULL};
  int k;
  CHECK(referee_policy_create(policy_json, strlen(policy_json), &policy) == REFEREE_OK);
  for (k = 0; k < 4; ++k) {
    referee_table* table = NULL;
    CHECK(referee_table_create(n, &table) == REFEREE_OK);
    if (k == 0) CHECK(referee_table_add_strings(table, "y", bytes, offsets, n) == REFEREE_OK);
    if (k == 1) CHECK(referee_table_add_dictionary(table, "y", codes, n, dictionary, 2) == REFEREE_OK);
    if (k == 2) CHECK(referee_table_add_numeric(table, "y", i32, n, REFEREE_I32) == REFEREE_OK);
    if (k == 3) CHECK(referee_table_add_numeric(table, "y", f64, n, REFEREE_F64) == REFEREE_OK);
    CHECK(referee_table_add_numeric(table, "a", a, n, REFEREE_F64) == REFEREE_OK);
    CHECK(referee_table_add_numeric(table, "b", b, n, REFEREE_F64) == REFEREE_OK);
    reports[k] = evaluate_ok(table, policy, NULL);
    if (k > 0) CHECK(same_after_data(json_of(reports[0]), json_of(reports[k])));
    referee_table_free(table);
  }
  CHECK(contains(json_of(reports[0]), "\"estimate\": 0.8666666666666667"));
  for (k = 0; k < 4; ++k) referee_report_free(reports[k]);
  referee_policy_free(policy);
}

/* The "sha256" of the report's data section (the rows digest), 64 hex digits, or "". */
static void data_sha256(const char* json, char out[65]) {
  const char* data = strstr(json, "\n  \"data\": {");
  const char* at = data ? strstr(data, "\n    \"sha256\": \"") : NULL;
  out[0] = '\0';
  if (at && strlen(at) > 16 + 64) {
    memcpy(out, at + 16, 64);
    out[64] = '\0';
  }
}

/* The same rows from the CSV reader and column by column (f64, u8 and i64 numbers,
 * strings) give the same rows digest; only the CSV's report has the file's bytes digest. */
static void test_rows_digest_whatever_the_door(void) {
  referee_policy* policy = NULL;
  referee_table* from_csv = NULL;
  referee_table* by_column = NULL;
  referee_report* csv_report = NULL;
  referee_report* column_report = NULL;
  struct csv_file csv;
  struct buffers owned = {{NULL}, 0};
  char csv_digest[65], column_digest[65];
  int i;
  CHECK(referee_policy_load("examples/gate.json", &policy) == REFEREE_OK);
  CHECK(referee_table_read_csv("examples/credit_eval.csv", policy, &from_csv) == REFEREE_OK);
  CHECK(csv_load("examples/credit_eval.csv", &csv));
  by_column = credit_table(&csv, &owned, NULL);
  csv_report = evaluate_ok(from_csv, policy, NULL);
  column_report = evaluate_ok(by_column, policy, NULL);
  data_sha256(json_of(csv_report), csv_digest);
  data_sha256(json_of(column_report), column_digest);
  CHECK(strlen(csv_digest) == 64 && strcmp(csv_digest, column_digest) == 0);
  CHECK(contains(json_of(column_report), "\"file_sha256\": null"));
  CHECK(!contains(json_of(csv_report), "\"file_sha256\": null"));
  referee_report_free(csv_report);
  referee_report_free(column_report);
  referee_table_free(from_csv);
  referee_table_free(by_column);
  for (i = 0; i < owned.count; ++i) free(owned.owned[i]);
  csv_free(&csv);
  referee_policy_free(policy);
}

/* A table of n rows (in the order `rows` gives) with the row id column "txn" in a kind:
 * 0 i64, 1 strings, 2 f64. */
static referee_table* id_table(size_t n, const size_t* rows, const double* y, const double* a, const double* b,
                               const int64_t* ids, int kind, struct buffers* owned) {
  referee_table* table = NULL;
  double* cols = (double*)keep(owned, malloc(3 * n * sizeof(double)));
  int64_t* id64 = (int64_t*)keep(owned, malloc(n * sizeof(int64_t)));
  double* idf = (double*)keep(owned, malloc(n * sizeof(double)));
  char* bytes = (char*)keep(owned, malloc(n * 24));
  int64_t* offsets = (int64_t*)keep(owned, malloc((n + 1) * sizeof(int64_t)));
  size_t i;
  offsets[0] = 0;
  for (i = 0; i < n; ++i) {
    cols[i] = y[rows[i]];
    cols[n + i] = a[rows[i]];
    cols[2 * n + i] = b[rows[i]];
    id64[i] = ids[rows[i]];
    idf[i] = (double)ids[rows[i]];
    offsets[i + 1] = offsets[i] + sprintf(bytes + offsets[i], "%lld", (long long)ids[rows[i]]);
  }
  CHECK(referee_table_create(n, &table) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "y", cols, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "a", cols + n, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(table, "b", cols + 2 * n, n, REFEREE_F64) == REFEREE_OK);
  if (kind == 0) CHECK(referee_table_add_numeric(table, "txn", id64, n, REFEREE_I64) == REFEREE_OK);
  if (kind == 1) CHECK(referee_table_add_strings(table, "txn", bytes, offsets, n) == REFEREE_OK);
  if (kind == 2) CHECK(referee_table_add_numeric(table, "txn", idf, n, REFEREE_F64) == REFEREE_OK);
  return table;
}

/* $.columns.id: the rows in another order, with their ids as i64, strings or whole f64,
 * give the same report outside run (data digest included, "rows_by_id"); a fractional id
 * and a duplicate id are data errors naming rows. */
static void test_row_ids(void) {
  enum { n = 12 };
  static const char* policy_text =
      "{\"version\": 1, \"task\": \"binary\","
      " \"columns\": {\"label\": \"y\", \"champion\": \"a\", \"challenger\": \"b\", \"id\": \"txn\"},"
      " \"bootstrap\": {\"resamples\": 200, \"seed\": 3},"
      " \"rules\": [{\"id\": \"auc\", \"metric\": \"roc_auc\", \"subject\": \"challenger\", \"min\": 0.5},"
      " {\"id\": \"ll\", \"metric\": \"log_loss\", \"subject\": \"delta\", \"max\": 1}]}";
  const double y[n] = {0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1};
  const double a[n] = {0.2, 0.7, 0.4, 0.6, 0.9, 0.3, 0.1, 0.8, 0.5, 0.4, 0.2, 0.7};
  const double b[n] = {0.1, 0.8, 0.3, 0.7, 0.95, 0.2, 0.2, 0.9, 0.4, 0.6, 0.1, 0.8};
  const int64_t ids[n] = {9007199254740993LL, 42, -7, 1000, 5, 6, 77, 8, 9, 10, 11, 12};
  const int64_t duplicated[n] = {1, 2, 3, 4, 2, 6, 7, 8, 9, 10, 11, 12};
  const size_t in_order[n] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  const size_t shuffled[n] = {7, 3, 11, 0, 5, 9, 1, 10, 2, 8, 6, 4};
  struct buffers owned = {{NULL}, 0};
  referee_policy* policy = NULL;
  referee_table* tables[4];
  referee_report* reports[3];
  referee_report* none = NULL;
  double fractional[n];
  int i;
  CHECK(referee_policy_create(policy_text, strlen(policy_text), &policy) == REFEREE_OK);
  tables[0] = id_table(n, in_order, y, a, b, ids, 0, &owned);
  tables[1] = id_table(n, shuffled, y, a, b, ids, 1, &owned);
  tables[2] = id_table(n, shuffled, y, a, b, ids, 0, &owned);
  for (i = 0; i < 3; ++i) reports[i] = evaluate_ok(tables[i], policy, NULL);
  CHECK(same_outside_run(json_of(reports[0]), json_of(reports[1])));
  CHECK(same_outside_run(json_of(reports[0]), json_of(reports[2])));
  CHECK(contains(json_of(reports[0]), "\"sha256_of\": \"rows_by_id\""));
  for (i = 0; i < 3; ++i) referee_report_free(reports[i]);
  for (i = 0; i < 3; ++i) referee_table_free(tables[i]);

  /* Whole f64 ids are the integers' text: -7.0 is "-7" (the id 2^53 + 1 has no f64, so
   * this table keeps to small ids). */
  {
    const int64_t small[n] = {1, 42, -7, 1000, 5, 6, 77, 8, 9, 10, 11, 12};
    referee_report* by_float = NULL;
    referee_report* by_text = NULL;
    tables[0] = id_table(n, shuffled, y, a, b, small, 2, &owned);
    tables[1] = id_table(n, in_order, y, a, b, small, 1, &owned);
    by_float = evaluate_ok(tables[0], policy, NULL);
    by_text = evaluate_ok(tables[1], policy, NULL);
    CHECK(same_outside_run(json_of(by_float), json_of(by_text)));
    referee_report_free(by_float);
    referee_report_free(by_text);
    referee_table_free(tables[0]);
    referee_table_free(tables[1]);
  }

  for (i = 0; i < n; ++i) fractional[i] = (double)(i + 1);
  fractional[3] = 4.5;
  CHECK(referee_table_create(n, &tables[3]) == REFEREE_OK);
  CHECK(referee_table_add_numeric(tables[3], "y", y, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(tables[3], "a", a, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(tables[3], "b", b, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_table_add_numeric(tables[3], "txn", fractional, n, REFEREE_F64) == REFEREE_OK);
  CHECK(referee_evaluate(tables[3], policy, NULL, &none) == REFEREE_DATA_ERROR && none == NULL);
  CHECK(contains(referee_last_error(), "row 4") && contains(referee_last_error(), "\"txn\""));
  referee_table_free(tables[3]);

  tables[3] = id_table(n, in_order, y, a, b, duplicated, 0, &owned);
  CHECK(referee_evaluate(tables[3], policy, NULL, &none) == REFEREE_DATA_ERROR && none == NULL);
  CHECK(contains(referee_last_error(), "rows 2 and 5") && contains(referee_last_error(), "same id"));
  referee_table_free(tables[3]);
  for (i = 0; i < owned.count; ++i) free(owned.owned[i]);
  referee_policy_free(policy);
}

/* The digits example's n x 10 probabilities of one model (columns prefix0 .. prefix9) as
 * one C array: row-major (row_stride 10, class_stride 1) or column-major (1, n). */
static double* digits_block(const struct csv_file* csv, struct buffers* b, const char* prefix, int column_major) {
  double* v = (double*)keep(b, malloc(csv->rows * 10 * sizeof(double)));
  char name[32];
  size_t r, k;
  for (k = 0; v && k < 10; ++k) {
    snprintf(name, sizeof name, "%s%u", prefix, (unsigned)k);
    for (r = 0; r < csv->rows; ++r)
      v[column_major ? k * csv->rows + r : r * 10 + k] = strtod(csv_cell(csv, r, name), NULL);
  }
  return v;
}

static const char* const kDigits[10] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

/* The digits table with its label as i32 and ink as strings; `blocks` says which models
 * come as one block each (bit 0 the champion, row-major; bit 1 the challenger,
 * column-major), the others column by column, as a prefix names them. */
static referee_table* digits_table(const struct csv_file* csv, struct buffers* b, int blocks,
                                   const char* const* names) {
  static const char* const prefixes[2] = {"p_prod_", "p_new_"};
  referee_table* t = NULL;
  int32_t* y = (int32_t*)keep(b, malloc(csv->rows * sizeof(int32_t)));
  size_t r, n = csv->rows;
  int m;
  char name[32];
  CHECK(referee_table_create(n, &t) == REFEREE_OK);
  for (r = 0; y && r < n; ++r) y[r] = (int32_t)atoi(csv_cell(csv, r, "y"));
  CHECK(referee_table_add_numeric(t, "y", y, n, REFEREE_I32) == REFEREE_OK);
  add_strings(t, b, csv, "ink");
  for (m = 0; m < 2; ++m) {
    if (blocks & (1 << m)) {
      const double* v = digits_block(csv, b, prefixes[m], m == 1);
      CHECK(referee_table_add_class_scores(t, m, v, n, 10, m == 1 ? 1 : 10, m == 1 ? n : 1, names) == REFEREE_OK);
    } else {
      unsigned k;
      for (k = 0; k < 10; ++k) {
        snprintf(name, sizeof name, "%s%u", prefixes[m], k);
        add_f64(t, b, csv, name);
      }
    }
  }
  return t;
}

/* Bad blocks: each refused with its status, before or at evaluation. */
static void test_class_block_errors(const referee_policy* digits, const struct csv_file* csv, struct buffers* b) {
  const size_t n = csv->rows;
  const double* v = digits_block(csv, b, "p_prod_", 0);
  const char* const swapped[10] = {"1", "0", "2", "3", "4", "5", "6", "7", "8", "9"};
  const char* const twice[10] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "8"};
  referee_table* t = NULL;
  referee_report* report = NULL;
  CHECK(referee_table_create(n, &t) == REFEREE_OK);
  CHECK(referee_table_add_class_scores(NULL, 0, v, n, 10, 10, 1, kDigits) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_table_add_class_scores(t, 2, v, n, 10, 10, 1, kDigits) == REFEREE_INVALID_ARGUMENT);
  CHECK(contains(referee_last_error(), "0 is the champion, 1 the challenger"));
  CHECK(referee_table_add_class_scores(t, 0, v, n - 1, 10, 10, 1, kDigits) == REFEREE_INVALID_ARGUMENT);
  CHECK(contains(referee_last_error(), "898 rows, the table has 899"));
  CHECK(referee_table_add_class_scores(t, 0, v, n, 1, 10, 1, kDigits) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_table_add_class_scores(t, 0, v, n, 10, 0, 1, kDigits) == REFEREE_INVALID_ARGUMENT);
  CHECK(contains(referee_last_error(), "not bytes"));
  CHECK(referee_table_add_class_scores(t, 0, v, n, 10, SIZE_MAX / 4, 1, kDigits) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_table_add_class_scores(t, 0, v, n, 10, 1, SIZE_MAX / 16, kDigits) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_table_add_class_scores(t, 0, NULL, n, 10, 10, 1, kDigits) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_table_add_class_scores(t, 0, v, n, 10, 10, 1, twice) == REFEREE_INVALID_ARGUMENT);
  CHECK(contains(referee_last_error(), "\"8\" is named twice"));
  /* Names out of class order: refused at evaluation, as the block cannot be reordered. */
  CHECK(referee_table_add_class_scores(t, 0, v, n, 10, 10, 1, swapped) == REFEREE_OK);
  CHECK(referee_table_add_class_scores(t, 0, v, n, 10, 10, 1, kDigits) == REFEREE_INVALID_ARGUMENT);
  CHECK(contains(referee_last_error(), "added twice"));
  CHECK(referee_table_add_class_scores(t, 1, v, n, 10, 10, 1, NULL) == REFEREE_OK);
  CHECK(referee_evaluate(t, digits, NULL, &report) == REFEREE_DATA_ERROR && report == NULL);
  CHECK(contains(referee_last_error(), "class_names, which a policy with a prefix"));
  referee_table_free(t);
  CHECK(referee_table_create(n, &t) == REFEREE_OK);
  CHECK(referee_table_add_class_scores(t, 0, v, n, 10, 10, 1, swapped) == REFEREE_OK);
  CHECK(referee_table_add_class_scores(t, 1, v, n, 10, 10, 1, swapped) == REFEREE_OK);
  {
    int32_t* y = (int32_t*)keep(b, calloc(n, sizeof(int32_t)));
    CHECK(referee_table_add_numeric(t, "y", y, n, REFEREE_I32) == REFEREE_OK);
    add_strings(t, b, csv, "ink");
  }
  CHECK(referee_evaluate(t, digits, NULL, &report) == REFEREE_DATA_ERROR && report == NULL);
  CHECK(contains(referee_last_error(), "are not in class order"));
  referee_table_free(t);
}

/* A policy that lists the digits' classes and columns, in ascending or descending order. */
static void listed_digits_policy(char* out, size_t size, int descending) {
  static const char* const models[2] = {"p_prod_", "p_new_"};
  const char* keys[3] = {"classes", "champion", "challenger"};
  size_t used = (size_t)snprintf(out, size, "{\"version\": 1, \"task\": \"multiclass\", \"columns\": {\"label\": \"y\"");
  int part, k;
  for (part = 0; part < 3; ++part) {
    used += (size_t)snprintf(out + used, size - used, ", \"%s\": [", keys[part]);
    for (k = 0; k < 10; ++k)
      used += (size_t)snprintf(out + used, size - used, "%s\"%s%d\"", k ? ", " : "", part ? models[part - 1] : "",
                               descending ? 9 - k : k);
    used += (size_t)snprintf(out + used, size - used, "]");
  }
  snprintf(out + used, size - used, "}, \"bootstrap\": {\"resamples\": 200, \"seed\": 4}, \"rules\": [{\"id\": \"acc\","
           " \"metric\": \"accuracy\", \"subject\": \"delta\", \"min\": -0.5}]}");
}

/* A listed policy: blocks without class_names are the listed classes, which must be in class
 * order (ascending: the CSV's report; descending: refused, as a block cannot be reordered). */
static void test_class_blocks_of_a_listed_policy(const struct csv_file* csv, struct buffers* b) {
  char json[2048];
  int descending;
  for (descending = 0; descending < 2; ++descending) {
    referee_policy* policy = NULL;
    referee_table* from_csv = NULL;
    referee_table* t = NULL;
    referee_report* report = NULL;
    listed_digits_policy(json, sizeof json, descending);
    CHECK(referee_policy_create(json, strlen(json), &policy) == REFEREE_OK);
    t = digits_table(csv, b, 3, NULL);
    if (!descending) {
      referee_report* csv_report = NULL;
      CHECK(referee_table_read_csv("examples/digits_eval.csv", policy, &from_csv) == REFEREE_OK);
      csv_report = evaluate_ok(from_csv, policy, NULL);
      report = evaluate_ok(t, policy, NULL);
      CHECK(same_after_data(json_of(csv_report), json_of(report)));
      referee_report_free(csv_report);
    } else {
      CHECK(referee_evaluate(t, policy, NULL, &report) == REFEREE_DATA_ERROR && report == NULL);
      CHECK(contains(referee_last_error(), "are not in class order"));
    }
    referee_report_free(report);
    referee_table_free(t);
    referee_table_free(from_csv);
    referee_policy_free(policy);
    while (b->count > 0) free(b->owned[--b->count]);
  }
}

/* Multiclass (issue 15): the digits example read from CSV equals the same rows given as
 * one probability block per model (row-major and column-major, read in place), as
 * columns one by one under the prefix, and mixed, byte for byte after the data section,
 * with the same rows digest. The CSV report goes next to `report_path` for the CLI. */
static void test_multiclass_blocks(const char* report_path) {
  referee_policy* policy = NULL;
  referee_table* from_csv = NULL;
  referee_report* csv_report = NULL;
  struct csv_file csv;
  struct buffers b;
  char path[4096], csv_digest[65], digest[65];
  int blocks;
  memset(&b, 0, sizeof b);
  CHECK(csv_load("examples/digits_eval.csv", &csv));
  CHECK(csv.rows == 899);
  CHECK(referee_policy_load("examples/gate-digits.json", &policy) == REFEREE_OK);
  CHECK(referee_table_read_csv("examples/digits_eval.csv", policy, &from_csv) == REFEREE_OK);
  csv_report = evaluate_ok(from_csv, policy, NULL);
  data_sha256(json_of(csv_report), csv_digest);
  CHECK(contains(json_of(csv_report), "\"f1_macro\": {"));
  snprintf(path, sizeof path, "%s.digits", report_path);
  write_report(csv_report, path);
  for (blocks = 0; blocks < 4; ++blocks) {
    referee_table* t = digits_table(&csv, &b, blocks, kDigits);
    referee_report* report = evaluate_ok(t, policy, NULL);
    CHECK(same_after_data(json_of(csv_report), json_of(report)));
    data_sha256(json_of(report), digest);
    CHECK(strlen(csv_digest) == 64 && strcmp(csv_digest, digest) == 0);
    referee_report_free(report);
    referee_table_free(t);
    while (b.count > 0) free(b.owned[--b.count]);
  }
  test_class_block_errors(policy, &csv, &b);
  while (b.count > 0) free(b.owned[--b.count]);
  test_class_blocks_of_a_listed_policy(&csv, &b);
  referee_report_free(csv_report);
  referee_table_free(from_csv);
  referee_policy_free(policy);
  while (b.count > 0) free(b.owned[--b.count]);
  csv_free(&csv);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s REPORT_PATH (run from the source root)\n", argv[0]);
    return 64;
  }
  test_versions_and_names();
  test_null_arguments_and_free_null();
  test_policy_errors();
  test_column_table();
  test_contract();
  test_string_labels_and_decision_scores();
  test_label_kinds_with_positive_label();
  test_segments();
  test_csv_matches_the_cli(argv[1]);
  test_budgets_and_drift(argv[1]);
  test_outcome_and_text_labels(argv[1]);
  test_rows_digest_whatever_the_door();
  test_row_ids();
  test_multiclass_blocks(argv[1]);
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
