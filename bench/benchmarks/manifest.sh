#!/usr/bin/env bash
# bench: gridbatch load --dry-run on large prompt files beside awk and python3
# Benchmarks manifest validation on large prompt files: `gridbatch load
# --dry-run` (reads the file once, checks every line, finds repeated ids,
# counts the jobs) side by side with the usual one-liners for the same checks
# on the same file:
#   lines file:  awk '!seen[$0]++'   (finds repeated prompts by holding them all)
#   JSONL file:  python3 json.loads per line, ids in a set
# Prints a markdown table: wall time, CPU time (user + system: steadier than
# wall time on a shared machine) and peak RSS, the median of REPEAT runs each.
#
# Usage: bench/run.sh manifest [BUILD_DIR]
#   BUILD_DIR  a configured build directory (default: build-bench, configured
#              here if missing); the script builds the target gridbatch in it,
#              as it prints.
# Environment: LINES (prompts per file, default 1000000), REPEAT (runs per
#   tool, default 3), WORKDIR (where the files go; default a new directory
#   under /tmp, removed at the end; about 200 MB free needed per million lines).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-bench}
lines=${LINES:-1000000}
repeat=${REPEAT:-3}

for tool in awk python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench_manifest: $tool missing (scripts/install-deps.sh)" >&2; exit 1; }
done

# shellcheck source=../lib/build_targets.sh
. "$root/bench/lib/build_targets.sh"
build_targets "$build" gridbatch
gridbatch=$build/bin/gridbatch

# shellcheck source=../lib/common.sh
. "$root/bench/lib/common.sh"
bench_work_dir manifest

# Distinct prompts of about 90 bytes; the JSONL lines add an id and two vars.
echo "bench_manifest: writing $lines-line files in $work" >&2
awk -v n="$lines" 'BEGIN {
  for (i = 1; i <= n; i++)
    printf "Question %07d: what is the capital of country number %03d? Answer in one word.\n", i, i % 197
}' >"$work/prompts.txt"
awk -v n="$lines" 'BEGIN {
  for (i = 1; i <= n; i++)
    printf "{\"id\": \"q%07d\", \"prompt\": \"Question %07d: what is the capital of country number %03d?\", \"vars\": {\"lang\": \"%s\", \"n\": %d}}\n",
      i, i, i % 197, (i % 2 ? "en" : "fr"), i % 10
}' >"$work/prompts.jsonl"
cat >"$work/lines.yaml" <<'EOF'
name: bench-lines
models: [gemma:2b, llama3:8b]
prompt_files:
  - path: prompts.txt
    template: "{prompt} Be brief."
EOF
cat >"$work/jsonl.yaml" <<'EOF'
name: bench-jsonl
models: [gemma:2b, llama3:8b]
prompt_files:
  - path: prompts.jsonl
    template: "{prompt} Answer in {lang}."
EOF
cat >"$work/json_ids.py" <<'EOF'
import json, sys
ids = set()
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip():
        record = json.loads(line)
        ids.add(record["id"])
print(len(ids))
EOF

# Runs "$@" REPEAT times; prints "wall cpu rss_mb" of the median (by CPU) run
# and leaves the command's last stdout in $work/out.
measure() {
  local runs=()
  for ((r = 0; r < repeat; r++)); do
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >"$work/out" 2>/dev/null
    runs+=("$(awk '{ printf "%.2f %.2f %.1f\n", $1, $2 + $3, $4 / 1024 }' "$work/time")")
  done
  printf '%s\n' "${runs[@]}" | sort -n -k2 | sed -n "$(((repeat + 1) / 2))p"
}

row() {  # input, tool, result, then the measured "wall cpu rss"
  read -r wall cpu rss <<<"$4"
  echo "| $1 | $2 | $wall s | $cpu s | $rss MB | $3 |"
}

size_txt=$(du -m "$work/prompts.txt" | cut -f1)
size_jsonl=$(du -m "$work/prompts.jsonl" | cut -f1)
echo "Lines per file: $lines (prompts.txt $size_txt MB, prompts.jsonl $size_jsonl MB); median of $repeat runs; $(nproc) cores."
echo
echo "| input | tool | wall | CPU | peak RSS | result |"
echo "|---|---|---|---|---|---|"
m=$(measure "$gridbatch" load --dry-run "$root/examples/capitals.yaml" --db "$work/unused.db")
row "examples/capitals.yaml (baseline)" "gridbatch load --dry-run" "$(cut -d' ' -f2 "$work/out") jobs" "$m"
m=$(measure "$gridbatch" load --dry-run "$work/lines.yaml" --db "$work/unused.db")
row "lines" "gridbatch load --dry-run" "$(cut -d' ' -f2 "$work/out") jobs" "$m"
m=$(measure awk '!seen[$0]++ { n++ } END { print n }' "$work/prompts.txt")
row "lines" "awk '!seen[\$0]++'" "$(cat "$work/out") distinct lines" "$m"
m=$(measure "$gridbatch" load --dry-run "$work/jsonl.yaml" --db "$work/unused.db")
row "jsonl" "gridbatch load --dry-run" "$(cut -d' ' -f2 "$work/out") jobs" "$m"
m=$(measure python3 "$work/json_ids.py" "$work/prompts.jsonl")
row "jsonl" "python3 json.loads + set of ids" "$(cat "$work/out") distinct ids" "$m"
