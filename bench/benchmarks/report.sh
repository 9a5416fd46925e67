#!/usr/bin/env bash
# bench: gridbatch report beside one sqlite3 scan of every output and gridbatch status
# Benchmarks `gridbatch report` on databases of ROWS and ROWS/10 finished
# jobs built against the real schema (3 models, sweep variables, outputs of
# about 450 characters, runtimes and times spread over an hour, 3 % failed
# with a few reasons, some jobs retried). Beside each report, in the same
# run and on the same file: one full scan of the jobs table in the sqlite3
# shell (reading every output's length: the least any report that measures
# outputs must do) and `gridbatch status` (counts only). Prints a markdown
# table: wall and CPU seconds (median of REPEAT runs), peak RSS, page size.
#
# Usage: bench/run.sh report [BUILD_DIR]
#   BUILD_DIR  a configured build directory (default: build-bench, configured
#              here if missing); the script builds the target gridbatch in it,
#              as it prints.
# Environment: ROWS (default 1000000), REPEAT (default 3), WORKDIR (where the
#   databases go; default a new directory under /tmp, removed at the end;
#   about 1.5 GB free needed).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-bench}
rows=${ROWS:-1000000}
repeat=${REPEAT:-3}

for tool in sqlite3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench_report: $tool missing (scripts/install-deps.sh)" >&2; exit 1; }
done

# shellcheck source=../lib/build_targets.sh
. "$root/bench/lib/build_targets.sh"
build_targets "$build" gridbatch
gridbatch=$build/bin/gridbatch

# shellcheck source=../lib/common.sh
. "$root/bench/lib/common.sh"
bench_work_dir report

# build_database FILE N: the schema as the store applies it (bench_schema),
# then N jobs: prompt i of a sweep over (lang, temperature), on model i % 3.
build_database() {
  local db=$1 n=$2
  bench_schema "$db"
  sqlite3 "$db" >/dev/null <<SQL
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
BEGIN;
INSERT INTO batches (id, name, app, created_at, updated_at) VALUES
  (1, 'bench', 'gridrepublic:text-inference', '2024-05-06T21:26:00.000Z', '2024-05-06T21:26:00.000Z');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $n)
INSERT INTO jobs (batch_id, content_key, prompt_id, model, prompt, vars, repeat_index,
                  output, runtime, created_at)
SELECT 1, randomblob(16), 'q' || (i / 3),
       CASE i % 3 WHEN 0 THEN 'gemma:2b' WHEN 1 THEN 'llama3:8b' ELSE 'mistral:7b' END,
       printf('Question %07d: what is the capital of country number %03d? Answer in one word, then explain.', i / 3, i % 197),
       json_object('lang', CASE (i / 3) % 3 WHEN 0 THEN 'fr' WHEN 1 THEN 'en' ELSE 'de' END,
                   'temperature', ((i / 3) % 10) / 10.0),
       0,
       printf('%07d. The capital is "Paris", of course.', i) || char(10) ||
         substr('France is a country in Western Europe, with a long history of art, science and ' ||
                'philosophy; its capital, Paris, sits on the Seine and has been the seat of ' ||
                'government for most of the last thousand years. The city is known for its ' ||
                'museums, its architecture, its cafes and its food, and draws tens of millions ' ||
                'of visitors every year. Its population is a little over two million, and the ' ||
                'wider region holds about twelve million people. The Louvre, the Eiffel Tower ' ||
                'and Notre-Dame are among the most visited places in the world.', 1, 200 + (i * 7) % 250),
       20 + (i * 13) % 100 + (i % 3) * 15, '2024-05-06T21:26:00.000Z'
FROM n;
-- The jobs' trigger made their job_state rows, pending: submitted over an
-- hour, finished 30 to 330 s later; 3 % failed, 5 % retried.
UPDATE job_state SET
  state = CASE WHEN job_id % 33 = 0 THEN 'failed' ELSE 'completed' END,
  attempts = CASE WHEN job_id % 20 = 0 THEN 2 + job_id % 3 ELSE 1 END,
  remote_id = lower(hex(randomblob(16))), remote_status = 'completed',
  last_error = CASE WHEN job_id % 33 = 0 THEN
    CASE job_id % 4 WHEN 0 THEN 'the service reported status ''failed'''
                    WHEN 1 THEN 'HTTP 400: service said: prompt too long'
                    ELSE 'timeout after 30 s' END END,
  submitted_at = strftime('%Y-%m-%dT%H:%M:%fZ', '2024-05-06 21:30:00', '+' || (job_id * 3600.0 / $n) || ' seconds'),
  finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', '2024-05-06 21:30:00',
                         '+' || (job_id * 3600.0 / $n + 30 + (job_id * 37) % 300) || ' seconds'),
  updated_at = '2024-05-06T22:40:00.000Z';
COMMIT;
PRAGMA journal_mode = WAL;
SQL
}

# Runs "$@" REPEAT times, stdout to /dev/null; prints the median wall
# seconds, the median CPU seconds (user + system) and the largest peak RSS in KB.
measure() {
  local walls=() cpus=() rss=0 wall user sys kb
  for _ in $(seq "$repeat"); do
    /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" ||
      { cat "$work/stderr.txt" >&2; exit 1; }
    read -r wall user sys kb < <(tail -1 "$work/time.txt")
    walls+=("$wall")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')")
    [ "$kb" -gt "$rss" ] && rss=$kb
  done
  local mid=$(( (repeat + 1) / 2 ))
  echo "$(printf '%s\n' "${walls[@]}" | sort -g | sed -n "${mid}p")" \
       "$(printf '%s\n' "${cpus[@]}" | sort -g | sed -n "${mid}p")" "$rss"
}

row() {  # NAME JOBS PAGE_FILE|- COMMAND...
  local name=$1 jobs=$2 page=$3
  shift 3
  read -r seconds cpu rss < <(measure "$@")
  local size="-"
  [ "$page" != "-" ] && size=$(awk -v z="$(stat -c %s "$page")" 'BEGIN { printf "%.1f", z / 1e6 }')
  awk -v name="$name" -v n="$jobs" -v s="$seconds" -v c="$cpu" -v m="$rss" -v z="$size" \
      'BEGIN { printf "| %s | %d | %.2f | %.2f | %.1f | %s |\n", name, n, s, c, m / 1024, z }'
}

echo "### median of $repeat runs; $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command | jobs | wall s | CPU s | peak RSS MB | page MB |"
echo "|---|---|---|---|---|---|"
for n in "$rows" $((rows / 10)); do
  db=$work/bench-$n.db
  echo "building a database of $n jobs in $work ..." >&2
  build_database "$db" "$n"
  cat "$db" >/dev/null  # warm the page cache
  row "sqlite3: one scan of jobs, every output's length" "$n" - \
    sqlite3 "$db" "SELECT count(*), sum(length(output)) FROM jobs"
  row "gridbatch status" "$n" - "$gridbatch" status --db "$db"
  row "gridbatch report (default --max-rows 2000)" "$n" "$work/report.html" \
    "$gridbatch" report --db "$db" -o "$work/report.html"
  row "gridbatch report --max-rows 20000" "$n" "$work/report.html" \
    "$gridbatch" report --db "$db" --max-rows 20000 -o "$work/report.html"
  rm -f "$db" "$db-wal" "$db-shm"
done
