package completion

import (
	"fmt"
	"strings"
)

// Command is the hidden command the scripts run: `PROG __complete --
// WORD...` prints the candidates for the last word, one a line, each
// "value" or "value<TAB>description".
const Command = "__complete"

// Shells are the shells Script writes for.
func Shells() []string { return []string{"bash", "zsh", "fish"} }

// Script is the completion script of shell for the program prog. Each
// asks the program itself (the one typed, so ./bin/tamp completes as
// ./bin/tamp does) for the candidates.
func Script(shell, prog string) (string, error) {
	var s string
	switch shell {
	case "bash":
		s = bashScript
	case "zsh":
		s = zshScript
	case "fish":
		s = fishScript
	default:
		return "", fmt.Errorf("no completion for the shell %q; there are %s", shell, strings.Join(Shells(), ", "))
	}
	return strings.NewReplacer("PROG", prog, "__COMPLETE", Command).Replace(s), nil
}

// The bash function splits the line up to the cursor at blanks (bash's
// own words are also split at = and :, which the program would read as
// words of their own), and takes off each candidate the part of the word
// bash does not replace (--config= of --config=fi).
const bashScript = `# bash completion for PROG. Load it in this shell with
#   source <(PROG completion bash)
# or for every shell with
#   PROG completion bash > ~/.local/share/bash-completion/completions/PROG
_PROG_complete() {
	local line=${COMP_LINE:0:COMP_POINT} cur=${COMP_WORDS[COMP_CWORD]}
	local -a words
	read -r -a words <<<"$line"
	if [[ -z $line || $line == *[[:space:]] ]]; then
		words+=("")
	fi
	local token=${words[${#words[@]}-1]}
	local strip=$((${#token} - ${#cur}))
	if ((strip < 0)); then
		strip=0
	fi
	COMPREPLY=()
	local c
	while IFS= read -r c; do
		[[ -n $c ]] && COMPREPLY+=("${c%%$'\t'*}")
	done < <("${words[0]}" __COMPLETE -- "${words[@]:1}" 2>/dev/null)
	local i
	for i in "${!COMPREPLY[@]}"; do
		COMPREPLY[i]=${COMPREPLY[i]:strip}
	done
	if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == */ ]] && type compopt &>/dev/null; then
		compopt -o nospace
	fi
}
complete -F _PROG_complete PROG
`

const zshScript = `#compdef PROG
# zsh completion for PROG. Load it in this shell (after compinit) with
#   source <(PROG completion zsh)
# or for every shell with a file named _PROG in a directory of $fpath:
#   PROG completion zsh > "${fpath[1]}/_PROG"
_PROG() {
	local -a lines values shown dirs
	local l v
	lines=("${(@f)$(${words[1]} __COMPLETE -- "${(@Q)words[2,CURRENT]}" 2>/dev/null)}")
	for l in "${lines[@]}"; do
		[[ -z $l ]] && continue
		v=${l%%$'\t'*}
		if [[ $v == */ ]]; then
			dirs+=("$v")
		elif [[ $l == *$'\t'* ]]; then
			values+=("$v")
			shown+=("$v  -- ${l#*$'\t'}")
		else
			values+=("$v")
			shown+=("$v")
		fi
	done
	(( ${#dirs} )) && compadd -Q -S '' -a dirs
	(( ${#values} )) && compadd -Q -l -d shown -a values
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
	_PROG "$@"
else
	compdef _PROG PROG
fi
`

const fishScript = `# fish completion for PROG. Load it in this shell with
#   PROG completion fish | source
# or for every shell with
#   PROG completion fish > ~/.config/fish/completions/PROG.fish
function __PROG_complete
	set -l tokens (commandline -opc) (commandline -ct)
	$tokens[1] __COMPLETE -- $tokens[2..-1] 2>/dev/null
end
complete -c PROG -f -a '(__PROG_complete)'
`
