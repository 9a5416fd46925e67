# Sourced by the bench scripts: what several of them set up alike.

# bench_work_dir NAME: sets `work` to $WORKDIR (kept) when given, else to a
# new /tmp/gridbatch-bench-NAME.XXXXXX removed when the script exits.
bench_work_dir() {
  if [ -n "${WORKDIR:-}" ]; then
    work=$WORKDIR
    mkdir -p "$work"
  else
    work=$(mktemp -d "/tmp/gridbatch-bench-$1.XXXXXX")
    trap 'rm -rf "$work"' EXIT
  fi
}

# bench_schema DB: a new DB with the schema exactly as the store applies
# it: every migration in order, then user_version = their count.
bench_schema() {
  local db=$1 root migrations
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  migrations=("$root"/schemas/migrations/*.sql)
  rm -f "$db" "$db-wal" "$db-shm"
  cat "${migrations[@]}" | sqlite3 "$db"
  sqlite3 "$db" "PRAGMA user_version = ${#migrations[@]}"
}

# bench_require NAME TOOL...: stops with a message naming the missing tool.
bench_require() {
  local name=$1 tool
  shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$name: '$tool' is missing (scripts/install-deps.sh)" >&2; exit 1; }
  done
}

# bench_programs NAME BUILD_DIR: builds gridbatch and gridbatch-sim there
# (unless BENCH_NO_BUILD=1) and sets `gb` and `sim` to them.
bench_programs() {
  local name=$1 build=$2 root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
    # shellcheck source=build_targets.sh
    . "$root/bench/lib/build_targets.sh"
    build_targets "$build" gridbatch gridbatch-sim
  fi
  gb=$build/bin/gridbatch
  sim=$build/bin/gridbatch-sim
  [ -x "$gb" ] && [ -x "$sim" ] || { echo "$name: no $gb or $sim" >&2; exit 1; }
}
