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
