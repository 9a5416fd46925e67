# zsh -f zsh_complete.zsh FPATH_DIR COMMAND_LINE: prints, one a line, what
# zsh's own completion system (compinit, with FPATH_DIR first on fpath)
# offers when Tab is pressed after COMMAND_LINE in an interactive zsh run on
# a pseudo-terminal (zpty). compadd is wrapped to print each candidate it is
# given. Run it under `timeout`.
zmodload zsh/zpty
dir=$1
line_typed=$2
zpty shell zsh -f -i
zpty -w shell "PROMPT='' RPROMPT=''; fpath=($dir \$fpath); autoload -Uz compinit; compinit -u -d $dir/.zcompdump"
zpty -w shell "bindkey '^I' complete-word"
zpty -w shell "zstyle ':completion:*' list-grouped false"
zpty -w shell "zstyle ':completion:*' insert-tab false"
zpty -w shell 'compadd () {
  if [[ ${@[1,-1]} =~ "(^| )-(O|A|D) " ]]; then builtin compadd "$@"; return $?; fi
  typeset -a __hits
  builtin compadd -A __hits "$@"
  local ret=$?
  (( $#__hits )) && print -l -- "<hit>"${^__hits}
  return $ret
}'
# Once for the command echoed, once for its output.
zpty -w shell "print '<ready>'"
zpty -r shell line '*<ready>*'
zpty -r shell line '*<ready>*'
zpty -w shell "$line_typed"$'\t'
zpty -w shell $'\C-u'"print '<done>'"
while zpty -r shell line; do
  [[ $line == *'<done>'* && $line != *print* ]] && break
  [[ $line == *'<hit>'* ]] && print -r -- "${${line#*<hit>}%%$'\r'*}"
done
zpty -d shell
rm -f $dir/.zcompdump
