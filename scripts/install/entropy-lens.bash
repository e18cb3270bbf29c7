# bash completion for entropy-lens: commands from `entropy-lens --help`, each
# command's options from `entropy-lens CMD --help` (so it follows the program).
_entropy_lens() {
    local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$("$1" --help 2>/dev/null | awk '/^  [a-z]+ /{print $1}') --help --version" -- "$cur"))
    elif [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$("$1" "$cmd" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -o filenames -F _entropy_lens entropy-lens
