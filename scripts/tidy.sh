#!/usr/bin/env bash
# Runs clang-tidy-14 with the repository's .clang-tidy over every source file
# of src/ (not tests) and exits 1 if it reports anything.
#
# Usage: scripts/tidy.sh [BUILD_DIR]
#   BUILD_DIR (default build-tidy) is configured here for its
#   compile_commands.json; nothing is built.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build-tidy}

scripts/install-deps.sh --ci
cmake -S . -B "$build_dir" -DGRIDBATCH_BUILD_TESTS=OFF >/dev/null

# The translation units of src/, from the compile database.
mapfile -t files < <(python3 -c '
import json, os, sys
src = os.path.realpath("src") + os.sep
for entry in json.load(open(sys.argv[1])):
    path = os.path.realpath(os.path.join(entry["directory"], entry["file"]))
    if path.startswith(src):
        print(path)' "$build_dir/compile_commands.json" | sort -u)
echo "tidy: ${#files[@]} files" >&2

log=$build_dir/tidy.log
# One clang-tidy per file, nproc at a time; a header's warning repeats in
# every file that includes it, so the report is deduplicated.
# clang-tidy exits non-zero only when a file cannot be compiled.
status=0
printf '%s\0' "${files[@]}" |
  xargs -0 -n1 -P"$(nproc)" clang-tidy-14 -p "$build_dir" --quiet >"$log" 2>"$log.stderr" ||
  status=$?
warnings=$(grep -E '^/.*: (warning|error): ' "$log" | sort -u || true)
if [ -n "$warnings" ] || [ $status -ne 0 ]; then
  [ -n "$warnings" ] && echo "$warnings"
  echo "tidy: $(grep -c . <<<"$warnings") warnings, clang-tidy status $status" \
    "(details in $log and $log.stderr)" >&2
  exit 1
fi
echo "tidy: clean" >&2
