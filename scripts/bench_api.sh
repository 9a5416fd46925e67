#!/usr/bin/env bash
# Throughput of gridbatch's API client (api::Client over the libcurl multi
# http::Client, one thread) side by side with wrk (one thread) against the
# same gridbatch-sim in the same run: POST submits and status GETs of 100 ids,
# at several numbers of requests in flight (= connections for wrk). Prints a
# markdown table. Everything runs on 127.0.0.1 and stops by itself.
#
# Usage: scripts/bench_api.sh [BUILD_DIR]   (default: build; needs the targets
#        gridbatch-sim and gridbatch_api_bench built there:
#        cmake --build BUILD_DIR --target gridbatch-sim gridbatch_api_bench)
# Env:   SECONDS_EACH (5), IN_FLIGHT ("16 64 256"), JOBS (5000)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
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
sim_pid=
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

GRIDREPUBLIC_TOKEN=$token "$sim" --port 0 --queue-time 50ms --run-time 500ms --duration 900 \
  >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
endpoint=
for _ in $(seq 100); do
  endpoint=$(sed -n 's/^endpoint=//p' "$work/sim.out")
  [ -n "$endpoint" ] && break
  sleep 0.05
done
[ -n "$endpoint" ] || { echo "bench_api: simulator did not start" >&2; cat "$work/sim.err" >&2; exit 1; }
base=${endpoint%/remotejobs/v2}

# Jobs for the status GETs to ask about, submitted over one connection.
python3 - "$endpoint" "$token" "$jobs" >"$work/ids.txt" <<'PY'
import http.client, json, sys, urllib.parse
endpoint, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
url = urllib.parse.urlparse(endpoint)
conn = http.client.HTTPConnection(url.hostname, url.port)
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
for i in range(n):
    body = json.dumps({"app": "gridrepublic:text-inference",
                       "commandLine": json.dumps({"inputs": ["status target %d" % i]}),
                       "tag": "gemma:2b"})
    conn.request("POST", url.path + "/jobs", body, headers)
    print(json.loads(conn.getresponse().read())["ids"][0])
PY

cat >"$work/get.lua" <<'LUA'
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local paths = {}
for first = 1, #ids - 99, 100 do
  paths[#paths + 1] = "/remotejobs/v2/jobs/" .. table.concat(ids, ",", first, first + 99)
end
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
LUA

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local body = '{"app":"gridrepublic:text-inference","commandLine":"{\\"inputs\\":[\\"wrk prompt '
      .. n .. '\\"]}","tag":"gemma:2b"}'
  return wrk.format("POST", "/remotejobs/v2/jobs", nil, body)
end
LUA

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

row_wrk() {
  local kind=$1 n=$2 script=$3
  IDS_FILE=$work/ids.txt TOKEN=$token wrk -t1 -c"$n" -d"${seconds}s" --timeout 5s --latency \
    -s "$script" "$base" >"$work/wrk.txt" 2>&1 || true
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
  IDS_FILE=$work/ids.txt TOKEN=$token wrk -t1 -c"$1" -d1s -s "$2" "$base" >/dev/null 2>&1 || true
}

echo "API client vs wrk against gridbatch-sim: ${seconds}s per row, $(nproc) cores shared by client and simulator, $jobs jobs pre-submitted, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| request | in flight | client | requests/s | latency avg | latency p99 | client CPU per request | errors |"
echo "|---|---|---|---|---|---|---|---|"
for kind in submit status; do
  script=$work/post.lua
  [ "$kind" = status ] && script=$work/get.lua
  for n in $in_flight; do
    warm_up "$n" "$script"
    row_gridbatch "$kind" "$n"
    row_wrk "$kind" "$n" "$script"
  done
done
