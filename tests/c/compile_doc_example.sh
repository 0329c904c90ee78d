#!/usr/bin/env bash
# Compiles the C example of a documentation section against the C header, as a reader would
# paste it: the first ```c block after the heading, with warnings as errors, so the example
# cannot drift from referee.h unseen.
# Usage: compile_doc_example.sh DOC "HEADING" C_COMPILER INCLUDE_DIR
set -euo pipefail
doc=$1 heading=$2 cc=$3 include=$4
example=$(awk -v heading="$heading" '
  $0 == heading { inside = 1; next }
  inside && /^## / { exit }
  inside && $0 == "```c" { code = 1; next }
  code && $0 == "```" { exit }
  code { print }' "$doc")
if [ -z "$example" ]; then
  echo "no \`\`\`c block under \"$heading\" in $doc" >&2
  exit 1
fi
printf '%s\n' "$example" | "$cc" -std=c99 -Wall -Wextra -pedantic -Werror -I"$include" -x c -c - -o /dev/null
echo "the example under \"$heading\" in $doc compiles ($(printf '%s\n' "$example" | wc -l) lines)"
