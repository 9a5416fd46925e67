#!/usr/bin/env bash
# bench: gridbatch load beside the sqlite3 shell inserting the same rows
# Load benchmark: `gridbatch load` against the sqlite3 shell inserting the very
# same rows, for (a) a template sweep and (b) a prompts file of JOBS jobs each
# (default 1,000,000). Prints markdown tables on stdout, progress on stderr.
#
#   bench/run.sh load                 # builds into build-bench-load (Release)
#   BUILD_DIR=... JOBS=200000 bench/run.sh load
#
# The sqlite3 shell gets the same schema and indexes (schemas/migrations/*.sql),
# the same journal settings (WAL, synchronous=NORMAL, foreign keys on) and the
# rows gridbatch loaded, dumped as INSERT statements (content_key included),
# in one transaction; only its insert is timed. Wall and CPU time and peak RSS
# come from /usr/bin/time (Debian package `time`).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build-bench-load}
jobs=${JOBS:-1000000}
[ $((jobs % 40000)) -eq 0 ] || { echo "JOBS must be a multiple of 40000" >&2; exit 64; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time: scripts/install-deps.sh installs it" >&2; exit 69; }
work=$(mktemp -d "${TMPDIR:-/tmp}/gridbatch-bench-load.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "bench_load: building gridbatch (Release) in $build" >&2
# Compiler output goes to a log, shown only if the build fails.
{
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGRIDBATCH_WERROR=OFF \
    -DGRIDBATCH_BUILD_TESTS=ON &&
    cmake --build "$build" -j2 --target gridbatch gridbatch_store_bench
} >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
gridbatch=$build/bin/gridbatch

# (a) 4 models x 100 x 100 x (jobs/40000) variable values.
make_sweep() {
  local c_values
  c_values=$(seq -s, 1 $((jobs / 40000)))
  cat >"$work/sweep.yaml" <<YAML
name: bench-sweep
models: [gemma:2b, llama3:8b, mistral:7b, phi3:mini]
sweeps:
  - id: arith
    template: "Question: what is {a} times {b}, plus {c}? Show the steps, then the result."
    vars:
      a: [$(seq -s, 1 100)]
      b: [$(seq -s, 101 200)]
      c: [$c_values]
YAML
}

# (b) one model, one prompt a line.
make_prompt_file() {
  python3 - "$work/prompts.txt" "$jobs" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write(f"Question {i}: what is the square root of {i * 7919}, to three decimals?\n")
PY
  cat >"$work/file.yaml" <<YAML
name: bench-file
model: gemma:2b
prompt_files:
  - path: prompts.txt
    id_prefix: line
YAML
}

# measure LABEL COMMAND...: runs it under /usr/bin/time; sets wall, cpu, rss_mb.
measure() {
  local label=$1
  shift
  echo "bench_load: $label" >&2
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" ||
    { cat "$work/err" >&2; exit 1; }
  read -r wall user sys rss_kb <"$work/time"
  cpu=$(awk "BEGIN { printf \"%.2f\", $user + $sys }")
  rss_mb=$(awk "BEGIN { printf \"%.1f\", $rss_kb / 1024 }")
}

row() {  # row INPUT TOOL
  local rate cpu_rate
  rate=$(awk "BEGIN { printf \"%d\", $jobs / $wall }")
  cpu_rate=$(awk "BEGIN { printf \"%d\", ($cpu > 0) ? ($jobs / $cpu) : 0 }")
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$wall" "$cpu" "$rate" "$cpu_rate" "$rss_mb"
}

# The rows gridbatch loaded into $1, as one INSERT transaction for the shell.
dump_inserts() {
  local db=$1 out=$2
  {
    echo "PRAGMA synchronous = NORMAL;"
    echo "PRAGMA foreign_keys = ON;"
    echo "BEGIN IMMEDIATE;"
    sqlite3 "$db" ".headers on" ".mode insert jobs" \
      "SELECT batch_id, content_key, prompt_id, model, prompt, vars, repeat_index, created_at,
              load_serial FROM jobs ORDER BY id"
    echo "COMMIT;"
  } >"$out"
}

# A database with the schema, WAL, and the batch row gridbatch made.
shell_db() {
  local from=$1 db=$2
  rm -f "$db" "$db-wal" "$db-shm"
  cat "$root"/schemas/migrations/*.sql | sqlite3 "$db"
  sqlite3 "$db" "PRAGMA journal_mode = WAL;" >/dev/null
  sqlite3 "$from" ".mode insert batches" "SELECT * FROM batches" | sqlite3 "$db"
}

bench_input() {  # bench_input LABEL MANIFEST
  local label=$1 manifest=$2 db=$work/gridbatch.db
  rm -f "$db" "$db-wal" "$db-shm"
  measure "$label: gridbatch load --dry-run" "$gridbatch" load "$manifest" --db "$db" --dry-run
  row "$label" "gridbatch load --dry-run (manifest only)"
  measure "$label: gridbatch load" "$gridbatch" load "$manifest" --db "$db"
  row "$label" "**gridbatch load**"
  local ours=$wall ours_cpu=$cpu
  measure "$label: gridbatch load again" "$gridbatch" load "$manifest" --db "$db"
  row "$label" "gridbatch load again (all present)"
  dump_inserts "$db" "$work/inserts.sql"
  shell_db "$db" "$work/shell.db"
  measure "$label: sqlite3 shell" sh -c "sqlite3 '$work/shell.db' < '$work/inserts.sql'"
  row "$label" "**sqlite3 shell**, same rows, default cache"
  local shell=$wall shell_cpu=$cpu
  [ "$(sqlite3 "$work/shell.db" "SELECT count(*) FROM jobs")" = "$jobs" ] ||
    { echo "bench_load: the shell did not insert $jobs rows" >&2; exit 1; }
  shell_db "$db" "$work/shell.db"
  sed -i '1i PRAGMA cache_size = -49152;' "$work/inserts.sql"
  measure "$label: sqlite3 shell, 48 MiB cache" sh -c "sqlite3 '$work/shell.db' < '$work/inserts.sql'"
  row "$label" "sqlite3 shell, same rows, 48 MiB cache (as the loader)"
  echo "| $label | gridbatch load rate / sqlite3 shell rate (default cache) | | |" \
    "$(awk "BEGIN { printf \"%.2f\", $shell / $ours }") |" \
    "$(awk "BEGIN { printf \"%.2f\", $shell_cpu / $ours_cpu }") | |"
  rm -f "$work/inserts.sql" "$work/shell.db"*
}

make_sweep
make_prompt_file
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB RAM; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| input ($jobs jobs) | tool | wall s | cpu s | jobs/s (wall) | jobs/s (cpu) | peak RSS MB |"
echo "|---|---|---:|---:|---:|---:|---:|"
bench_input "(a) template sweep" "$work/sweep.yaml"
bench_input "(b) prompts file" "$work/file.yaml"
echo
echo "bench_load: seen tracking, $jobs synthetic jobs" >&2
"$build/tests/store/gridbatch_store_bench" "$work" "$jobs"
