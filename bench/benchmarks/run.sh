#!/usr/bin/env bash
# bench: gridbatch run: submits/s beside wrk and GNU parallel + curl, GETs per job, memory
# The run benchmark: how fast `gridbatch run` submits, how many status GETs it
# spends per job, and how much memory it needs, each measured in the same run
# beside a peer, against the bundled simulator on 127.0.0.1:
#   1. submits/s with no rate limit: gridbatch, GNU parallel driving curl, and
#      wrk (the simulator's own ceiling for the same POSTs), with the CPU each
#      side spent per submit;
#   2. status GETs per completed job for sweeps with realistic-ish job times;
#   3. peak RSS and wall time of `gridbatch load` and `gridbatch run` for
#      100,000 jobs.
# Prints markdown tables on stdout, progress on stderr.
#
# Usage: bench/run.sh run [BUILD_DIR]     (default: build)
# Installs missing Debian packages first (scripts/install-deps.sh).
# It builds the targets gridbatch and gridbatch-sim in BUILD_DIR (and nothing
# else); BENCH_NO_BUILD=1 uses them as they are. Sizes (environment):
#   BENCH_SUBMIT_JOBS=100000 BENCH_CURL_POSTS=2000  BENCH_WRK_SECONDS=10
#   BENCH_POLL_JOBS=2000     BENCH_PACED_JOBS=500   BENCH_RSS_JOBS=100000
# Bounded: every simulator exits by itself (--duration), every client command
# runs under `timeout`, and whatever is still running is killed on exit.
# The client and the simulator share the machine's cores: on a small machine
# the figures measure the pair, not the client alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
build_dir=${1:-build}
submit_jobs=${BENCH_SUBMIT_JOBS:-100000}  # about 5 s a row: a window nearer wrk's 10 s
curl_posts=${BENCH_CURL_POSTS:-2000}
wrk_seconds=${BENCH_WRK_SECONDS:-10}
poll_jobs=${BENCH_POLL_JOBS:-2000}
paced_jobs=${BENCH_PACED_JOBS:-500}
rss_jobs=${BENCH_RSS_JOBS:-100000}
step_limit=${BENCH_STEP_SECONDS:-900}   # no single step may take longer
token=bench-token-not-a-secret          # the simulator's throwaway token

