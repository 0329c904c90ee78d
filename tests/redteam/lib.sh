#!/usr/bin/env bash
# Shared by every tests/redteam/cli_*.sh script: each case runs referee on hostile input
# and asserts three things: the exit code, that no output was written or replaced, and
# that no data value ("secret") appears in anything a person or a log can see.
. "$(dirname "${BASH_SOURCE[0]}")/../shell_support.sh"

# attack NAME CODE FRAGMENT [SECRET] -- ARGS...: runs referee with a 60 s ceiling (a hang
# is a defect too), then checks the exit code, that stdout or stderr contains FRAGMENT,
# that SECRET (when not empty) appears in neither, and that $work/out holds nothing: a
# red-team case points every output into $work/out, which must stay empty.
attack() {
  local name=$1 code=$2 fragment=$3 secret=""
  shift 3
  if [ "$1" != "--" ]; then secret=$1; shift; fi
  shift
  rm -rf "$work/out"; mkdir -p "$work/out"
  timeout 60 "$bin" "$@" >"$work/stdout" 2>"$work/stderr" </dev/null
  local got=$?
  if [ "$got" -ne "$code" ]; then
    bad "$name: exited $got, expected $code"; head -c 600 "$work/stderr" | sed 's/^/    /'; return
  fi
  if ! grep -qF -- "$fragment" "$work/stdout" "$work/stderr"; then
    bad "$name: did not print \"$fragment\""; head -c 600 "$work/stderr" | sed 's/^/    /'; return
  fi
  if [ -n "$secret" ] && grep -qaF -- "$secret" "$work/stdout" "$work/stderr"; then
    bad "$name: leaked the data value \"$secret\""; return
  fi
  if [ -n "$(ls -A "$work/out")" ]; then
    bad "$name: left output behind: $(ls -A "$work/out" | tr '\n' ' ')"; return
  fi
  ok
}
