#!/usr/bin/env bash
# bench: api::Client submits and status GETs per second beside wrk, same simulator
# Throughput of gridbatch's API client (api::Client over the libcurl multi
# http::Client, one thread) side by side with wrk (one thread) against the
# same gridbatch-sim in the same run: POST submits and status GETs of 100 ids,
# at several numbers of requests in flight (= connections for wrk). Prints a
# markdown table. Everything runs on 127.0.0.1 and stops by itself.
#
# Usage: bench/run.sh api [BUILD_DIR]   (default: build; needs the targets
#        gridbatch-sim and gridbatch_api_bench built there:
#        cmake --build BUILD_DIR --target gridbatch-sim gridbatch_api_bench)
# Env:   SECONDS_EACH (5), IN_FLIGHT ("16 64 256"), JOBS (5000)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
sim=$build/bin/gridbatch-sim
bench=$build/bin/gridbatch_api_bench
seconds=${SECONDS_EACH:-5}
in_flight=${IN_FLIGHT:-16 64 256}
jobs=${JOBS:-5000}
token=bench-token

for exe in "$sim" "$bench"; do
  [ -x "$exe" ] || { echo "bench_api: $exe not found; build gridbatch-sim and gridbatch_api_bench first" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "bench_api: wrk is missing (apt-get install wrk)" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || true

work=$(mktemp -d)
sim_dir=$work
# shellcheck source=../lib/sim.sh
. "$root/bench/lib/sim.sh"
cleanup() {
  sim_stop
  rm -rf "$work"
}
trap cleanup EXIT

sim_start "$sim" --token "$token" --queue-time 50ms --run-time 500ms
endpoint=$sim_url
base=$sim_root

# Jobs for the status GETs to ask about, submitted over one connection.
python3 "$root/bench/drivers/presubmit.py" "$endpoint" "$token" "$jobs" "status target" >"$work/ids.txt"
get_script=$root/bench/drivers/wrk_status.lua
post_script=$root/bench/drivers/wrk_submit.lua

row_gridbatch() {
  local kind=$1 n=$2 out
  out=$(GRIDREPUBLIC_TOKEN=$token "$bench" "$endpoint" "$kind" "$n" "$seconds" "$work/ids.txt")
  local rps avg p99 errors cpu
  cpu=$(sed -n 's/.*cpu_us=\([^ ]*\).*/\1/p' <<<"$out")
  rps=$(sed -n 's/.*rps=\([^ ]*\).*/\1/p' <<<"$out")
  avg=$(sed -n 's/.*avg_ms=\([^ ]*\).*/\1/p' <<<"$out")
  p99=$(sed -n 's/.*p99_ms=\([^ ]*\).*/\1/p' <<<"$out")
  errors=$(sed -n 's/.*errors=\([^ ]*\).*/\1/p' <<<"$out")
  printf '| %s | %s | gridbatch api::Client | %s | %sms | %sms | %s µs | %s |\n' "$kind" "$n" "$rps" "$avg" "$p99" "$cpu" "$errors"
}

# The environment both wrk scripts read.
wrk_env() { IDS_FILE=$work/ids.txt TOKEN=$token BENCH_TOKEN=$token BASE_PATH=/remotejobs/v2 "$@"; }
# wrk_submit.lua posts to the URL's own path; wrk_status.lua sets its paths.
url_for() { if [ "$1" = "$post_script" ]; then echo "$endpoint/jobs"; else echo "$base"; fi; }

row_wrk() {
  local kind=$1 n=$2 script=$3
  wrk_env wrk -t1 -c"$n" -d"${seconds}s" --timeout 5s --latency -s "$script" "$(url_for "$script")" \
    >"$work/wrk.txt" 2>&1 || true
  local rps avg p99 errors non2xx
  rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$work/wrk.txt")
  avg=$(awk '/^    Latency/ {print $2}' "$work/wrk.txt")
  p99=$(awk '/^ +99%/ {print $2}' "$work/wrk.txt")
  errors=$(sed -n 's/.*Socket errors: \(.*\)/\1/p' "$work/wrk.txt")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt")
  printf '| %s | %s | wrk -t1 | %s | %s | %s | - | %s |\n' "$kind" "$n" "${rps:-0}" "${avg:--}" \
    "${p99:--}" "${errors:-0}${non2xx:+; non-2xx $non2xx}"
}

# The simulator adds a worker thread per new connection and keeps it: warm it
# up to each connection count first, so neither client pays for that.
warm_up() {
  wrk_env wrk -t1 -c"$1" -d1s -s "$2" "$(url_for "$2")" >/dev/null 2>&1 || true
}

echo "API client vs wrk against gridbatch-sim: ${seconds}s per row, $(nproc) cores shared by client and simulator, $jobs jobs pre-submitted, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| request | in flight | client | requests/s | latency avg | latency p99 | client CPU per request | errors |"
echo "|---|---|---|---|---|---|---|---|"
for kind in submit status; do
  script=$post_script
  [ "$kind" = status ] && script=$get_script
  for n in $in_flight; do
    warm_up "$n" "$script"
    row_gridbatch "$kind" "$n"
    row_wrk "$kind" "$n" "$script"
  done
done
