#!/usr/bin/env bash
# bench: kill storm: gridbatch run killed with SIGKILL KILLS times under faults; duplicates against the bound, lost, wrong
# The kill storm of docs/RELIABILITY.md (issue 16): a sweep of JOBS jobs is
# run against gridbatch-sim with faults on (429 with Retry-After, 5xx,
# connection resets, truncated replies, omitted ids), and `gridbatch run` is
# killed with SIGKILL after a random delay, KILLS times, restarted each time,
# then run to the end. After each kill the rows left 'submitting' (the
# submits that may be on the wire) are counted. At the end it checks, from
# the simulator's counters and the database:
#   - duplicates (the simulator's duplicate_submits: accepted submits whose
#     model and prompt it had accepted before) against the bound
#       rows left 'submitting' by the kills (summed over the kills)
#       + replies lost to resets and truncations (the simulator's resets +
#         truncated; it counts them over submits and status GETs alike, so
#         this is an upper bound of the submit replies lost);
#   - jobs lost: loaded jobs not 'completed' or 'failed' at the end;
#   - outputs wrong: completed jobs whose output is not the simulator's
#     FinalLog(model, prompt) (src/sim/final_log.cpp, recomputed in python3);
#   - PRAGMA integrity_check.
# Prints one markdown table row on stdout (progress on stderr) and exits 1 if
# anything is lost or wrong, the duplicates exceed the bound, or the
# integrity check fails.
#
# Usage: bench/run.sh kill_storm [BUILD_DIR]   (default: build)
# It builds the targets gridbatch and gridbatch-sim in BUILD_DIR
# (bench/lib/build_targets.sh); BENCH_NO_BUILD=1 uses them as they are.
# Env: JOBS (5000), KILLS (30), SEED (random; the simulator's --seed and the
#      kill delays'), KILL_MIN_MS (300) and KILL_MAX_MS (2000): the delay
#      between a start and its kill, RATE (100/s), FAULTS (the simulator's
#      fault flags, default "--p429 0.01 --p5xx 0.02 --preset 0.01
#      --ptruncated 0.01 --pomit 0.02 --retry-after 1"), KEEP=1 keeps the
#      work folder (database, logs) and prints where it is.
# Bounded: 127.0.0.1 only; the simulator exits by itself (--duration), every
# client command runs under `timeout`, and whatever is left is killed on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${1:-$root/build}
jobs=${JOBS:-5000}
kills=${KILLS:-30}
seed=${SEED:-$((RANDOM * 32768 + RANDOM))}
kill_min_ms=${KILL_MIN_MS:-300}
kill_max_ms=${KILL_MAX_MS:-2000}
rate=${RATE:-100/s}
faults=${FAULTS:---p429 0.01 --p5xx 0.02 --preset 0.01 --ptruncated 0.01 --pomit 0.02 --retry-after 1}
step_limit=600   # no single command may take longer
token=bench-token-not-a-secret

# shellcheck source=../lib/common.sh
. "$root/bench/lib/common.sh"
bench_require kill_storm sqlite3 python3 curl timeout
bench_programs kill_storm "$build_dir"

