#!/usr/bin/env bash
# bench: gridbatch run --rate 40/s and --rate auto against a simulator limiting at 40/s
# The rate benchmark: `gridbatch run` against a simulator that limits submits
# at 40/s with a burst of 5 (answering 429 with Retry-After past it), for
#   1. --rate 40/s --burst 5: the limit given exactly; goal zero 429s;
#   2. --rate auto (start 5/s, max 100/s): the limit unknown; goal 90 % of
#      40/s within 20 s, fewer than 2 % of submits answered 429 over 60 s.
# Each row: submits accepted, submits answered 429 (the simulator's
# rate_limited counter) and their share of all submits, the accepted rate
# over the whole run and over its last 40 s, and the first second at which
# the accepted rate over the 2 s before it reached 36/s.
# Prints a markdown table on stdout, progress on stderr.
#
# Usage: bench/run.sh rate [BUILD_DIR]   (default: build-bench, configured
#        here if missing; the script builds the targets gridbatch and
#        gridbatch-sim in it, as it prints; BENCH_NO_BUILD=1 uses them as they are)
# Environment: BENCH_RATE_SECONDS (default 60): the length of each row's run.
# Bounded: the simulator exits by itself (--duration), the client runs under
# `timeout`, and both are stopped on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-bench}
seconds=${BENCH_RATE_SECONDS:-60}
case $seconds in
  "" | *[!0-9]*) echo "bench_rate: BENCH_RATE_SECONDS must be a whole number" >&2; exit 64 ;;
esac
# shellcheck source=../lib/common.sh
. "$root/bench/lib/common.sh"
bench_require bench_rate curl sqlite3 timeout python3
bench_programs bench_rate "$build"
token=bench-token-not-a-secret
work=$(mktemp -d "${TMPDIR:-/tmp}/gridbatch-bench-rate.XXXXXX")
sim_dir=$work
# shellcheck source=../lib/sim.sh
. "$root/bench/lib/sim.sh"
cleanup() {
  sim_stop
  rm -rf "$work"
}
trap cleanup EXIT

jobs=$((seconds * 40))
{
  echo "name: paced"
  echo "models: [m]"
  echo "prompt_files:"
  echo "  - path: prompts.txt"
} >"$work/paced.yaml"
seq 1 "$jobs" | sed 's/^/prompt number /' >"$work/prompts.txt"

echo "| client | submits accepted | 429s | 429 share | rate, whole run | rate, last 40 s | 36/s reached at |"
echo "|---|---|---|---|---|---|---|"
row() {
  local label=$1; shift
  rm -f "$work/jobs.db"*
  "$gb" load "$work/paced.yaml" --db "$work/jobs.db" >/dev/null
  sim_duration=$((seconds + 60)) sim_start "$sim" --token "$token" --queue-time 0.05 \
    --run-time 0.1 --submit-rate 40/s --submit-burst 5
  local endpoint=$sim_url
  echo "bench_rate: $label for up to ${seconds} s" >&2
  GRIDREPUBLIC_TOKEN=$token timeout -s INT "$seconds" "$gb" run --db "$work/jobs.db" \
    --endpoint "$endpoint" --progress none --poll-interval 1 "$@" >&2 || true
  local counters
  counters=$(curl -s "$sim_root/sim/counters")
  sim_stop
  sqlite3 "$work/jobs.db" \
    "SELECT submitted_at FROM job_state WHERE submitted_at IS NOT NULL ORDER BY submitted_at" \
    >"$work/times.txt"
  python3 - "$label" "$counters" "$work/times.txt" <<'PY'
import json, sys
from datetime import datetime
label, counters, path = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
def t(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
times = [t(line.strip()) for line in open(path) if line.strip()]
accepted, limited = counters["submits_accepted"], counters["rate_limited"]
share = 100.0 * limited / max(1, accepted + limited)
start, end = times[0], times[-1]
whole = (len(times) - 1) / max(1e-9, end - start)
tail = [x for x in times if x >= end - 40]
last40 = (len(tail) - 1) / max(1e-9, tail[-1] - tail[0]) if len(tail) > 1 else 0
reached = "never"
j = 0
for i, x in enumerate(times):
    while times[j] < x - 2:
        j += 1
    if x - start >= 2 and (i - j) / 2.0 >= 36:
        reached = "%.1f s" % (x - start)
        break
print("| %s | %d | %d | %.2f %% | %.1f/s | %.1f/s | %s |" %
      (label, accepted, limited, share, whole, last40, reached))
PY
}
row '`--rate 40/s --burst 5`' --rate 40/s --burst 5
row '`--rate auto`' --rate auto
