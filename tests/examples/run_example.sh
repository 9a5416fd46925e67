#!/usr/bin/env bash
# Runs one example manifest end to end against the bundled simulator:
# run -> every job completed -> CSV export whose outputs belong to their own
# prompts (the simulator's log starts with "[model] prompt").
# Usage: run_example.sh GRIDBATCH GRIDBATCH_SIM MANIFEST WORKDIR
set -euo pipefail
gridbatch=$1 sim=$2 manifest=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
export GRIDREPUBLIC_TOKEN=example-token

coproc SIM { exec "$sim" --port 0 --token "$GRIDREPUBLIC_TOKEN" --queue-time 0.05 --run-time 0.2 \
  --duration 120; }
trap 'kill "$SIM_PID" 2>/dev/null || true' EXIT
read -r line <&"${SIM[0]}"
endpoint=${line#endpoint=}

"$gridbatch" run "$manifest" --db "$work/jobs.db" --endpoint "$endpoint" --rate 0 \
  --poll-interval 0.1 --progress none --strict
"$gridbatch" export --db "$work/jobs.db" --format csv -o "$work/results.csv"
python3 - "$work/results.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))
assert rows, "no rows exported"
for row in rows:
    assert row["state"] == "completed", row
    prompt = row["prompt"][1:] if row["prompt"][:1] == "'" else row["prompt"]
    expected = "[%s] %s" % (row["model"], prompt)
    assert row["output"].startswith(expected), (row["output"][:80], expected[:80])
print("%d jobs completed, each output its own prompt's" % len(rows))
PY
