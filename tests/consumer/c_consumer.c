/* Links libreferee.so (found through CMake, pkg-config or add_subdirectory), checks that
 * header and library agree, and runs one tiny evaluation through the C API, then the same
 * evaluation as one partition of the partitioned protocol (docs/partitioned.md, "From C").
 * Only <referee/referee.h> and the C library: no C++ header is reachable from here. */
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

/* The report of the partitioned protocol with the whole table as its one partition: each
 * pass's state is the partition's whole share (a ranked pass's first partition has nothing
 * above it, so round 1 is its round 2), the facts need no merge, and the finish takes the
 * states in the passes' order. */
static int partitioned_report(const referee_table* table, const referee_policy* policy, referee_report** report) {
  referee_buffer *facts = NULL, *plan = NULL, *names = NULL;
  referee_buffer* states[3] = {NULL, NULL, NULL};
  const void *f, *p, *list, *data[3];
  size_t f_size, p_size, list_size, sizes[3], count = 0;
  const char* pass;
  CHECK(referee_partition_check(policy));
  CHECK(referee_partition_facts(table, policy, NULL, &facts));
  CHECK(referee_buffer_data(facts, &f, &f_size));
  CHECK(referee_partition_plan(policy, f, f_size, NULL, &plan));
  CHECK(referee_buffer_data(plan, &p, &p_size));
  CHECK(referee_partition_passes(p, p_size, &names));
  CHECK(referee_buffer_data(names, &list, &list_size));
  for (pass = (const char*)list; pass < (const char*)list + list_size && count < 3; pass += strlen(pass) + 1) {
    CHECK(referee_partition_pass_state(p, p_size, pass, table, NULL, 0, NULL, &states[count]));
    CHECK(referee_buffer_data(states[count], &data[count], &sizes[count]));
    ++count;
  }
  CHECK(referee_partition_finish(p, p_size, data, sizes, count, NULL, NULL, report));
  while (count > 0) referee_buffer_free(states[--count]);
  referee_buffer_free(names);
  referee_buffer_free(plan);
  referee_buffer_free(facts);
  return 0;
}

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
      " \"columns\": {\"label\": \"y\", \"champion\": \"a\", \"challenger\": \"b\", \"id\": \"id\"},"
      " \"bootstrap\": {\"resamples\": 200, \"seed\": 1},"
      " \"rules\": [{\"id\": \"auc\", \"metric\": \"roc_auc\", \"subject\": \"challenger\","
      " \"min\": 0.5, \"decide_on\": \"point\"}]}";
  const double y[] = {0, 0, 1, 1, 0, 1, 0, 1, 1, 0};
  const double a[] = {0.2, 0.4, 0.6, 0.7, 0.5, 0.4, 0.1, 0.8, 0.9, 0.3};
  const double b[] = {0.1, 0.3, 0.7, 0.8, 0.4, 0.6, 0.1, 0.9, 0.9, 0.2};
  const int32_t id[] = {11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
  const size_t rows = sizeof y / sizeof y[0];
  referee_table* table = NULL;
  referee_options* options = NULL;
  referee_report *report = NULL, *partitioned = NULL;
  referee_verdict verdict = REFEREE_FAIL, partitioned_verdict = REFEREE_FAIL;
  CHECK(referee_policy_create(json, strlen(json), &policy));
  CHECK(referee_table_create(rows, &table));
  CHECK(referee_table_add_numeric(table, "y", y, rows, REFEREE_F64));
  CHECK(referee_table_add_numeric(table, "a", a, rows, REFEREE_F64));
  CHECK(referee_table_add_numeric(table, "b", b, rows, REFEREE_F64));
  CHECK(referee_table_add_numeric(table, "id", id, rows, REFEREE_I32));
  CHECK(referee_options_create(&options));
  CHECK(referee_options_set_threads(options, 1));
  CHECK(referee_evaluate(table, policy, options, &report));
  CHECK(referee_report_verdict(report, &verdict));
  if (partitioned_report(table, policy, &partitioned) != 0) return 1;
  CHECK(referee_report_verdict(partitioned, &partitioned_verdict));
  printf("libreferee %s (C): %s; partitioned: %s\n", referee_version(), referee_verdict_name(verdict),
         referee_verdict_name(partitioned_verdict));
  referee_report_free(partitioned);
  referee_report_free(report);
  referee_options_free(options);
  referee_table_free(table);
  referee_policy_free(policy);
  return verdict == REFEREE_PASS && partitioned_verdict == verdict ? 0 : 1;
}