work=$(mktemp -d "${TMPDIR:-/tmp}/gridbatch-kill-storm.XXXXXX")
sim_dir=$work
# shellcheck source=../lib/sim.sh
. "$root/bench/lib/sim.sh"
client_pid=""
cleanup() {
  if [ -n "$client_pid" ]; then
    kill -KILL "$client_pid" 2>/dev/null || true
    wait "$client_pid" 2>/dev/null || true
  fi
  sim_stop
  if [ "${KEEP:-0}" = 1 ]; then echo "kill_storm: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "kill_storm: $*" >&2; }
db=$work/storm.db
sql() { timeout 60 sqlite3 "$db" "$@"; }

# The sweep: JOBS distinct prompts, one model.
seq 1 "$jobs" | awk '{ print "Kill storm prompt number " $1 ": say something short." }' >"$work/prompts.txt"
cat >"$work/manifest.yaml" <<EOF
name: kill-storm
model: gemma:2b
prompt_files:
  - path: prompts.txt
EOF
timeout "$step_limit" "$gb" load "$work/manifest.yaml" --db "$db" -q

# shellcheck disable=SC2086  # FAULTS is a list of flags
sim_duration=1800 sim_start "$sim" --token "$token" --seed "$seed" \
  --queue-time 0.5 --run-time 1 $faults
log "seed $seed, $jobs jobs, $kills kills after ${kill_min_ms}-${kill_max_ms} ms, simulator $sim_url $faults"

counter() {  # counter NAME: one of the simulator's counters
  timeout 10 curl -s "$sim_root/sim/counters" | python3 -c "import json, sys; print(json.load(sys.stdin)['$1'])"
}

run_args=(run --db "$db" --endpoint "$sim_url" --rate "$rate" --poll-interval 1s --progress none -q)

RANDOM=$seed
left_submitting=0
per_kill=""
t0=$EPOCHREALTIME
for ((k = 1; k <= kills; k++)); do
  # `timeout` execs nothing: gridbatch is its child. Start it, wait the
  # random delay, find the child and kill it.
  GRIDREPUBLIC_TOKEN=$token timeout -s KILL "$step_limit" "$gb" "${run_args[@]}" 2>>"$work/run.err" &
  client_pid=$!
  delay_ms=$((kill_min_ms + RANDOM % (kill_max_ms - kill_min_ms + 1)))
  sleep "$(awk -v ms="$delay_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
  child=$({ cat "/proc/$client_pid/task/"*/children 2>/dev/null || true; } | awk '{ print $1 }')
  if [ -z "$child" ]; then
    wait "$client_pid" || true
    client_pid=""
    log "kill $k: the run had already ended (all jobs final?)"
    break
  fi
  kill -KILL "$child" 2>/dev/null || true   # it may have ended just now
  wait "$client_pid" 2>/dev/null || true
  client_pid=""
  n=$(sql "SELECT count(*) FROM job_state WHERE state = 'submitting'")
  left_submitting=$((left_submitting + n))
  per_kill+="$n "
done
kills_done=$((k - 1))
log "kills done: $kills_done, rows left submitting per kill: $per_kill(sum $left_submitting); running to the end"
code=0
GRIDREPUBLIC_TOKEN=$token timeout -s KILL "$step_limit" "$gb" "${run_args[@]}" 2>>"$work/run.err" || code=$?
wall=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
[ "$code" -eq 0 ] || log "the last run exited $code: $(tail -n 5 "$work/run.err")"

accepted=$(counter submits_accepted)
duplicates=$(counter duplicate_submits)
resets=$(counter resets)
truncated=$(counter truncated)
sent_429=$(counter sent_429)
sent_5xx=$(counter sent_5xx)
omitted=$(counter omitted)
bound=$((left_submitting + resets + truncated))

rows=$(sql "SELECT count(*) FROM job_state")
completed=$(sql "SELECT count(*) FROM job_state WHERE state = 'completed'")
failed=$(sql "SELECT count(*) FROM job_state WHERE state = 'failed'")
lost=$((jobs - completed - failed))
integrity=$(sql "PRAGMA integrity_check" | tr '\n' ' ' | sed 's/ $//')

# Every completed job's output against the simulator's FinalLog(model, prompt).
wrong=$(timeout "$step_limit" python3 - "$db" <<'EOF'
import sqlite3, sys

MASK = (1 << 64) - 1
WORDS = ["grid", "volunteer", "compute", "answer", "token", "model", "batch", "result",
         "prime", "science", "node", "shard", "vector", "sweep", "signal", "output"]

def stable_hash(data, basis=14695981039346656037):
    h = basis
    for c in data:
        h ^= c
        h = (h * 1099511628211) & MASK
    return h

def mix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)

def final_log(model, prompt):
    state = stable_hash(prompt.encode(), stable_hash(model.encode()) ^ 0x5eed)
    words = []
    for _ in range(24):
        state = mix64(state)
        words.append(WORDS[state % len(WORDS)])
    return "[" + model + "] " + prompt + "\n" + " ".join(words) + "."

db = sqlite3.connect(sys.argv[1])
wrong = 0
for model, prompt, output in db.execute(
        "SELECT j.model, j.prompt, j.output FROM jobs AS j JOIN job_state AS s ON s.job_id = j.id"
        " WHERE s.state = 'completed'"):
    if output != final_log(model, prompt):
        wrong += 1
print(wrong)
EOF
)

ok=yes
[ "$duplicates" -le "$bound" ] || ok=no
[ "$lost" -eq 0 ] && [ "$wrong" -eq 0 ] && [ "$rows" -eq "$jobs" ] && [ "$integrity" = ok ] || ok=no
log "seed $seed: $accepted submits accepted, $sent_429 429s, $sent_5xx 5xx, $resets resets, $truncated truncated, $omitted omitted; $failed failed; wall ${wall}s; last run exit $code"
echo "| $jobs | $kills_done | $left_submitting | $resets + $truncated | $bound | **$duplicates** | $accepted | $completed | $failed | $lost | $wrong | $integrity | ${wall} | $seed |"
[ "$ok" = yes ] || { log "FAILED: duplicates $duplicates (bound $bound), lost $lost, wrong $wrong, rows $rows, integrity $integrity (seed $seed; KEEP=1 keeps the logs)"; exit 1; }
