#!/usr/bin/env bash
# bench: gridbatch export (CSV, JSONL) beside the sqlite3 shell's -csv and -json
# Benchmarks `gridbatch export` (CSV and JSONL) side by side with the sqlite3
# shell's own CSV (and JSON) output over the same rows and columns, on a
# database of ROWS finished jobs built against the real schema. Prints
# markdown tables: wall time and rows per second (the rate compared with
# sqlite3 -csv's), CPU time (user + system: steadier than wall time on a
# shared machine), peak RSS, output size; then the JSONL encoder against
# nlohmann's dump.
#
# Usage: bench/run.sh export [BUILD_DIR]
#   BUILD_DIR  a configured build directory (default: build-bench, configured
#              here if missing); the script builds the targets gridbatch and
#              gridbatch_export_bench in it, as it prints.
# Environment: ROWS (default 1000000), REPEAT (runs per tool, median shown;
#   default 3), WORKDIR (where the database and outputs go; default a new
#   directory under /tmp, removed at the end; about 3 GB free needed).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-bench}
rows=${ROWS:-1000000}
repeat=${REPEAT:-3}
small=$((rows / 10))

for tool in sqlite3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench_export: $tool missing (scripts/install-deps.sh)" >&2; exit 1; }
done

# shellcheck source=../lib/build_targets.sh
. "$root/bench/lib/build_targets.sh"
build_targets "$build" gridbatch gridbatch_export_bench
gridbatch=$build/bin/gridbatch
encoder_bench=$build/tests/export/gridbatch_export_bench

# shellcheck source=../lib/common.sh
. "$root/bench/lib/common.sh"
bench_work_dir export
db=$work/bench.db

# The schema as the store applies it (bench_schema), then the rows.
build_database() {
  bench_schema "$db"
  sqlite3 "$db" >/dev/null <<SQL
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
BEGIN;
INSERT INTO batches (id, name, app, created_at, updated_at) VALUES
  (1, 'bench-small', 'gridrepublic:text-inference', '2024-05-06T21:26:00.000Z', '2024-05-06T21:26:00.000Z'),
  (2, 'bench-rest', 'gridrepublic:text-inference', '2024-05-06T21:26:00.000Z', '2024-05-06T21:26:00.000Z');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows)
INSERT INTO jobs (batch_id, content_key, prompt_id, model, prompt, vars, repeat_index,
                  output, runtime, created_at)
SELECT CASE WHEN i <= $small THEN 1 ELSE 2 END,
       randomblob(16), 'q' || i,
       CASE i % 2 WHEN 0 THEN 'gemma:2b' ELSE 'llama3:8b' END,
       printf('Question %07d: what is the capital of country number %03d? Answer in one word, then explain.', i, i % 197),
       json_object('lang', CASE i % 3 WHEN 0 THEN 'fr' WHEN 1 THEN 'en' ELSE 'de' END,
                   'temperature', (i % 10) / 10.0),
       0,
       printf('%07d. The capital is "Paris", of course.', i) || char(10) ||
         substr('France is a country in Western Europe, with a long history of art, science and ' ||
                'philosophy; its capital, Paris, sits on the Seine and has been the seat of ' ||
                'government for most of the last thousand years. The city is known for its ' ||
                'museums, its architecture, its cafes and its food, and draws tens of millions ' ||
                'of visitors every year. Its population is a little over two million, and the ' ||
                'wider region holds about twelve million people. The Louvre, the Eiffel Tower ' ||
                'and Notre-Dame are among the most visited places in the world.', 1, 450),
       i % 120, '2024-05-06T21:26:00.000Z'
FROM n;
-- The jobs' trigger made their job_state rows, pending: all completed.
UPDATE job_state SET state = 'completed', attempts = 1, remote_id = lower(hex(randomblob(16))),
  remote_status = 'completed', updated_at = '2024-05-06T22:00:00.000Z',
  submitted_at = '2024-05-06T21:30:00.000Z', finished_at = '2024-05-06T21:59:00.000Z';
COMMIT;
PRAGMA journal_mode = WAL;
SQL
}

