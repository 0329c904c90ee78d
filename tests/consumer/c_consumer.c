/* Links the installed libreferee.so and checks that header and library agree. */
#include <stdio.h>
#include <string.h>

#include <referee/referee.h>

int main(void) {
  if (referee_version_number() != REFEREE_VERSION_NUMBER) {
    fprintf(stderr, "header %s, library %s\n", REFEREE_VERSION_STRING, referee_version());
    return 1;
  }
  referee_policy* policy = NULL;
  const char* json = "{\"version\": 1}";
  const referee_status status = referee_policy_create(json, strlen(json), &policy);
  printf("libreferee %s: %s (%s)\n", referee_version(), referee_status_name(status), referee_last_error());
  return status == REFEREE_POLICY_ERROR ? 0 : 1;
}
