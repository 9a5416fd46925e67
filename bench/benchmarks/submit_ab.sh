#!/usr/bin/env bash
# bench: submit throughput of two or more gridbatch binaries, A/B in turns
# Submit throughput of two or more gridbatch binaries, taken in turns in the
# same session so that machine noise hits each alike: an A/B check for a
# change to the run loop before it goes into the run benchmark (bench/run.sh run).
#
# Usage: bench/run.sh submit_ab SIM_BINARY GRIDBATCH_BINARY...
# Environment: AB_JOBS=50000 AB_ROUNDS=2 AB_INFLIGHT=64
#   AB_SQL: SQL run on each freshly loaded database before its run (to try
#   an index change without building anything), default none.
# For each round and binary: loads AB_JOBS one-line prompts, starts the
# simulator (jobs never end, so no polls), runs `gridbatch run --rate 0
# --max-inflight AB_INFLIGHT` until the simulator has accepted every job,
# stops it with SIGTERM. Prints a markdown row per run: submits/s over the
# wall time, over first to last submitted_at, and client CPU per submit.
# Bounded: the simulator exits after 300 s, each run is under `timeout`.
set -euo pipefail
[ $# -ge 2 ] || { sed -n 3,16p "$0" >&2; exit 64; }
sim=$1
shift
jobs=${AB_JOBS:-50000}
rounds=${AB_ROUNDS:-2}
inflight=${AB_INFLIGHT:-64}
token=bench-token-not-a-secret
for exe in "$sim" "$@"; do
  [ -x "$exe" ] || { echo "bench_submit_ab: $exe is not an executable file" >&2; exit 66; }
done
case $jobs$rounds$inflight in
  *[!0-9]*) echo "bench_submit_ab: AB_JOBS, AB_ROUNDS and AB_INFLIGHT must be whole numbers" >&2; exit 64 ;;
esac
for tool in sqlite3 timeout awk; do
  command -v "$tool" >/dev/null || { echo "bench_submit_ab: '$tool' is missing" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench_submit_ab: /usr/bin/time is missing (package 'time')" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/gridbatch-ab.XXXXXX")
sim_dir=$work
# shellcheck source=../lib/sim.sh
. "$(dirname "$0")/../lib/sim.sh"
trap 'sim_stop; rm -rf "$work"' EXIT
# shellcheck source=../lib/observe.sh
. "$(dirname "$0")/../lib/observe.sh"
observe_init "$work"
seq 1 "$jobs" | awk '{ print "Benchmark prompt number " $1 ": say something short." }' >"$work/prompts.txt"
printf 'name: ab\nmodel: gemma:2b\nprompt_files:\n  - path: prompts.txt\n' >"$work/manifest.yaml"

one_run() {  # one_run BINARY
  local gb=$1 db=$work/ab.db url port t0 t1 span cpu pid
  rm -f "$db" "$db-wal" "$db-shm"
  "$gb" load "$work/manifest.yaml" --db "$db" >/dev/null 2>&1
  [ -n "${AB_SQL:-}" ] && sqlite3 "$db" "$AB_SQL"
  sim_duration=300 sim_start "$sim" --token "$token" --queue-time 600 --run-time 600 --jitter 0
  url=$sim_url
  port=$sim_port
  t0=$EPOCHREALTIME
  GRIDREPUBLIC_TOKEN=$token /usr/bin/time -f "%U %S" -o "$work/time" timeout 240 \
    "$gb" run --db "$db" --endpoint "$url" --progress none --rate 0 \
    --max-inflight "$inflight" --poll-interval 10m 2>/dev/null &
  pid=$!
  observe_value=0
  while [ "$observe_value" -lt "$jobs" ]; do  # builtins only (bench/lib/observe.sh)
    kill -0 "$pid" 2>/dev/null || { echo "bench_submit_ab: $gb stopped early" >&2; exit 1; }
    observe_nap 0.02
    observe_counter 127.0.0.1 "$port" submits_accepted
  done
  t1=$EPOCHREALTIME
  # $pid is /usr/bin/time; its child is timeout, whose child is gridbatch.
  pkill -TERM -P "$(pgrep -P "$pid" | head -n 1)" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  sim_stop
  # Schema 2 keeps submitted_at in job_state; a binary from before it, in jobs.
  local table=jobs
  [ "$(sqlite3 "$db" "SELECT count(*) FROM sqlite_schema WHERE name = 'job_state'")" = 1 ] && table=job_state
  span=$(sqlite3 "$db" "SELECT (julianday(max(submitted_at)) - julianday(min(submitted_at))) * 86400
                        FROM $table WHERE submitted_at IS NOT NULL")
  cpu=$(tail -n 1 "$work/time")
  awk -v gb="$gb" -v n="$jobs" -v t0="$t0" -v t1="$t1" -v span="$span" -v cpu="$cpu" \
    -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
      split(cpu, c, " ")
      printf "| %s | %d | %.0f | %.0f | %.0f | %s |\n", gb, n, n / (t1 - t0), n / span,
             1e6 * (c[1] + c[2]) / n, load }'
}

echo "| binary | jobs | submits/s | submits/s, first to last submitted_at | client CPU µs/submit | load avg (1 min) |"
echo "|---|---:|---:|---:|---:|---:|"
for _ in $(seq 1 "$rounds"); do
  for gb in "$@"; do one_run "$gb"; done
done