# The same columns as the export, for the sqlite3 shell (vars as its JSON text).
select_sql() {
  local where=$1
  echo "SELECT b.name AS batch, j.prompt_id, j.model, j.prompt, s.state, j.output, j.runtime,
    s.remote_id, s.attempts, s.last_error AS error, s.previous_error, j.created_at AS created, s.submitted_at,
    s.finished_at, j.repeat_index AS \"repeat\", j.vars
    FROM jobs AS j JOIN job_state AS s ON s.job_id = j.id JOIN batches AS b ON b.id = j.batch_id
    $where ORDER BY j.id;"
}

# Runs "$@" REPEAT times with stdout to $out; prints the median wall seconds,
# the median CPU seconds (user + system) and the largest peak RSS in KB.
measure() {
  local walls=() cpus=() rss=0 wall user sys kb
  for _ in $(seq "$repeat"); do
    /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" >"$out" 2>/dev/null
    read -r wall user sys kb < <(tail -1 "$work/time.txt")
    walls+=("$wall")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')")
    [ "$kb" -gt "$rss" ] && rss=$kb
  done
  local mid=$(( (repeat + 1) / 2 ))
  echo "$(printf '%s\n' "${walls[@]}" | sort -g | sed -n "${mid}p")" \
       "$(printf '%s\n' "${cpus[@]}" | sort -g | sed -n "${mid}p")" "$rss"
}

baseline_rate=""
row() {
  local name=$1 format=$2 count=$3; shift 3
  read -r seconds cpu rss < <(measure "$@")
  local rate size
  rate=$(awk -v n="$count" -v s="$seconds" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
  [ -z "$baseline_rate" ] && baseline_rate=$rate
  size=$(stat -c %s "${SIZE_OF:-$out}")
  awk -v name="$name" -v f="$format" -v n="$count" -v s="$seconds" -v r="$rate" \
      -v b="$baseline_rate" -v c="$cpu" -v m="$rss" -v z="$size" \
      'BEGIN { printf "| %s | %s | %d | %.2f | %d | %.0f%% | %.2f | %.1f | %.0f |\n",
               name, f, n, s, r, 100 * r / b, c, m / 1024, z / 1e6 }'
}

echo "building a database of $rows jobs in $work ..." >&2
build_database
echo "database: $(du -h "$db" | cut -f1); warming the page cache" >&2
cat "$db" >/dev/null
out=$work/out

echo "### $rows finished jobs; median of $repeat runs; $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| tool | format | rows | wall s | rows/s | vs sqlite3 -csv | CPU s | peak RSS MB | output MB |"
echo "|---|---|---|---|---|---|---|---|---|"
row "sqlite3 -csv -header" CSV "$rows" sqlite3 -csv -header "$db" "$(select_sql "")"
row "gridbatch export" CSV "$rows" "$gridbatch" export --db "$db" --format csv -o -
row "sqlite3 -json" "JSON array" "$rows" sqlite3 -json "$db" "$(select_sql "")"
row "gridbatch export" JSONL "$rows" "$gridbatch" export --db "$db" --format jsonl -o -
SIZE_OF=$work/file.csv row "gridbatch export -o FILE" CSV "$rows" "$gridbatch" export --db "$db" --format csv -o "$work/file.csv"
row "gridbatch export --batch (1/10 of the rows, still one full scan)" CSV "$small" \
  "$gridbatch" export --db "$db" --format csv --batch bench-small -o -
# --wide against the sqlite3 shell reading the same rows in the same order
# (batch, prompt id, repeat, model: the order of the jobs_prompt index).
row "sqlite3 -csv, the wide export's order" CSV "$rows" sqlite3 -csv -header "$db" \
  "$(select_sql "" | sed 's/ORDER BY j.id/ORDER BY j.batch_id, j.prompt_id, j.repeat_index, j.model, j.id/')"
row "gridbatch export --wide" CSV "$rows" "$gridbatch" export --db "$db" --format csv --wide -o -
row "gridbatch export --wide" JSONL "$rows" "$gridbatch" export --db "$db" --format jsonl --wide -o -
echo
echo "### JSONL encoder alone, in memory, $rows rows"
echo
"$encoder_bench" "$rows"
