#!/usr/bin/env bash
# Renders docs/report.png, the screenshot in the README: runs the demo's
# sweep (examples/sweep.yaml) against the bundled simulator with the demo's
# settings (scripts/demo.sh), writes the HTML report of it to
# out/report.html, and has headless Chromium take a 1280 px wide picture.
# Usage: scripts/report_screenshot.sh [OUTPUT_PNG]   (default docs/report.png)
# Installs missing Debian packages first (scripts/install-deps.sh, plus chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
png=${1:-docs/report.png}
build_dir=${BUILD_DIR:-build}
height=${SCREENSHOT_HEIGHT:-2400}

GRIDBATCH_EXTRA_PACKAGES=chromium scripts/install-deps.sh
[ -f "$build_dir/CMakeCache.txt" ] || cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j2 --target gridbatch gridbatch-sim

mkdir -p out
db=out/report-demo.db
rm -f "$db" "$db-wal" "$db-shm"
export GRIDREPUBLIC_TOKEN=demo-token
profile=$(mktemp -d /tmp/gridbatch-chromium.XXXXXX)

# The simulator prints "endpoint=URL" on its first line once it listens.
coproc SIM { exec "$build_dir/bin/gridbatch-sim" --port 0 --token "$GRIDREPUBLIC_TOKEN" \
  --queue-time 0.5 --run-time 2 --duration 600; }
trap 'kill "$SIM_PID" 2>/dev/null || true; rm -rf "$profile"' EXIT
read -r line <&"${SIM[0]}"
endpoint=${line#endpoint=}

"$build_dir/bin/gridbatch" run examples/sweep.yaml --db "$db" --endpoint "$endpoint" \
  --rate 50/s --poll-interval 0.5s --progress none
"$build_dir/bin/gridbatch" report --db "$db" -o out/report.html

# The network stays off: the page needs nothing from it.
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size=1280,"$height" \
  --virtual-time-budget=5000 --screenshot="$png" "file://$PWD/out/report.html" 2>/dev/null
echo "report_screenshot: wrote $png from out/report.html" >&2
