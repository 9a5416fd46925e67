#!/usr/bin/env bash
# Builds gridbatch (warnings as errors) and runs the whole test suite.
# Usage: scripts/test.sh [BUILD_DIR]   (default: build)
# Installs missing Debian packages first (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}

scripts/install-deps.sh
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRIDBATCH_WERROR=ON ${GRIDBATCH_CMAKE_ARGS:-}
cmake --build "$build_dir" -j"$(nproc)"
cd "$build_dir"
ctest --output-on-failure -j"$(nproc)" --timeout 300
