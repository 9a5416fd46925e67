#!/usr/bin/env bash
# bench: status reply parsing, nlohmann beside simdjson On-Demand, CPU per job view
# Status reply parsing: nlohmann (the reference reader) against simdjson
# On-Demand (ParseStatusReply's fast path) on realistic 100-id replies with
# logs of 200 B, 2 KB and 20 KB, interleaved rounds in one process. Prints a
# markdown table on stdout: thread CPU microseconds per job view.
#
# Usage: bench/run.sh status_parse [BUILD_DIR]
#   BUILD_DIR  a configured build directory (default: build-bench, configured
#              here (RelWithDebInfo) if missing; the tests must be on, as they
#              are by default); the script builds the target
#              gridbatch_status_parse_bench in it, as it prints.
# Environment: ROUNDS (default 7), SECONDS_EACH (seconds per reader per round,
#   default 0.25).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-bench}
rounds=${ROUNDS:-7}
seconds=${SECONDS_EACH:-0.25}

# shellcheck source=../lib/build_targets.sh
. "$root/bench/lib/build_targets.sh"
build_targets "$build" gridbatch_status_parse_bench

echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average before: $(cut -d' ' -f1-3 /proc/loadavg); simdjson $(dpkg-query -W -f='${Version}' libsimdjson-dev 2>/dev/null || echo '?'), nlohmann $(dpkg-query -W -f='${Version}' nlohmann-json3-dev 2>/dev/null || echo '?')"
echo
echo "Build: $(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt") in $build"
echo
"$build/bin/gridbatch_status_parse_bench" "$rounds" "$seconds"
