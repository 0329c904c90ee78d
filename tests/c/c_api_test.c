/* The C API from C: every function, the error paths included. Run from the source root
 * with one argument, a path where the example's report is written for comparison with
 * the CLI's (tests/c/run_c_api_test.sh). */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <referee/referee.h>

static int passed = 0, failed = 0;

#define CHECK(condition)                                                        \
  do {                                                                          \
    if (condition) {                                                            \
      ++passed;                                                                 \
    } else {                                                                    \
      ++failed;                                                                 \
      fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__,    \
              __LINE__, #condition, referee_last_error());                      \
    }                                                                           \
  } while (0)

static int contains(const char* text, const char* fragment) { return strstr(text, fragment) != NULL; }

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
};

static void on_progress(double fraction, void* user) {
  struct progress_log* log = (struct progress_log*)user;
  log->calls++;
  log->last = fraction;
}

static void test_versions_and_names(void) {
  CHECK(strcmp(referee_version(), REFEREE_VERSION_STRING) == 0);
  CHECK(referee_version_number() == REFEREE_VERSION_NUMBER);
  CHECK(strcmp(referee_status_name(REFEREE_OK), "REFEREE_OK") == 0);
  CHECK(strcmp(referee_status_name(REFEREE_DATA_ERROR), "REFEREE_DATA_ERROR") == 0);
  CHECK(strcmp(referee_status_name((referee_status)99), "REFEREE_UNKNOWN_STATUS") == 0);
  CHECK(strcmp(referee_verdict_name(REFEREE_INCONCLUSIVE), "INCONCLUSIVE") == 0);
}

static void test_null_arguments_and_free_null(void) {
  referee_policy* policy = NULL;
  CHECK(referee_policy_create(NULL, 0, &policy) == REFEREE_INVALID_ARGUMENT);
  CHECK(contains(referee_last_error(), "json is NULL"));
  CHECK(referee_policy_create("{}", 2, NULL) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_evaluate(NULL, NULL, NULL, NULL) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_options_set_threads(NULL, 1) == REFEREE_INVALID_ARGUMENT);
  CHECK(referee_report_json(NULL, NULL, NULL) == REFEREE_INVALID_ARGUMENT);
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
  struct progress_log log = {0, 0.0};
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
  CHECK(strncmp(json, json_again, (size_t)(strstr(json, "\"run\"") - json)) == 0);
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
  CHECK(referee_report_write(report, "/nonexistent/dir/report.json") == REFEREE_IO_ERROR);
  remove(path);

  referee_report_free(report);
  referee_options_free(options);
  referee_table_free(bad_codes);
  referee_table_free(by_code);
  referee_table_free(table);
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
  CHECK(referee_report_write(report, report_path) == REFEREE_OK);
  referee_report_free(report);
  referee_table_free(table);
  referee_policy_free(policy);
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
  test_csv_matches_the_cli(argv[1]);
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
