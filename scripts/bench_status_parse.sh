#!/usr/bin/env bash
# Status reply parsing: nlohmann (the reference reader) against simdjson
# On-Demand (ParseStatusReply's fast path) on realistic 100-id replies with
# logs of 200 B, 2 KB and 20 KB, interleaved rounds in one process. Prints a
# markdown table on stdout: thread CPU microseconds per job view.
#
#   scripts/bench_status_parse.sh              # builds into build-bench-parse (Release)
#   BUILD_DIR=... ROUNDS=9 SECONDS_EACH=0.5 scripts/bench_status_parse.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench-parse}
rounds=${ROUNDS:-7}
seconds=${SECONDS_EACH:-0.25}
log=$(mktemp "${TMPDIR:-/tmp}/gridbatch-bench-parse.XXXXXX")
trap 'rm -f "$log"' EXIT

echo "bench_status_parse: building (Release) in $build" >&2
{
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGRIDBATCH_WERROR=OFF \
    -DGRIDBATCH_BUILD_TESTS=ON &&
    cmake --build "$build" -j2 --target gridbatch_status_parse_bench
} >"$log" 2>&1 || { cat "$log" >&2; exit 1; }

echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average before: $(cut -d' ' -f1-3 /proc/loadavg); simdjson $(dpkg-query -W -f='${Version}' libsimdjson-dev 2>/dev/null || echo '?'), nlohmann $(dpkg-query -W -f='${Version}' nlohmann-json3-dev 2>/dev/null || echo '?')"
echo
"$build/bin/gridbatch_status_parse_bench" "$rounds" "$seconds"
