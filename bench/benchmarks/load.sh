#!/usr/bin/env bash
# bench: gridbatch load beside the sqlite3 shell inserting the same rows
# Load benchmark: `gridbatch load` against the sqlite3 shell inserting the very
# same rows, for (a) a template sweep and (b) a prompts file of JOBS jobs each
# (default 1,000,000). Prints markdown tables on stdout, progress on stderr.
#
#   bench/run.sh load                 # builds into build-bench-load (Release)
#   BUILD_DIR=... JOBS=200000 bench/run.sh load
#   JOBS=300000 INPUTS=file REPEATS=3 BASELINE_REF=3aa2c65 bench/run.sh load
#
# Two sqlite3 shell peers get the same schema and indexes, the same journal
# settings (WAL, synchronous=NORMAL, foreign keys on) and the rows gridbatch
# loaded (content_key included), in one transaction; only their insert is
# timed:
#  - per statement: the rows dumped as one INSERT statement each
#    (schemas/migrations/*.sql; default cache, then the loader's 48 MiB);
#  - bulk: the schema copied from the database gridbatch made (tables,
#    trigger, indexes) and one INSERT ... SELECT from that database, attached:
#    the floor SQLite allows for this schema (default cache, then 48 MiB).
# INPUTS: "sweep file" (default), or one of them; the sweep needs JOBS to be a
# multiple of 40000. REPEATS: how many times the first loads and the bulk peers
# run, interleaved (default 1). BASELINE_REF: a git commit whose gridbatch is
# built (into BUILD_DIR-base-REF, kept) and run beside this one, interleaved,
# for a before/after in the same run.
# Wall and CPU time and peak RSS come from /usr/bin/time (Debian package `time`).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build-bench-load}
jobs=${JOBS:-1000000}
inputs=${INPUTS:-sweep file}
repeats=${REPEATS:-1}
baseline_ref=${BASELINE_REF:-}
case " $inputs " in
  *" sweep "*) [ $((jobs % 40000)) -eq 0 ] || { echo "JOBS must be a multiple of 40000 for the sweep" >&2; exit 64; } ;;
esac
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

baseline=
if [ -n "$baseline_ref" ]; then
  base_build=$build-base-$baseline_ref
  baseline=$base_build/bin/gridbatch
  if [ ! -x "$baseline" ]; then  # built once, then kept
    echo "bench_load: building gridbatch at $baseline_ref (Release) in $base_build" >&2
    {
      rm -rf "$base_build/src" && mkdir -p "$base_build/src" &&
        git -C "$root" archive "$baseline_ref" | tar -x -C "$base_build/src" &&
        cmake -S "$base_build/src" -B "$base_build" -DCMAKE_BUILD_TYPE=Release \
          -DGRIDBATCH_WERROR=OFF -DGRIDBATCH_BUILD_TESTS=OFF &&
        cmake --build "$base_build" -j2 --target gridbatch
    } >"$work/build-base.log" 2>&1 || { cat "$work/build-base.log" >&2; exit 1; }
  fi
fi

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

# A database with the schema of the one gridbatch made ($1: tables, trigger,
# indexes, as `.schema` prints them), WAL, and its batch row.
bulk_db() {
  local from=$1 db=$2
  rm -f "$db" "$db-wal" "$db-shm"
  sqlite3 "$from" .schema | sqlite3 "$db"
  sqlite3 "$db" "PRAGMA journal_mode = WAL;" >/dev/null
  sqlite3 "$from" ".mode insert batches" "SELECT * FROM batches" | sqlite3 "$db"
}

# The bulk peer: every job of $1 into $2 in one INSERT ... SELECT.
bulk_insert_sql() {
  local from=$1 cache=$2
  [ -z "$cache" ] || echo "PRAGMA cache_size = -$cache;"
  cat <<SQL
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;
ATTACH '$from' AS src;
BEGIN IMMEDIATE;
INSERT INTO jobs (batch_id, content_key, prompt_id, model, prompt, vars, repeat_index,
                  created_at, load_serial)
  SELECT batch_id, content_key, prompt_id, model, prompt, vars, repeat_index, created_at,
         load_serial
  FROM src.jobs ORDER BY id;
COMMIT;
SQL
}

# ratio LABEL WHAT PEER_WALL PEER_CPU OURS_WALL OURS_CPU
ratio() {
  echo "| $1 | $2 | | |" \
    "$(awk "BEGIN { printf \"%.2f\", $3 / $5 }") |" \
    "$(awk "BEGIN { printf \"%.2f\", $4 / $6 }") | |"
}

