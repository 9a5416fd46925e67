#!/usr/bin/env bash
# The benchmarks' one entry point: runs bench/benchmarks/NAME.sh with ARGS.
#
# Usage: bench/run.sh NAME [ARGS...]   run one (sizes come from its environment)
#        bench/run.sh NAME --help      its header: what it measures, its arguments and sizes
#        bench/run.sh --help           the list of benchmarks
# Each benchmark says on its "# bench:" line what it measures; docs/BENCHMARKS.md
# has the commands behind each table and what they gave.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

list() {
  echo "Usage: bench/run.sh NAME [ARGS...]   (bench/run.sh NAME --help for one's usage)"
  echo
  echo "Benchmarks:"
  local script name
  for script in "$here"/benchmarks/*.sh; do
    name=$(basename "$script" .sh)
    printf '  %-12s %s\n' "$name" "$(sed -n 's/^# bench: //p' "$script" | head -n 1)"
  done
}

case ${1:-} in
  -h | --help | help)
    list
    exit 0
    ;;
  "")
    list >&2
    exit 64
    ;;
esac
name=$1
shift
script=$here/benchmarks/$name.sh
if [ ! -f "$script" ]; then
  echo "bench: no benchmark '$name'" >&2
  list >&2
  exit 64
fi
if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  # The header comment, from after the #! line to the first line of code.
  sed -n '2,/^[^#]/ { /^#/ s/^# \{0,1\}//p }' "$script"
  exit 0
fi
exec bash "$script" "$@"
