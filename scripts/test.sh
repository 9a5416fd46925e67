#!/usr/bin/env bash
# Builds gridbatch and runs its tests; prints how long each stage took.
#
# Usage: scripts/test.sh [--ci] [BUILD_DIR]      (BUILD_DIR default: build)
#   no flag  the quick start's test: build with warnings as errors, run ctest
#   --ci     what CI runs (.ci/run): the above, then the .deb of that build
#            installed on this machine with apt-get (as root or through
#            sudo) and the demo's sweep run with /usr/bin's programs
#            (package_check below), scripts/format.sh --check (clang-format-14
#            over src/ tests/ include/), the same build with ASan+UBSan in
#            BUILD_DIR-asan and its ctest, scripts/tidy.sh (BUILD_DIR-tidy),
#            and scripts/fuzz.sh (BUILD_DIR-fuzz) for FUZZ_SECONDS per target
#            (default 30)
# Installs missing Debian packages first (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ci=0
if [ "${1:-}" = "--ci" ]; then
  ci=1
  shift
fi
build_dir=${1:-build}
jobs=$(nproc)

timings=()
current=""
report() {
  local status=$?
  [ $status -ne 0 ] && [ -n "$current" ] && timings+=("| $current: FAILED | $((SECONDS - started)) |")
  echo
  echo "| stage | seconds |"
  echo "|---|---:|"
  printf '%s\n' "${timings[@]}"
}
trap report EXIT

# stage NAME COMMAND...: runs the command and records how long it took.
stage() {
  current=$1
  started=$SECONDS
  shift
  echo "== $current" >&2
  "$@"
  timings+=("| $current | $((SECONDS - started)) |")
  current=""
}

build() {  # DIR CMAKE_ARGS...
  local dir=$1
  shift
  # shellcheck disable=SC2086  # GRIDBATCH_CMAKE_ARGS holds several words
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRIDBATCH_WERROR=ON "$@" \
    ${GRIDBATCH_CMAKE_ARGS:-}
  cmake --build "$dir" -j"$jobs"
}

run_ctest() {  # DIR
  (cd "$1" && ctest --output-on-failure -j"$jobs" --timeout 300)
}

# LeakSanitizer stops the world with ptrace; where that is denied (some
# containers) it cannot run at all, so a probe decides, and says so.
leaks_detectable() {
  local probe status=0
  probe=$(mktemp -d)
  echo 'int main() { return 0; }' >"$probe/probe.cpp"
  g++ -fsanitize=address "$probe/probe.cpp" -o "$probe/probe" &&
    ASAN_OPTIONS=detect_leaks=1 "$probe/probe" >/dev/null 2>&1 || status=1
  rm -rf "$probe"
  return $status
}

# Leaks fail the run too; a sanitizer report stops the process at once.
sanitized_ctest() {
  local leaks=1
  if ! leaks_detectable; then
    echo "test.sh: LeakSanitizer cannot run here (ptrace denied?): leak checks off" >&2
    leaks=0
  fi
  ASAN_OPTIONS=detect_leaks=$leaks:halt_on_error=1:check_initialization_order=1:strict_init_order=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 run_ctest "$1"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The Debian package of the release build in DIR, built by cpack from what is
# already built, installed with apt-get (which also installs its Depends),
# then used as a user would: --version, man -w, and the demo's sweep with
# /usr/bin/gridbatch and /usr/bin/gridbatch-sim. Removed again at the end.
package_check() {  # DIR
  local dir=$1 version shown
  version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$dir/CMakeCache.txt")
  rm -f "$dir"/gridbatch_*.deb
  (cd "$dir" && cpack -G DEB >/dev/null)
  (cd "$dir" && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq ./gridbatch_*.deb >/dev/null)
  dpkg-deb -f "$dir"/gridbatch_*.deb Depends >&2
  shown=$(/usr/bin/gridbatch --version)
  [ "$shown" = "gridbatch $version" ] || { echo "test.sh: gridbatch --version: '$shown'" >&2; return 1; }
  man -w gridbatch
  man -w gridbatch-run
  GRIDBATCH_BIN_DIR=/usr/bin scripts/demo.sh >/dev/null
  # Every job of the sweep completed, as with the build's own programs.
  /usr/bin/gridbatch status --db out/demo.db --json |
    python3 -c 'import json, sys; t = json.load(sys.stdin)["totals"]; sys.exit(0 if t["total"] > 0 and t["completed"] == t["total"] else 1)' ||
    { echo "test.sh: the demo's sweep did not complete every job with the installed programs" >&2; return 1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get remove -y -qq gridbatch >/dev/null
}

deps_args=()
[ $ci -eq 1 ] && deps_args=(--ci)
stage "install packages" scripts/install-deps.sh "${deps_args[@]}"
stage "build" build "$build_dir"
stage "ctest" run_ctest "$build_dir"
[ $ci -eq 1 ] || exit 0

stage "package (.deb, installed)" package_check "$build_dir"
stage "clang-format" scripts/format.sh --check

# -O1 and line tables only (-g1) still give file:line in every sanitizer
# report, and compile in half the time: tests/run/run_command_test.cpp took
# 27 s with -O2 -g and 13 s with -O1 -g1 (GCC 12, ASan+UBSan, 2 cores).
stage "build (ASan+UBSan)" build "$build_dir-asan" -DGRIDBATCH_SANITIZE=ON \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
stage "ctest (ASan+UBSan)" sanitized_ctest "$build_dir-asan"
stage "clang-tidy" scripts/tidy.sh "$build_dir-tidy"
stage "fuzz" env FUZZ_BUILD_DIR="$build_dir-fuzz" scripts/fuzz.sh "${FUZZ_SECONDS:-30}"
