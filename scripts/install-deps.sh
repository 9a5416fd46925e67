#!/usr/bin/env bash
# Installs the Debian packages that gridbatch needs to build, test and benchmark,
# skipping those already present. Works as root, or through sudo otherwise.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libsqlitecpp-dev libsqlite3-dev sqlite3
  libcurl4-openssl-dev curl
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev
  libsimdjson-dev   # src/api: the status reply's fast path
  libgtest-dev libcpp-httplib-dev
  libjs-chart.js   # Chart.js, embedded in the page of `gridbatch report` at build time
  python3
  help2man       # the build writes the man pages from --help
  dpkg-dev       # cpack's .deb: dpkg-shlibdeps finds the Depends
  man-db zsh     # ctest install.tree: man renders the pages, zsh parses its completion
  time   # bench/run.sh export: /usr/bin/time for peak RSS
  wrk parallel   # bench/run.sh run: the simulator's ceiling, and the curl peer
)
# The optional set, with --ci: the clang tools of scripts/tidy.sh and scripts/fuzz.sh,
# and the browser that tests/report/report_browser_test.cpp opens the report in.
if [ "${1:-}" = "--ci" ]; then
  packages+=(clang-14 libclang-rt-14-dev clang-tidy-14 clang-format-14 chromium)
fi
if [ "${GRIDBATCH_EXTRA_PACKAGES:-}" != "" ]; then
  read -r -a extra <<<"$GRIDBATCH_EXTRA_PACKAGES"
  packages+=("${extra[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo_cmd=()
elif command -v sudo >/dev/null 2>&1; then
  sudo_cmd=(sudo)
else
  echo "install-deps: missing packages (${missing[*]}) and neither root nor sudo" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
