# Sourced by the benchmark scripts: watching a run without perturbing it.
#
# A loop that checks the simulator's counters every 20 ms by starting curl,
# grep, cut and sleep spends several milliseconds of CPU per check (process
# start-up and dynamic linking), a sizeable share of a 2-core machine that
# the client and the simulator under test then lack, while wrk's row has no
# such watcher. These helpers use bash builtins only: no process is started.
# Needs bash 4.1 or later ({fd} redirections, $EPOCHREALTIME from 5.0).

# observe_init DIR: opens a FIFO nobody writes to, for observe_nap to wait on.
observe_init() {
  mkfifo "$1/observe.never"
  exec {observe_never_fd}<>"$1/observe.never"
}

# observe_nap SECONDS: sleeps without starting `sleep`.
observe_nap() {
  read -r -t "$1" -u "$observe_never_fd" _ || true
}

# observe_counter HOST PORT NAME: sets observe_value to the simulator's counter
# NAME, read from GET /sim/counters over bash's /dev/tcp (0 if unreadable).
observe_counter() {
  local line="" tcp
  observe_value=0
  # The braces keep 2>/dev/null for this line: on a bare exec it would
  # silence the whole script from here on.
  { exec {tcp}<>"/dev/tcp/$1/$2"; } 2>/dev/null || return 0
  printf 'GET /sim/counters HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$1" >&"$tcp"
  # The JSON body ends without a newline: keep the last, unterminated line too.
  while IFS= read -r line <&"$tcp" || [ -n "$line" ]; do
    [[ $line =~ \"$3\":([0-9]+) ]] && observe_value=${BASH_REMATCH[1]}
    line=""
  done
  exec {tcp}>&-
}