# bulk_peers LABEL: both bulk peers from $work/gridbatch.db; sets bulk_best_wall/cpu.
bulk_peers() {
  local label=$1 db=$work/gridbatch.db cache
  bulk_best_wall= bulk_best_cpu=
  for cache in "" 49152; do
    bulk_db "$db" "$work/bulk.db"
    bulk_insert_sql "$db" "$cache" >"$work/bulk.sql"
    measure "$label: sqlite3 shell, INSERT ... SELECT ${cache:+(48 MiB cache)}" \
      sh -c "sqlite3 '$work/bulk.db' < '$work/bulk.sql'"
    [ "$(sqlite3 "$work/bulk.db" "SELECT count(*) FROM jobs")" = "$jobs" ] ||
      { echo "bench_load: the bulk insert did not insert $jobs rows" >&2; exit 1; }
    [ "$(sqlite3 "$work/bulk.db" "SELECT count(*) FROM job_state")" = "$jobs" ] ||
      { echo "bench_load: the bulk insert's trigger did not make $jobs state rows" >&2; exit 1; }
    if [ -z "$cache" ]; then
      row "$label" "**sqlite3 shell, one INSERT ... SELECT** (bulk floor), default cache"
    else
      row "$label" "**sqlite3 shell, one INSERT ... SELECT** (bulk floor), 48 MiB cache"
    fi
    if [ -z "$bulk_best_wall" ] || awk "BEGIN { exit !($wall < $bulk_best_wall) }"; then
      bulk_best_wall=$wall bulk_best_cpu=$cpu
    fi
    rm -f "$work/bulk.db"*
  done
}

# first_load LABEL BINARY WHAT: a fresh database, then the load; sets wall/cpu.
first_load() {
  local db=$work/gridbatch.db
  rm -f "$db" "$db-wal" "$db-shm"
  measure "$1: $3" "$2" load "$manifest" --db "$db"
  row "$1" "$3"
}

bench_input() {  # bench_input LABEL MANIFEST
  local label=$1 db=$work/gridbatch.db rep ours ours_cpu base base_cpu
  manifest=$2
  rm -f "$db" "$db-wal" "$db-shm"
  measure "$label: gridbatch load --dry-run" "$gridbatch" load "$manifest" --db "$db" --dry-run
  row "$label" "gridbatch load --dry-run (manifest only)"
  for rep in $(seq 1 "$repeats"); do
    if [ -n "$baseline" ]; then
      first_load "$label" "$baseline" "gridbatch load at $baseline_ref (before)"
      base=$wall base_cpu=$cpu
    fi
    first_load "$label" "$gridbatch" "**gridbatch load**"
    ours=$wall ours_cpu=$cpu
    bulk_peers "$label"
    ratio "$label" "gridbatch load rate / bulk floor rate (the faster of the two)" \
      "$bulk_best_wall" "$bulk_best_cpu" "$ours" "$ours_cpu"
    if [ -n "$baseline" ]; then
      ratio "$label" "gridbatch load at $baseline_ref (before) rate / bulk floor rate" \
        "$bulk_best_wall" "$bulk_best_cpu" "$base" "$base_cpu"
    fi
  done
  measure "$label: gridbatch load again" "$gridbatch" load "$manifest" --db "$db"
  row "$label" "gridbatch load again (all present)"
  dump_inserts "$db" "$work/inserts.sql"
  shell_db "$db" "$work/shell.db"
  measure "$label: sqlite3 shell" sh -c "sqlite3 '$work/shell.db' < '$work/inserts.sql'"
  row "$label" "sqlite3 shell, one INSERT per row, default cache"
  local shell=$wall shell_cpu=$cpu
  [ "$(sqlite3 "$work/shell.db" "SELECT count(*) FROM jobs")" = "$jobs" ] ||
    { echo "bench_load: the shell did not insert $jobs rows" >&2; exit 1; }
  shell_db "$db" "$work/shell.db"
  sed -i '1i PRAGMA cache_size = -49152;' "$work/inserts.sql"
  measure "$label: sqlite3 shell, 48 MiB cache" sh -c "sqlite3 '$work/shell.db' < '$work/inserts.sql'"
  row "$label" "sqlite3 shell, one INSERT per row, 48 MiB cache (as the loader)"
  ratio "$label" "gridbatch load rate / per-row sqlite3 shell rate (default cache, last load)" \
    "$shell" "$shell_cpu" "$ours" "$ours_cpu"
  rm -f "$work/inserts.sql" "$work/shell.db"*
}

case " $inputs " in *" sweep "*) make_sweep ;; esac
case " $inputs " in *" file "*) make_prompt_file ;; esac
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB RAM; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| input ($jobs jobs) | tool | wall s | cpu s | jobs/s (wall) | jobs/s (cpu) | peak RSS MB |"
echo "|---|---|---:|---:|---:|---:|---:|"
case " $inputs " in *" sweep "*) bench_input "(a) template sweep" "$work/sweep.yaml" ;; esac
case " $inputs " in *" file "*) bench_input "(b) prompts file" "$work/file.yaml" ;; esac
if [ "${SEEN_BENCH:-1}" != 0 ]; then  # SEEN_BENCH=0 skips it
  echo
  echo "bench_load: seen tracking, $jobs synthetic jobs" >&2
  "$build/tests/store/gridbatch_store_bench" "$work" "$jobs"
fi
