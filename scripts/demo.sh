#!/usr/bin/env bash
# The demo: builds gridbatch, starts the bundled simulator of the service on
# a free loopback port, runs the sweep in examples/sweep.yaml against it, and
# exports the results to out/results.csv (and out/results.jsonl).
# Usage: scripts/demo.sh [MANIFEST]
# Installs missing Debian packages first (scripts/install-deps.sh).
# GRIDBATCH_BIN_DIR=DIR uses the gridbatch and gridbatch-sim in DIR (such as
# /usr/bin once the .deb is installed) and builds nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
manifest=${1:-examples/sweep.yaml}
build_dir=build

scripts/install-deps.sh
if [ -n "${GRIDBATCH_BIN_DIR:-}" ]; then
  bin_dir=$GRIDBATCH_BIN_DIR
else
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build_dir" -j"$(nproc)" --target gridbatch gridbatch-sim
  bin_dir=$build_dir/bin
fi
for program in gridbatch gridbatch-sim; do
  [ -x "$bin_dir/$program" ] || { echo "demo: no $bin_dir/$program" >&2; exit 66; }
done
echo "demo: using $bin_dir/gridbatch and $bin_dir/gridbatch-sim" >&2

mkdir -p out
rm -f out/demo.db out/demo.db-wal out/demo.db-shm
export GRIDREPUBLIC_TOKEN=demo-token

# The simulator prints "endpoint=URL" on its first line once it listens.
coproc SIM { exec "$bin_dir/gridbatch-sim" --port 0 --token "$GRIDREPUBLIC_TOKEN" \
  --queue-time 0.5 --run-time 2 --duration 600; }
trap 'kill "$SIM_PID" 2>/dev/null || true' EXIT
read -r line <&"${SIM[0]}"
endpoint=${line#endpoint=}
echo "demo: simulator listening at $endpoint" >&2

"$bin_dir/gridbatch" run "$manifest" --db out/demo.db --endpoint "$endpoint" \
  --rate 50/s --poll-interval 0.5s
"$bin_dir/gridbatch" status --db out/demo.db
"$bin_dir/gridbatch" export --db out/demo.db --format csv -o out/results.csv
"$bin_dir/gridbatch" export --db out/demo.db --format jsonl -o out/results.jsonl
echo "demo: first rows of out/results.csv:" >&2
head -n 4 out/results.csv
