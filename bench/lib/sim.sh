# Sourced by the benchmarks: the one way they start and stop gridbatch-sim.
#
# sim_start SIM_BINARY [FLAGS...]: starts the simulator on a free loopback port
#   (--port 0) with FLAGS, bounded by --duration $sim_duration (default 900 s:
#   it exits by itself), stdout in $sim_dir/sim.out and stderr in
#   $sim_dir/sim.err ($sim_dir: a new temporary folder unless set). Returns
#   once it listens, with sim_pid, sim_url (the API base,
#   http://127.0.0.1:PORT/remotejobs/v2), sim_root (http://127.0.0.1:PORT)
#   and sim_port set; exits the script with the simulator's messages if it
#   does not start within 10 s. One simulator at a time.
# sim_stop: SIGTERM and wait for it; nothing if none is running. Call it from
#   the script's EXIT trap too.
sim_pid=""
sim_url=""
sim_root=""
sim_port=""

sim_start() {
  local binary=$1
  shift
  [ -n "$sim_pid" ] && sim_stop
  if [ -z "${sim_dir:-}" ]; then
    sim_dir=$(mktemp -d "${TMPDIR:-/tmp}/gridbatch-bench-sim.XXXXXX")
    sim_own_dir=1
  fi
  : >"$sim_dir/sim.out"
  "$binary" --port 0 --duration "${sim_duration:-900}" "$@" >"$sim_dir/sim.out" 2>"$sim_dir/sim.err" &
  sim_pid=$!
  local line="" tries
  # The first stdout line is "endpoint=URL", written once it listens.
  for ((tries = 0; tries < 200; tries++)); do
    IFS= read -r line <"$sim_dir/sim.out" || true
    [[ $line == endpoint=* ]] && break
    kill -0 "$sim_pid" 2>/dev/null || break
    sleep 0.05
  done
  if [[ $line != endpoint=* ]]; then
    echo "bench: the simulator did not start: $(cat "$sim_dir/sim.err")" >&2
    sim_stop
    exit 1
  fi
  sim_url=${line#endpoint=}
  sim_root=${sim_url%%/remotejobs/*}
  sim_port=${sim_root##*:}
}

sim_stop() {
  if [ -n "$sim_pid" ]; then
    kill "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
  fi
  sim_pid=""
}

# Removes the folder sim_start made (call at exit, after sim_stop).
sim_cleanup() {
  sim_stop
  if [ "${sim_own_dir:-0}" = 1 ]; then rm -rf "$sim_dir"; fi
}