scripts/install-deps.sh
for tool in wrk parallel curl sqlite3 timeout awk; do
  command -v "$tool" >/dev/null || { echo "bench_run: '$tool' is missing (scripts/install-deps.sh)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench_run: /usr/bin/time is missing (Debian package 'time')" >&2; exit 1; }

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  echo "bench_run: building gridbatch and gridbatch-sim in $build_dir" >&2
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build_dir" -j"$(nproc)" --target gridbatch gridbatch-sim >&2
fi
gb=$root/$build_dir/bin/gridbatch
sim=$root/$build_dir/bin/gridbatch-sim
[ -x "$gb" ] && [ -x "$sim" ] || { echo "bench_run: no $gb or $sim" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/gridbatch-bench-run.XXXXXX")
# shellcheck source=../lib/observe.sh
. "$root/bench/lib/observe.sh"
observe_init "$work"
sim_dir=$work
# shellcheck source=../lib/sim.sh
. "$root/bench/lib/sim.sh"
client_pid=""
cleanup() {
  if [ -n "$client_pid" ]; then
    kill -TERM "$(descendant "$client_pid" gridbatch)" 2>/dev/null || true
    kill "$client_pid" 2>/dev/null || true
  fi
  sim_stop
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- helpers -----------------------------------------------------------------

log() { echo "bench_run: $*" >&2; }
now() { echo "$EPOCHREALTIME"; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }   # calc FORMAT EXPRESSION

# Starts a simulator with the given flags (bench/lib/sim.sh); sets sim_pid,
# sim_url (the API base), sim_root and sim_port (for /sim/counters).
start_sim() { sim_duration=$step_limit sim_start "$sim" --token "$token" "$@"; }
stop_sim() { sim_stop; }

counter() {  # counter NAME: one of the simulator's counters (0 if unreadable)
  observe_counter 127.0.0.1 "$sim_port" "$1"
  echo "$observe_value"
}

descendant() {  # descendant PID NAME: the pid of PID's first descendant named NAME
  local pid=$1 child
  for child in $(cat "/proc/$pid/task/"*/children 2>/dev/null); do
    if [ "$(cat "/proc/$child/comm" 2>/dev/null)" = "$2" ]; then
      echo "$child"
      return
    fi
    descendant "$child" "$2"
  done
}

sim_cpu() {  # CPU seconds (user + system) the simulator has used so far
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$sim_pid/stat"
}

time_field() {  # time_field FILE LABEL: a value from /usr/bin/time -v output
  sed -n "s/^[[:space:]]*$2: //p" "$1"
}

cpu_of() {  # user + system seconds from /usr/bin/time -v output
  calc "%.2f" "$(time_field "$1" 'User time (seconds)') + $(time_field "$1" 'System time (seconds)')"
}

rss_mb() { calc "%.1f" "$(time_field "$1" 'Maximum resident set size (kbytes)') / 1024"; }

# make_db NAME JOBS: a database with JOBS pending jobs, one prompt a line;
# the load is measured by /usr/bin/time into $work/NAME.load.time.
make_db() {
  local name=$1 jobs=$2
  mkdir -p "$work/$name"
  seq 1 "$jobs" | awk '{ print "Benchmark prompt number " $1 ": say something short." }' \
    >"$work/$name/prompts.txt"
  cat >"$work/$name/manifest.yaml" <<EOF
name: bench-$name
model: gemma:2b
prompt_files:
  - path: prompts.txt
EOF
  /usr/bin/time -v -o "$work/$name.load.time" \
    timeout "$step_limit" "$gb" load "$work/$name/manifest.yaml" --db "$work/$name.db" >&2
}

# gridbatch run against the current simulator, measured by /usr/bin/time
# into $work/$1.run.time; the remaining arguments go to `run`. Its exit code
# is returned; its messages are shown unless it was stopped on purpose (130).
run_gb() {
  local name=$1 code=0
  shift
  GRIDREPUBLIC_TOKEN=$token /usr/bin/time -v -o "$work/$name.run.time" \
    timeout "$step_limit" "$gb" run --db "$work/$name.db" --endpoint "$sim_url" \
    --progress none "$@" 2>"$work/$name.run.err" || code=$?
  [ "$code" -eq 0 ] || [ "$code" -eq 130 ] || log "gridbatch run ($name) exited $code: $(tail -n 5 "$work/$name.run.err")"
  return "$code"
}

# --- 1. submits per second ---------------------------------------------------

loadavg() { cut -d' ' -f1 /proc/loadavg; }

wrk_errors() {  # non-2xx replies plus socket errors in wrk's report
  awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(/[^0-9 ]/, " "); for (i = 1; i <= NF; i++) n += $i }
       END { print n + 0 }' "$1"
}

# Adds a row to submit_rows and sets last_rate (submits/s over the wall time):
# row LABEL ACCEPTED WALL SPAN CLIENT_CPU SIM_CPU ERRORS LOAD, where SPAN is
# first to last submitted_at in the database (or -).
row() {
  local rate span_rate="-" client_per_submit sim_per_submit
  rate=$(calc "%.0f" "$2 / ($3)")
  [ "$4" != - ] && span_rate=$(calc "%.0f" "$2 / $4")
  client_per_submit=$(calc "%.0f" "1e6 * $5 / $2")
  sim_per_submit=$(calc "%.0f" "1e6 * $6 / $2")
  last_rate=$rate
  submit_rows+="| $1 | $2 | $(calc "%.2f" "($3)") | **$rate** | $span_rate | $5 | $client_per_submit | $6 | $sim_per_submit | $(( client_per_submit + sim_per_submit )) | $7 | $8 |"$'\n'
}

# gridbatch with no rate limit; jobs stay running in the simulator and the
# first poll is 10 minutes away, so this is the submit path alone. Once the
# simulator has accepted every job the run is stopped (SIGTERM, as Ctrl-C).
bench_gridbatch_submits() {
  local inflight=$1 name=submit$1
  make_db "$name" "$submit_jobs"
  start_sim --queue-time 600 --run-time 600 --jitter 0
  local cpu0 t0 t1 accepted=0 load
  load=$(loadavg)
  cpu0=$(sim_cpu)
  t0=$(now)
  run_gb "$name" --rate 0 --max-inflight "$inflight" --poll-interval 10m &
  client_pid=$!
  while [ "$accepted" -lt "$submit_jobs" ]; do
    kill -0 "$client_pid" 2>/dev/null || { log "gridbatch run ended early: $(cat "$work/$name.run.err")"; exit 1; }
    # Builtins only: a watcher starting processes would take CPU from the
    # pair being measured (bench/lib/observe.sh).
    observe_nap 0.02
    observe_counter 127.0.0.1 "$sim_port" submits_accepted
    accepted=$observe_value
  done
  t1=$(now)
  local sim_used
  sim_used=$(calc "%.2f" "$(sim_cpu) - $cpu0")
  # Signal gridbatch itself, not the /usr/bin/time around it, which would
  # die without its report.
  kill -TERM "$(descendant "$client_pid" gridbatch)" 2>/dev/null || true
  wait "$client_pid" || true
  client_pid=""
  local span errors
  span=$(sqlite3 "$work/$name.db" "SELECT (julianday(max(submitted_at)) - julianday(min(submitted_at))) * 86400
                                   FROM job_state WHERE submitted_at IS NOT NULL")
  errors=$(( $(counter submits_rejected) + $(counter sent_429) + $(counter sent_5xx) ))
  stop_sim
  row "gridbatch run --rate 0 --max-inflight $inflight" "$accepted" "$t1 - $t0" "$span" "$(cpu_of "$work/$name.run.time")" "$sim_used" "$errors" "$load"
}

# GNU parallel starting one curl per POST, same body shape and headers.
bench_parallel_curl() {
  start_sim --queue-time 600 --run-time 600 --jitter 0
  local cpu0 t0 t1 accepted errors load
  load=$(loadavg)
  cpu0=$(sim_cpu)
  t0=$(now)
  seq 1 "$curl_posts" | /usr/bin/time -v -o "$work/curl.time" timeout "$step_limit" \
    parallel --will-cite -j 64 -q curl -sS -o /dev/null --max-time 30 \
    -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -H 'Accept: application/json' \
    --data-binary '{"app":"gridrepublic:text-inference","commandLine":"{\"inputs\":[\"curl prompt number {}: say something short.\"]}","tag":"gemma:2b"}' \
    "$sim_url/jobs" || true   # failed POSTs are counted below
  t1=$(now)
  local sim_used
  sim_used=$(calc "%.2f" "$(sim_cpu) - $cpu0")
  accepted=$(counter submits_accepted)
  errors=$(( curl_posts - accepted + $(counter sent_429) + $(counter sent_5xx) ))
  stop_sim
  row "GNU parallel -j 64 + curl, one process per POST" "$accepted" "$t1 - $t0" - \
    "$(cpu_of "$work/curl.time")" "$sim_used" "$errors" "$load"
}

# wrk: keep-alive POSTs as fast as the simulator answers them.
bench_wrk() {
  local connections=$1 out=$work/wrk$1.out
  start_sim --queue-time 600 --run-time 600 --jitter 0
  local cpu0 load
  load=$(loadavg)
  cpu0=$(sim_cpu)
  BENCH_TOKEN=$token /usr/bin/time -v -o "$work/wrk.time" \
    timeout $((wrk_seconds + 60)) wrk -t 2 -c "$connections" -d "${wrk_seconds}s" \
    -s "$root/bench/drivers/wrk_submit.lua" "$sim_url/jobs" >"$out"
  local sim_used accepted
  sim_used=$(calc "%.2f" "$(sim_cpu) - $cpu0")
  accepted=$(counter submits_accepted)
  stop_sim
  # wrk's own Requests/sec counts replies in the window; the accepted count
  # over the window is the same figure, from the simulator's side.
  row "wrk -t 2 -c $connections -d ${wrk_seconds}s (simulator ceiling)" "$accepted" "$wrk_seconds" - "$(cpu_of "$work/wrk.time")" "$sim_used" \
    "$(wrk_errors "$out")" "$load"
}

# --- 2. polls per completed job ----------------------------------------------

# bench_polls NAME JOBS RATE: one sweep driven to the end; counts the status
# GETs and the ids they carried (--poll-batch: its default, 100).
bench_polls() {
  local name=$1 jobs=$2 rate=$3
  make_db "$name" "$jobs"
  start_sim --queue-time 1 --run-time 3
  local t0 t1 load
  load=$(loadavg)
  t0=$(now)
  run_gb "$name" --rate "$rate" --max-inflight 64 --poll-interval 1s
  t1=$(now)
  local completed gets ids submits
  completed=$(sqlite3 "$work/$name.db" "SELECT count(*) FROM job_state WHERE state = 'completed'")
  gets=$(counter gets)
  ids=$(counter ids_polled)
  submits=$(counter submits_accepted)
  stop_sim
  poll_rows+="| $jobs | $rate | $completed | $submits | $gets | **$(calc "%.3f" "$gets / $completed")** | $(calc "%.2f" "$ids / $completed") | $(calc "%.1f" "$ids / $gets") | 100 | $(calc "%.1f" "$t1 - $t0") | $load |"$'\n'
}

# --- 3. memory for 100,000 jobs ----------------------------------------------

# One database of rss_jobs jobs driven to completion, load and run measured.
bench_memory() {
  make_db rss "$rss_jobs"
  start_sim --queue-time 0 --run-time 0.5 --jitter 0
  local cpu0 load
  load=$(loadavg)
  cpu0=$(sim_cpu)
  run_gb rss --rate 0 --max-inflight 256 --poll-interval 1s
  local sim_used completed sim_rss gets ids
  sim_used=$(calc "%.2f" "$(sim_cpu) - $cpu0")
  sim_rss=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$sim_pid/status")
  completed=$(sqlite3 "$work/rss.db" "SELECT count(*) FROM job_state WHERE state = 'completed'")
  gets=$(counter gets)
  ids=$(counter ids_polled)
  stop_sim
  local loaded=$work/rss.load.time run=$work/rss.run.time wall='Elapsed (wall clock) time (h:mm:ss or m:ss)'
  memory_rows+="| gridbatch load ($rss_jobs jobs) | **$(rss_mb "$loaded")** | $(time_field "$loaded" "$wall") | $(cpu_of "$loaded") | - | - | - |"$'\n'
  memory_rows+="| gridbatch run --rate 0 --max-inflight 256 --poll-interval 1s | **$(rss_mb "$run")** | $(time_field "$run" "$wall") | $(cpu_of "$run") | $sim_used ($sim_rss MB peak) | $gets GETs, $ids ids | $completed completed |"$'\n'
  memory_run_mb=$(rss_mb "$run")
  memory_load=$load
}

# --- the run -----------------------------------------------------------------

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
submit_rows=""
poll_rows=""
memory_rows=""

log "1. submits: gridbatch, $submit_jobs jobs, 64 and 256 in flight"
bench_gridbatch_submits 64
gb64=$last_rate
bench_gridbatch_submits 256
gb256=$last_rate
log "1. submits: GNU parallel + curl, $curl_posts POSTs"
bench_parallel_curl
curl_rate=$last_rate
log "1. submits: wrk, 64 and 256 connections, ${wrk_seconds}s each"
bench_wrk 64
wrk64=$last_rate
bench_wrk 256
wrk256=$last_rate
log "2. polls: $poll_jobs jobs unpaced, $paced_jobs jobs at 50/s"
bench_polls poll "$poll_jobs" 0
bench_polls paced "$paced_jobs" 50/s
log "3. memory: $rss_jobs jobs"
bench_memory

best_gb=$(( gb64 > gb256 ? gb64 : gb256 ))
best_wrk=$(( wrk64 > wrk256 ? wrk64 : wrk256 ))
met() { awk "BEGIN { print ($1) ? \"yes\" : \"**no**\" }"; }

cat <<EOF
Run benchmark, $started, $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)),
$(uname -sr), gridbatch $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src include 2>/dev/null || echo ' + uncommitted changes in src/ or include/').
The client, the simulator and anything else running share the same $(nproc) cores;
load average (1, 5, 15 min) at the start $load_at_start, at the end $(cut -d' ' -f1-3 /proc/loadavg).

