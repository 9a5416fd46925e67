#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang-14, ASan and UBSan, runs
# each for SECONDS, and prints a markdown table of what each run did.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   SECONDS  per target, default 60; TARGET: manifest, prompt_file,
#            status_reply, submit_reply, csv_writer (default: all)
# Env: FUZZ_BUILD_DIR (default build-fuzz)
#
# New inputs go to FUZZ_BUILD_DIR/corpus/<target> (kept between runs); the seeds
# in tests/fuzz/corpus/<target> are read, never written. A crash, leak, timeout
# or failed property stops that target and leaves the input in
# FUZZ_BUILD_DIR/artifacts/<target>/; the script then exits 1. To keep an input
# as a regression test, copy it to tests/fuzz/corpus/<target>/regress-<what>.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
all_targets=(manifest prompt_file status_reply submit_reply csv_writer)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
build_dir=${FUZZ_BUILD_DIR:-build-fuzz}

scripts/install-deps.sh --ci
cmake -S . -B "$build_dir" -DCMAKE_CXX_COMPILER=clang++-14 -DGRIDBATCH_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target "${targets[@]/#/gridbatch_fuzz_}"

dictionary() {
  case $1 in
    manifest) echo tests/fuzz/manifest.dict ;;
    prompt_file | status_reply | submit_reply) echo tests/fuzz/json.dict ;;
  esac
}

# The value of "stat::NAME: value" in a libFuzzer log.
stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }

rows=()
failed=0
for target in "${targets[@]}"; do
  corpus=$build_dir/corpus/$target
  artifacts=$build_dir/artifacts/$target
  log=$build_dir/logs/$target.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  dict=$(dictionary "$target")
  echo "fuzz: $target for ${seconds}s (log: $log)" >&2
  result=ok
  if ! "$build_dir/fuzz/gridbatch_fuzz_$target" "$corpus" "tests/fuzz/corpus/$target" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" ${dict:+-dict="$dict"} \
      >"$log" 2>&1; then
    result="FAILED: $(ls -t "$artifacts" | head -1)"
    failed=1
    grep -m1 -E "^==[0-9]+==ERROR|fuzz check failed|runtime error|ERROR: libFuzzer" "$log" >&2 || true
  fi
  runs=$(stat number_of_executed_units "$log")
  rate=$(stat average_exec_per_sec "$log")
  rss=$(stat peak_rss_mb "$log")
  corpus_size=$(find "$corpus" -type f | wc -l)
  rows+=("| $target | $seconds | ${runs:-?} | ${rate:-?} | $corpus_size | ${rss:-?} | $result |")
done

echo
echo "| target | seconds | executions | exec/s | corpus files | peak RSS MB | result |"
echo "|---|---:|---:|---:|---:|---:|---|"
printf '%s\n' "${rows[@]}"
exit $failed
