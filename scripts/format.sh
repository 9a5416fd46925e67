#!/usr/bin/env bash
# Formats the C++ of src/, tests/ and include/ with clang-format-14 and the
# repository's .clang-format; with --check, changes nothing and exits 1 if any
# file is not formatted (what CI runs: scripts/test.sh --ci), listing where.
# Usage: scripts/format.sh [--check]
set -euo pipefail
cd "$(dirname "$0")/.."
format=${CLANG_FORMAT:-clang-format-14}
command -v "$format" >/dev/null ||
  { echo "format: $format is missing (scripts/install-deps.sh --ci installs it)" >&2; exit 1; }
mapfile -t files < <(find src tests include -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) | sort)
if [ "${1:-}" = "--check" ]; then
  "$format" --dry-run -Werror "${files[@]}" ||
    { echo "format: not formatted as .clang-format says; scripts/format.sh fixes it" >&2; exit 1; }
  echo "format: ${#files[@]} files formatted" >&2
else
  "$format" -i "${files[@]}"
fi
