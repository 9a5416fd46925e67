# Sourced by the bench scripts. build_targets BUILD_DIR TARGET...: configures
# BUILD_DIR (RelWithDebInfo) if it has no CMakeCache.txt yet, then builds just
# the named targets, saying what it runs on stderr.
build_targets() {
  local build=$1 root
  shift
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  if [ ! -f "$build/CMakeCache.txt" ]; then
    echo "+ cmake -S $root -B $build -DCMAKE_BUILD_TYPE=RelWithDebInfo" >&2
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  echo "+ cmake --build $build -j2 --target $*" >&2
  cmake --build "$build" -j2 --target "$@" >/dev/null
}
