#!/usr/bin/env bash
# bench: gridbatch-sim under wrk, tuned against cpp-httplib's stock settings
# Throughput of gridbatch-sim under wrk: status GETs of 100 ids each and POST
# submits, at several connection counts, for the tuned simulator (elastic pool
# of up to 1024 workers, unlimited keep-alive, blocking wait between requests)
# side by side with cpp-httplib's stock settings (8 workers, 5 requests per
# connection, 10 ms polling between requests); then the CPU that idle
# keep-alive connections cost with either wait. Prints markdown tables.
# Everything runs on 127.0.0.1 and stops by itself.
#
# Usage: bench/run.sh sim [BUILD_DIR]   (default: build; needs the
#        gridbatch-sim target built there: cmake --build BUILD_DIR --target gridbatch-sim)
# Env:   SECONDS_EACH (10), CONNECTIONS ("64 256 512"), JOBS (5000), WRK_THREADS (2)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
sim=$build/bin/gridbatch-sim
seconds=${SECONDS_EACH:-10}
connections=${CONNECTIONS:-64 256 512}
jobs=${JOBS:-5000}
wrk_threads=${WRK_THREADS:-2}
token=bench-token

[ -x "$sim" ] || { echo "bench_sim: $sim not found; build the gridbatch-sim target first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench_sim: wrk is missing (apt-get install wrk)" >&2; exit 1; }
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

# Starts the simulator with extra flags (bench/lib/sim.sh); sets $endpoint.
start_sim() {
  sim_start "$sim" --token "$token" --queue-time 50ms --run-time 500ms "$@"
  endpoint=$sim_url
}

stop_sim() { sim_stop; }

# Submits $jobs jobs over one keep-alive connection and writes their ids.
presubmit() {
  python3 "$root/bench/drivers/presubmit.py" "$endpoint" "$token" "$jobs" "benchmark prompt" >"$work/ids.txt"
}
get_script=$root/bench/drivers/wrk_status.lua
post_script=$root/bench/drivers/wrk_submit.lua

# Runs wrk and prints one table row.
measure() {
  local config=$1 kind=$2 conns=$3 script=$4
  local out="$work/wrk.txt"
  local url=${endpoint%/remotejobs/v2}
  [ "$script" = "$post_script" ] && url=$endpoint/jobs  # wrk_submit.lua posts to the URL's path
  IDS_FILE=$work/ids.txt TOKEN=$token BENCH_TOKEN=$token BASE_PATH=/remotejobs/v2 \
    wrk -t"$wrk_threads" -c"$conns" -d"${seconds}s" --timeout 5s --latency -s "$script" \
    "$url" >"$out" 2>&1 || true
  local rps avg p99 errors non2xx
  rps=$(awk '/^Requests\/sec/ {print $2}' "$out")
  avg=$(awk '/^    Latency/ {print $2}' "$out")
  p99=$(awk '/^ +99%/ {print $2}' "$out")
  errors=$(sed -n 's/.*Socket errors: \(.*\)/\1/p' "$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$out")
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$config" "$kind" "$conns" "${rps:-0}" \
    "${avg:--}" "${p99:--}" "${errors:-none}${non2xx:+; non-2xx $non2xx}"
}

run_config() {
  local name=$1
  shift
  start_sim "$@"
  presubmit
  for c in $connections; do
    measure "$name" "GET 100 ids" "$c" "$get_script"
  done
  for c in $connections; do
    measure "$name" "POST submit" "$c" "$post_script"
  done
  stop_sim
}

# Holds $1 keep-alive connections idle for 5 s (each made one request) and
# prints the simulator's CPU use meanwhile: httplib polls an idle connection
# every ~10 ms, so idle connections are not free.
idle_cpu() {
  python3 - "$endpoint" "$token" "$1" "$sim_pid" <<'PY'
import http.client, os, sys, time, urllib.parse
endpoint, token, n, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
url = urllib.parse.urlparse(endpoint)
def cpu():
    fields = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
conns = []
for _ in range(n):
    c = http.client.HTTPConnection(url.hostname, url.port)
    c.request("GET", url.path + "/jobs/ab", headers={"Authorization": "Bearer " + token})
    c.getresponse().read()
    conns.append(c)
start, t0 = cpu(), time.time()
time.sleep(5)
print("| %d | %.0f%% |" % (n, 100 * (cpu() - start) / (time.time() - t0)))
PY
}

# Opens $1 connections at once, each sends one status GET and then stays
# open and idle, as a client's connection pool does; prints how many got
# their reply within 15 s and when the last one came.
idle_pool() {
  python3 - "$endpoint" "$token" "$1" <<'PY'
import socket, sys, threading, time, urllib.parse
endpoint, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
url = urllib.parse.urlparse(endpoint)
request = ("GET %s/jobs/ab HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n"
           % (url.path, token)).encode()
start, done, lock, socks = time.time(), [], threading.Lock(), []
def one():
    s = socket.create_connection((url.hostname, url.port))
    socks.append(s)
    s.settimeout(15)
    try:
        s.sendall(request)
        if s.recv(65536):
            with lock: done.append(time.time() - start)
    except OSError:
        pass
threads = [threading.Thread(target=one) for _ in range(n)]
for t in threads: t.start()
for t in threads: t.join()
last = "%.2f s" % max(done) if done else "-"
print("| %d | %d | %s |" % (n, len(done), last))
PY
}

echo "gridbatch-sim throughput: wrk -t$wrk_threads, ${seconds}s per row, $(nproc) cores, $jobs jobs pre-submitted"
echo
echo "| simulator | request | connections | requests/s | latency avg | latency p99 | errors |"
echo "|---|---|---|---|---|---|---|"
run_config "tuned (default)"
run_config "httplib stock (8 threads, 5 req/conn, polling wait)" --threads 8 \
  --keep-alive-requests 5 --httplib-keep-alive-polling

echo
echo "Connections that each send one request and then stay open, all at once (15 s cap):"
echo
echo "| simulator | connections | replies within 15 s | last reply after |"
echo "|---|---|---|---|"
start_sim
for n in 64 256; do printf '| tuned (default) '; idle_pool "$n"; done
stop_sim
start_sim --threads 8 --keep-alive-requests 5 --httplib-keep-alive-polling
for n in 64 256; do printf '| httplib stock '; idle_pool "$n"; done
stop_sim

echo
echo "Idle keep-alive connections held open for 5 s (--keep-alive 30):"
echo
echo "| wait between requests | idle connections | simulator CPU (% of one core) |"
echo "|---|---|---|"
for wait in blocking polling; do
  if [ "$wait" = polling ]; then start_sim --keep-alive 30 --httplib-keep-alive-polling; else start_sim --keep-alive 30; fi
  for n in 0 64 256 512; do printf '| %s ' "$wait"; idle_cpu "$n"; done
  stop_sim
done
