/* Links libreferee.so (found through CMake, pkg-config or add_subdirectory), checks that
 * header and library agree, and runs one tiny evaluation through the C API. Only
 * <referee/referee.h> and the C library: no C++ header is reachable from here. */
#include <stdio.h>
#include <string.h>

#include <referee/referee.h>

#define CHECK(call)                                                                   \
  do {                                                                                \
    const referee_status s_ = (call);                                                 \
    if (s_ != REFEREE_OK) {                                                           \
      fprintf(stderr, "%s: %s (%s)\n", #call, referee_status_name(s_), referee_last_error()); \
      return 1;                                                                       \
    }                                                                                 \
  } while (0)

int main(void) {
  if (referee_version_number() != REFEREE_VERSION_NUMBER) {
    fprintf(stderr, "header %s, library %s\n", REFEREE_VERSION_STRING, referee_version());
    return 1;
  }
  /* An invalid policy is an error status with a message, never a crash. */
  referee_policy* policy = NULL;
  const char* invalid = "{\"version\": 1}";
  if (referee_policy_create(invalid, strlen(invalid), &policy) != REFEREE_POLICY_ERROR) {
    fprintf(stderr, "an incomplete policy was accepted\n");
    return 1;
  }

  const char* json =
      "{\"version\": 1, \"task\": \"binary\","
      " \"columns\": {\"label\": \"y\", \"champion\": \"a\", \"challenger\": \"b\"},"
      " \"bootstrap\": {\"resamples\": 200, \"seed\": 1},"
      " \"rules\": [{\"id\": \"auc\", \"metric\": \"roc_auc\", \"subject\": \"challenger\","
      " \"min\": 0.5, \"decide_on\": \"point\"}]}";
  const double y[] = {0, 0, 1, 1, 0, 1, 0, 1, 1, 0};
  const double a[] = {0.2, 0.4, 0.6, 0.7, 0.5, 0.4, 0.1, 0.8, 0.9, 0.3};
  const double b[] = {0.1, 0.3, 0.7, 0.8, 0.4, 0.6, 0.1, 0.9, 0.9, 0.2};
  const size_t rows = sizeof y / sizeof y[0];
  referee_table* table = NULL;
  referee_options* options = NULL;
  referee_report* report = NULL;
  referee_verdict verdict = REFEREE_FAIL;
  CHECK(referee_policy_create(json, strlen(json), &policy));
  CHECK(referee_table_create(rows, &table));
  CHECK(referee_table_add_numeric(table, "y", y, rows, REFEREE_F64));
  CHECK(referee_table_add_numeric(table, "a", a, rows, REFEREE_F64));
  CHECK(referee_table_add_numeric(table, "b", b, rows, REFEREE_F64));
  CHECK(referee_options_create(&options));
  CHECK(referee_options_set_threads(options, 1));
  CHECK(referee_evaluate(table, policy, options, &report));
  CHECK(referee_report_verdict(report, &verdict));
  printf("libreferee %s (C): %s\n", referee_version(), referee_verdict_name(verdict));
  referee_report_free(report);
  referee_options_free(options);
  referee_table_free(table);
  referee_policy_free(policy);
  return verdict == REFEREE_PASS ? 0 : 1;
}