### 1. Submits per second, no rate limit (simulator --queue-time 600 --run-time 600: no job ends, no polls)

| client | submits accepted | wall s | submits/s | submits/s, first to last submitted_at | client CPU s | client CPU µs/submit | simulator CPU s | simulator CPU µs/submit | client + simulator CPU µs/submit | errors | load avg (1 min) |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${submit_rows%$'\n'}

| target | measured | met |
|---|---|---|
| gridbatch >= 20x GNU parallel + curl | $best_gb / $curl_rate = $(calc "%.1f" "$best_gb / $curl_rate")x | $(met "$best_gb >= 20 * $curl_rate") |
| gridbatch >= 0.5x simulator ceiling (best wrk) | $best_gb / $best_wrk = $(calc "%.2f" "$best_gb / $best_wrk")x | $(met "$best_gb >= 0.5 * $best_wrk") |

### 2. Status GETs per completed job (simulator --queue-time 1 --run-time 3 --jitter 0.25; run --poll-interval 1s --max-inflight 64)

| jobs | --rate | completed | submits | status GETs | GETs per job | ids polled per job | ids per GET | --poll-batch | wall s | load avg (1 min) |
|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${poll_rows%$'\n'}

### 3. Memory and time for $rss_jobs jobs (simulator --queue-time 0 --run-time 0.5 --jitter 0; load avg $memory_load)

| command | peak RSS MB | wall (m:ss) | CPU s | simulator CPU s (its peak RSS) | simulator saw | result |
|---|---:|---|---:|---|---|---|
${memory_rows%$'\n'}

| target | measured | met |
|---|---|---|
| gridbatch run peak RSS < 64 MB | $memory_run_mb MB | $(met "$memory_run_mb < 64") |
EOF
