#!/usr/bin/env bash
# bench: adaptive polling (the default) vs --poll-fixed 5s: GETs and ids per job, CPU, notice delay
# The poll schedule benchmark (issue 15): for jobs of several lengths, one
# cohort of JOBS jobs submitted at once (--rate 0, --max-inflight 256) is
# driven to its end by `gridbatch run` with the adaptive schedule and, at
# the same time against a second simulator, with --poll-fixed
# --poll-interval 5s; and that for each of a few simulator seeds (each
# draws other job lengths, so other scouts), all seeds of a length at
# once. Each simulator runs with --queue-time 5 --run-time R --jitter 0.5
# --seed S and --dump-jobs, which writes each job's true end on its clock
# when it stops. Per completed job, for each mode: status GETs and
# ids polled (the simulator's counters), client CPU (user + system of the
# gridbatch process from /usr/bin/time), and the notice delay: finished_at
# in gridbatch's database minus the job's end on the simulator's clock
# (both the machine's wall clock), as a median, a p95 and a mean.
# Prints markdown tables on stdout, progress on stderr.
#
# Usage: bench/run.sh poll_schedule [BUILD_DIR]   (default: build-bench; the
#        targets gridbatch and gridbatch-sim are built there, as it prints;
#        BENCH_NO_BUILD=1 uses them as they are)
# Environment: BENCH_POLL_JOBS (default 2000) jobs per case and mode;
#   BENCH_POLL_RUN_TIMES (default "10 60 300") the run times in seconds;
#   BENCH_POLL_SEEDS (default "1 2 3") the simulators' seeds;
#   BENCH_POLL_EXTRA (default "") more `run` flags for the adaptive mode;
#   BENCH_POLL_KEEP=1 keeps the work folder (databases, the simulators' job ends).
# The 300 s case takes about 8 minutes (the slowest job runs 450 s plus its
# queue time); the whole benchmark about 11 minutes.
# Bounded: each simulator exits by itself (--duration), each client runs
# under `timeout`, and whatever still runs is stopped on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-bench}
jobs=${BENCH_POLL_JOBS:-2000}
run_times=${BENCH_POLL_RUN_TIMES:-10 60 300}
seeds=${BENCH_POLL_SEEDS:-1 2 3}
extra=${BENCH_POLL_EXTRA:-}
queue_time=5
jitter=0.5
# shellcheck source=../lib/common.sh
. "$root/bench/lib/common.sh"
bench_require bench_poll sqlite3 timeout awk sort
[ -x /usr/bin/time ] || { echo "bench_poll: /usr/bin/time is missing (Debian package 'time')" >&2; exit 1; }
bench_programs bench_poll "$build"
token=bench-token-not-a-secret
work=$(mktemp -d "${TMPDIR:-/tmp}/gridbatch-bench-poll.XXXXXX")
# shellcheck source=../lib/observe.sh
. "$root/bench/lib/observe.sh"
# shellcheck source=../lib/sim.sh
. "$root/bench/lib/sim.sh"
declare -A sim_pids sim_urls sim_ports
client_pids=()
cleanup() {
  local pid
  for pid in "${client_pids[@]}" "${sim_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${BENCH_POLL_KEEP:-0}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench_poll: $*" >&2; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# start_sim NAME RUN_TIME SEED: a simulator of its own for NAME
# (bench/lib/sim.sh starts one at a time: its variables are kept here, then
# cleared).
start_sim() {
  local name=$1 run_time=$2 seed=$3
  mkdir -p "$work/$name"
  sim_dir=$work/$name sim_own_dir=0 \
    sim_duration=$(calc "%d" "$run_time * 1.5 + $queue_time * 1.5 + 300") \
    sim_start "$sim" --token "$token" --queue-time "$queue_time" --run-time "$run_time" \
    --jitter "$jitter" --seed "$seed" --dump-jobs "$work/$name/ends.csv"
  sim_pids[$name]=$sim_pid
  sim_urls[$name]=$sim_url
  sim_ports[$name]=$sim_port
  sim_pid=""
}

stop_sim() {  # stop_sim NAME: SIGTERM; it writes ends.csv as it stops
  kill "${sim_pids[$1]}" 2>/dev/null || true
  wait "${sim_pids[$1]}" 2>/dev/null || true
  unset "sim_pids[$1]"
}

make_db() {  # make_db NAME: a database of $jobs pending jobs of one model
  local name=$1
  seq 1 "$jobs" | awk '{ print "Poll benchmark prompt number " $1 ": say something short." }' \
    >"$work/$name/prompts.txt"
  printf 'name: poll-%s\nmodel: gemma:2b\nprompt_files:\n  - path: prompts.txt\n' "$name" \
    >"$work/$name/manifest.yaml"
  "$gb" load "$work/$name/manifest.yaml" --db "$work/$name/run.db" >/dev/null 2>&1
}

run_client() {  # run_client NAME RUN_TIME FLAGS...: gridbatch run in the background
  local name=$1 run_time=$2
  shift 2
  GRIDREPUBLIC_TOKEN=$token /usr/bin/time -v -o "$work/$name/time.txt" \
    timeout "$(calc "%d" "$run_time * 1.5 + $queue_time * 1.5 + 240")" \
    "$gb" run --db "$work/$name/run.db" --endpoint "${sim_urls[$name]}" --progress none -q \
    --rate 0 --max-inflight 256 "$@" 2>"$work/$name/run.err" &
  client_pids+=($!)
}

time_field() { sed -n "s/^[[:space:]]*$2: //p" "$1"; }

# report NAME RUN_TIME SEED LABEL: one table row, once the client and simulator are done.
report() {
  local name=$1 run_time=$2 seed=$3 label=$4 gets ids completed cpu
  observe_counter 127.0.0.1 "${sim_ports[$name]}" gets
  gets=$observe_value
  observe_counter 127.0.0.1 "${sim_ports[$name]}" ids_polled
  ids=$observe_value
  stop_sim "$name"
  completed=$(sqlite3 "$work/$name/run.db" "SELECT count(*) FROM job_state WHERE state = 'completed'")
  cpu=$(calc "%.3f" "$(time_field "$work/$name/time.txt" 'User time (seconds)') + $(time_field "$work/$name/time.txt" 'System time (seconds)')")
  # The notice delay of each completed job: recorded end minus true end.
  sqlite3 -separator , "$work/$name/run.db" \
    "SELECT remote_id, printf('%.3f', (julianday(finished_at) - 2440587.5) * 86400.0)
     FROM job_state WHERE state = 'completed'" >"$work/$name/seen.csv"
  awk -F, 'NR == FNR { if (FNR > 1) ended[$1] = $3; next }
           ($1 in ended) { printf "%.3f\n", $2 - ended[$1] }' \
    "$work/$name/ends.csv" "$work/$name/seen.csv" | sort -g >"$work/$name/delays.txt"
  local n median p95 mean lowest
  n=$(wc -l <"$work/$name/delays.txt")
  median=$(awk -v n="$n" 'NR == int((n + 1) / 2) { print; exit }' "$work/$name/delays.txt")
  p95=$(awk -v n="$n" 'NR == int(n * 0.95 + 0.999) { print; exit }' "$work/$name/delays.txt")
  mean=$(awk '{ s += $1 } END { printf "%.2f", s / NR }' "$work/$name/delays.txt")
  lowest=$(head -n 1 "$work/$name/delays.txt")
  local goal
  goal=$(calc "%.1f" "($run_time * 0.1 < 60 ? $run_time * 0.1 : 60)")
  rows+="| $run_time s | $seed | $label | $completed / $jobs | $(calc "%.2f" "$gets / $completed") | **$(calc "%.2f" "$ids / $completed")** | $(calc "%.1f" "$ids / $gets") | $(calc "%.0f" "1e6 * $cpu / $completed") | **$median** | $p95 | $mean | $lowest | $goal |"$'\n'
  ids_per_job[$label]=$(calc "%.4f" "${ids_per_job[$label]:-0} + $ids / $completed")
  ids_per_seed[$label $seed]=$(calc "%.4f" "${ids_per_seed[$label $seed]:-0} + $ids / $completed")
  length_ids[$label $run_time]=$(calc "%.4f" "${length_ids[$label $run_time]:-0} + $ids / $completed")
  length_medians[$label $run_time]+="$median "
}

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
rows=""
declare -A ids_per_job ids_per_seed length_ids length_medians
cases=0
nseeds=$(wc -w <<<"$seeds")
for run_time in $run_times; do
  log "run time ${run_time}s: $jobs jobs each, adaptive and --poll-fixed --poll-interval 5s at once, seeds $seeds at once"
  client_pids=()
  for seed in $seeds; do
    for mode in adaptive fixed; do
      start_sim "$mode$run_time-$seed" "$run_time" "$seed"
      make_db "$mode$run_time-$seed"
    done
    # shellcheck disable=SC2086 # $extra is a list of flags
    run_client "adaptive$run_time-$seed" "$run_time" $extra
    run_client "fixed$run_time-$seed" "$run_time" --poll-fixed --poll-interval 5s
  done
  for pid in "${client_pids[@]}"; do wait "$pid" || log "a gridbatch run exited $?"; done
  client_pids=()
  for seed in $seeds; do
    report "adaptive$run_time-$seed" "$run_time" "$seed" "adaptive (default)${extra:+ $extra}"
    report "fixed$run_time-$seed" "$run_time" "$seed" "--poll-fixed --poll-interval 5s"
  done
  cases=$((cases + 1))
done

cat <<EOF
Poll schedule benchmark, $started, $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)),
gridbatch $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet HEAD -- src include 2>/dev/null || echo ' + uncommitted changes in src/ or include/').
Each case: $jobs jobs of one model submitted at once (--rate 0 --max-inflight 256), simulator
--queue-time ${queue_time} --run-time R --jitter ${jitter} --seed S; the two modes and the seeds ($seeds) of a
length ran at the same time, each against its own simulator.
Load average (1, 5, 15 min) at the start $load_at_start, at the end $(cut -d' ' -f1-3 /proc/loadavg).

| run time R | seed | polling | completed | status GETs per job | ids polled per job | ids per GET | client CPU µs per job | notice delay median s | p95 s | mean s | min s | goal for the median s |
|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows%$'\n'}

Per length, over the $nseeds seeds:

| run time R | polling | ids polled per job, mean | notice delay medians s | goal for the median s |
|---:|---|---:|---|---:|
EOF
for run_time in $run_times; do
  for label in "${!ids_per_job[@]}"; do
    echo "| $run_time s | $label | **$(calc "%.2f" "${length_ids[$label $run_time]} / $nseeds")** | ${length_medians[$label $run_time]% } | $(calc "%.1f" "($run_time * 0.1 < 60 ? $run_time * 0.1 : 60)") |"
  done
done
cat <<EOF

| polling | seed | ids polled per completed job, averaged over the $cases lengths | goal |
|---|---|---:|---:|
EOF
for label in "${!ids_per_job[@]}"; do
  for seed in $seeds; do
    echo "| $label | $seed | $(calc "%.2f" "${ids_per_seed[$label $seed]} / $cases") | |"
  done
  echo "| $label | all $nseeds | **$(calc "%.2f" "${ids_per_job[$label]} / ($cases * $nseeds)")** | at most 4 (adaptive) |"
done
