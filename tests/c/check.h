/* The check macro of the C tests (c_api_test.c, c_api_hostile_test.c,
 * c_api_partitioned_test.c): counts passes and failures, and on a failure prints the
 * condition with referee_last_error(), which is where the C API says why. Each test is its
 * own program, so the counters are static. */
#ifndef REFEREE_TESTS_C_CHECK_H
#define REFEREE_TESTS_C_CHECK_H

#include <stdio.h>
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

/* True when `fragment` occurs in `text`: how a test reads a message. */
static int contains(const char* text, const char* fragment) { return strstr(text, fragment) != NULL; }

/* The report's text before its "run" section, the last of the report's top-level sections
 * and the only one that differs between runs (docs/report.md): equal prefixes mean equal
 * reports outside run, byte for byte. */
static inline size_t before_run(const char* json) {
  const char* run = strstr(json, "\n  \"run\": {");
  return run ? (size_t)(run - json) : strlen(json);
}

static inline int same_outside_run(const char* a, const char* b) {
  const size_t n = before_run(a);
  return n == before_run(b) && n > 0 && strncmp(a, b, n) == 0;
}

#endif
