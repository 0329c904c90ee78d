#!/usr/bin/env bash
# The consumer tests (fmt's find-package-test and friends). Each mode builds a project
# outside the tree against referee the way a user would:
#   install          <build dir> <work>   install the built tree into <work>/prefix (once)
#   find_package     <work> <source dir>  C++ and C through find_package(referee), after
#                                          checking the installed headers
#   c_only           <work> <source dir>  project(x C), find_package(referee COMPONENTS c),
#                                          with Eigen, Boost and nlohmann_json not findable;
#                                          the library exports exactly referee.h's functions
#   pkg_config       <work> <source dir>  cc $(pkg-config --cflags --libs referee)
#   add_subdirectory <work> <source dir>  add_subdirectory(referee), building only the consumer
set -euo pipefail
mode=$1
say() { printf '%s: %s\n' "$mode" "$*" >&2; }

# Runs a command with its output kept aside, and shows the output only if it fails.
quiet() {
  local log
  log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    say "failed: $*"
    exit 1
  fi
  rm -f "$log"
}

# The paths a build's object files were compiled from (Ninja's dependency log).
dependencies() { ninja -C "$1" -t deps | sed -n 's/^    //p' | sort -u; }

# Fails if any of the given dependency paths is a header that a C or C++ API user should
# never see through referee: Eigen, Boost, nlohmann (C only), intrinsics, referee's src/.
check_dependencies() {
  local forbidden=$1 deps=$2
  if grep -E "$forbidden" <<<"$deps"; then
    say "the headers above are reachable from an installed referee header"
    exit 1
  fi
}

# Eigen, Boost, intrinsics and referee's own tree (an installed header must not reach back
# into src/ or include/); for C also nlohmann and the C++ library.
forbidden_patterns() {
  local tree
  tree=$(sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1")
  cxx_forbidden="/eigen3/|/Eigen/|/boost/|intrin\.h$|^$tree/(src|include)/"
  c_forbidden="$cxx_forbidden|/nlohmann/|/c\+\+/"
}

# The installed libreferee.so exports exactly the functions the installed referee.h
# declares (REFEREE_API): none hidden by the visibility flags, nothing else leaked.
check_exports() {
  local prefix=$1 library declared exported
  library=$(find "$prefix" -name 'libreferee.so' | head -n 1)
  declared=$(sed -n 's/^REFEREE_API .*[ *]\(referee_[a-z0-9_]*\)(.*/\1/p' "$prefix/include/referee/referee.h" | sort -u)
  exported=$(nm -D --defined-only "$library" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort -u)
  if [ "$declared" != "$exported" ]; then
    say "declared in referee.h but not exported, or exported but not declared:"
    diff <(printf '%s\n' "$declared") <(printf '%s\n' "$exported") >&2 || true
    exit 1
  fi
}

case $mode in
install)
  build_dir=$2 work=$3
  rm -rf "$work/prefix"
  quiet cmake --install "$build_dir" --prefix "$work/prefix"
  ;;

find_package)
  work=$2 source_dir=$3 prefix=$2/prefix
  forbidden_patterns "$source_dir"
  # The installed headers are exactly the facade and the C API, and none reaches Eigen,
  # Boost, intrinsics or an internal header.
  expected="error.hpp evaluate.hpp evaluation.hpp limits.hpp partitioned.hpp policy.hpp referee.h referee.hpp render.hpp table.hpp version.h vocabulary.hpp"
  installed=$(cd "$prefix/include/referee" && find . -type f | sed 's|^\./||' | sort | xargs)
  if [ "$installed" != "$expected" ]; then
    say "installed headers: $installed; expected: $expected"
    exit 1
  fi
  for header in "$prefix"/include/referee/*.hpp; do
    deps=$("${CXX:-c++}" -std=c++20 -I"$prefix/include" -x c++ -M -MT x "$header" | tr -s ' \\' '\n')
    check_dependencies "$cxx_forbidden" "$deps"
  done
  for header in "$prefix"/include/referee/*.h; do
    deps=$("${CC:-cc}" -std=c99 -I"$prefix/include" -x c -M -MT x "$header" | tr -s ' \\' '\n')
    check_dependencies "$c_forbidden" "$deps"
  done
  rm -rf "$work/find_package"
  quiet cmake -S "$source_dir/tests/consumer" -B "$work/find_package" -G Ninja \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release
  quiet cmake --build "$work/find_package"
  "$work/find_package/consumer"
  if [ -x "$work/find_package/c_consumer" ]; then "$work/find_package/c_consumer"; fi
  ;;

c_only)
  work=$2 source_dir=$3 prefix=$2/prefix
  forbidden_patterns "$source_dir"
  rm -rf "$work/c_only"
  quiet cmake -S "$source_dir/tests/consumer/c_only" -B "$work/c_only" -G Ninja \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_DISABLE_FIND_PACKAGE_Eigen3=ON -DCMAKE_DISABLE_FIND_PACKAGE_Boost=ON \
    -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON
  quiet cmake --build "$work/c_only"
  # The program saw referee.h from the prefix and nothing of C++.
  deps=$(dependencies "$work/c_only")
  grep -qx "$prefix/include/referee/referee.h" <<<"$deps" || { say "referee.h not from $prefix"; exit 1; }
  check_dependencies "$c_forbidden" "$deps"
  check_exports "$prefix"
  "$work/c_only/c_consumer"
  ;;

pkg_config)
  work=$2 source_dir=$3 prefix=$2/prefix
  pc=$(find "$prefix" -name referee.pc -path '*/pkgconfig/*')
  export PKG_CONFIG_PATH=${pc%/referee.pc}
  flags=$(pkg-config --cflags --libs referee)
  libdir=$(pkg-config --variable=libdir referee)
  version=$(sed -n 's/^#define REFEREE_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' \
    "$prefix/include/referee/version.h" | paste -sd.)
  [ "$(pkg-config --modversion referee)" = "$version" ] || { say "referee.pc is not version $version"; exit 1; }
  rm -rf "$work/pkg_config" && mkdir -p "$work/pkg_config"
  # shellcheck disable=SC2086  # the flags are words
  "${CC:-cc}" -std=c99 -Wall -Wextra -pedantic -Werror "$source_dir/tests/consumer/c_consumer.c" \
    $flags -o "$work/pkg_config/c_consumer"
  LD_LIBRARY_PATH="$libdir" "$work/pkg_config/c_consumer"
  ;;

add_subdirectory)
  work=$2 source_dir=$3
  # A fresh configure (the options' defaults are what is tested), but the objects of an
  # earlier run are kept: Ninja rebuilds what changed, so a re-run is not a full rebuild.
  rm -f "$work/add_subdirectory/CMakeCache.txt"
  # No build type (no -O flags): this checks how add_subdirectory wires the targets, not
  # the optimiser, and at -O0 the library compiles from scratch much faster than in Release.
  quiet cmake -S "$source_dir/tests/consumer/add_subdirectory" -B "$work/add_subdirectory" -G Ninja \
    -DREFEREE_SOURCE_DIR="$source_dir" -DCMAKE_BUILD_TYPE=
  # Only the consumers (which pull the library), not everything referee could build.
  quiet cmake --build "$work/add_subdirectory" --target consumer c_consumer -j 2
  "$work/add_subdirectory/consumer"
  "$work/add_subdirectory/c_consumer"
  ;;

*)
  say "unknown mode"
  exit 2
  ;;
esac
