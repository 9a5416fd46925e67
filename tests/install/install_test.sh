#!/usr/bin/env bash
# Installs BUILD_DIR into PREFIX (emptied first) with `cmake --install` and
# checks what a user gets: both programs in bin/ saying VERSION, a man page
# for gridbatch, for each of its commands and for gridbatch-sim that man
# renders without a warning, the bash completion (sourced in a clean bash, it
# completes the commands, options and a value's choices) and the zsh one
# (zsh's completion system, Tab pressed in a zsh on a pty, completes the
# commands, options, choices and files), and the documentation.
# The commands are taken from `gridbatch --help`, not from the generator.
# Usage: install_test.sh BUILD_DIR PREFIX VERSION
set -euo pipefail
build=$1 prefix=$2 version=$3
failures=0
fail() {
  echo "install_test: $*" >&2
  failures=$((failures + 1))
}

rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null

for program in gridbatch gridbatch-sim; do
  [ -x "$prefix/bin/$program" ] || fail "no executable $prefix/bin/$program"
  shown=$("$prefix/bin/$program" --version) || fail "$program --version exited $?"
  [ "$shown" = "$program $version" ] || fail "$program --version printed '$shown', not '$program $version'"
done

mapfile -t commands < <("$prefix/bin/gridbatch" --help |
  awk '/^Subcommands:/ { listed = 1; next } listed && /^  [a-z]/ { print $1 } /^[^ ]/ { listed = 0 }')
[ ${#commands[@]} -ge 6 ] || fail "gridbatch --help lists ${#commands[@]} commands: ${commands[*]}"

# A page renders with its NAME section naming the page; any groff warning fails.
render() {  # render FILE: the page as text on stdout
  if command -v man >/dev/null; then
    MANWIDTH=80 man --warnings -l "$1"
  else
    groff -man -Tutf8 -ww "$1"
  fi
}
command -v man >/dev/null || command -v groff >/dev/null || fail "neither man nor groff to render pages"
man1=$prefix/share/man/man1
pages=(gridbatch gridbatch-sim)
for command in "${commands[@]}"; do pages+=("gridbatch-$command"); done
for page in "${pages[@]}"; do
  file=$man1/$page.1
  [ -f "$file" ] || { fail "no man page $file"; continue; }
  text=$(render "$file" 2>"$build/install_test.warnings") || fail "man -l $file exited $?"
  [ -s "$build/install_test.warnings" ] && fail "man -l $file warned: $(cat "$build/install_test.warnings")"
  grep -q "^NAME" <<<"$text" || fail "$file has no NAME section"
  grep -qE "^ +$page +- +[a-z]" <<<"$text" || fail "$file's NAME is not '$page - ...'"
  grep -q "^OPTIONS" <<<"$text" || fail "$file has no OPTIONS section"
done
extra=$(find "$man1" -name '*.1' | wc -l)
[ "$extra" -eq ${#pages[@]} ] || fail "$man1 holds $extra pages, expected ${#pages[@]}"

# complete WORDS...: what the bash completion offers for the last word.
bash_completion=$prefix/share/bash-completion/completions/gridbatch
complete_bash() {
  bash --norc --noprofile -c '
    set -u
    source "$0"
    complete -p gridbatch >/dev/null || exit 3
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _gridbatch
    printf "%s\n" "${COMPREPLY[@]}" | sort' "$bash_completion" "$@"
}
expect_bash() {  # expect_bash "EXPECTED LINES" WORDS...
  local expected=$1 got
  shift
  got=$(complete_bash "$@") || fail "completing '$*' failed"
  [ "$got" = "$expected" ] || fail "completing '$*' offered '${got//$'\n'/ }', not '${expected//$'\n'/ }'"
}
[ -f "$bash_completion" ] || fail "no bash completion $bash_completion"
expect_bash "$(printf '%s\n' "${commands[@]}" | sort)" gridbatch ""
expect_bash "load" gridbatch lo
expect_bash "$(printf '%s\n' --db --dry-run)" gridbatch load --d
expect_bash "$(printf '%s\n' fail resubmit)" gridbatch run --on-missing ""
expect_bash "fail" gridbatch run --on-missing = f
expect_bash "" gridbatch run --rate ""
examples=$(cd "$(dirname "$0")/../../examples" && pwd)
expect_bash "$examples/sweep.yaml" gridbatch load "$examples/swe"
for command in "${commands[@]}"; do
  expect_bash "--help" gridbatch "$command" --hel
done

zsh_completion=$prefix/share/zsh/vendor-completions/_gridbatch
if [ ! -f "$zsh_completion" ]; then
  fail "no zsh completion $zsh_completion"
elif ! command -v zsh >/dev/null; then
  fail "zsh is not installed (scripts/install-deps.sh installs it)"
else
  head -n 1 "$zsh_completion" | grep -qx '#compdef gridbatch' || fail "$zsh_completion lacks '#compdef gridbatch'"
  zsh -n "$zsh_completion" || fail "zsh cannot parse $zsh_completion"
  # What zsh's completion system offers, Tab pressed in a zsh on a pty.
  zsh_dir=$build/install_test.zsh
  rm -rf "$zsh_dir"
  mkdir -p "$zsh_dir"
  cp "$zsh_completion" "$zsh_dir/"
  expect_zsh() {  # expect_zsh "EXPECTED LINES" COMMAND_LINE
    local got
    got=$(cd "$examples" && timeout 30 zsh -f "$(dirname "$0")/zsh_complete.zsh" "$zsh_dir" "$2" | sort) ||
      fail "zsh completing '$2' failed"
    [ "$got" = "$1" ] || fail "zsh completing '$2' offered '${got//$'\n'/ }', not '${1//$'\n'/ }'"
  }
  expect_zsh "$(printf '%s\n' "${commands[@]}" | sort)" "gridbatch "
  expect_zsh "$(printf '%s\n' --db --dry-run)" "gridbatch load --d"
  expect_zsh "$(printf '%s\n' fail resubmit)" "gridbatch run --on-missing "
  expect_zsh "sweep.yaml" "gridbatch load swe"
fi

doc=$prefix/share/doc/gridbatch
for file in README.md ARCHITECTURE.md docs/MANIFEST.md docs/EXPORT.md docs/SIMULATOR.md \
            examples/sweep.yaml schemas/manifest.schema.json schemas/export.schema.json; do
  [ -f "$doc/$file" ] || fail "no $doc/$file"
done

[ "$failures" -eq 0 ] || { echo "install_test: $failures failures" >&2; exit 1; }
echo "install_test: ${#pages[@]} man pages, completions for ${#commands[@]} commands, docs: all present"
