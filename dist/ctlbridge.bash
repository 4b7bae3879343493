# bash completion for ctlbridge(1): subcommands, options, profile names
# and, for learn, controller names (the .ini files in the profiles/ and
# mappings/controllers/ of the search path, or of -c DIR), MIDI input
# kinds.  Installed by make install; needs nothing from the
# bash-completion package.

# the .ini names in SUBDIR of the search path (or -c DIR)
_ctlbridge_names()
{
	local dir f conf="" i sub=$1
	for ((i = 1; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == -c ]] && conf=${COMP_WORDS[i + 1]}
	done
	if [[ -n $conf ]]; then
		set -- "$conf"
	else
		set -- "${XDG_CONFIG_HOME:-$HOME/.config}/ctlbridge" "@DATADIR@"
	fi
	for dir; do
		for f in "$dir"/$sub/*.ini; do
			[[ -e $f ]] || continue
			f=${f##*/}
			printf '%s\n' "${f%.ini}"
		done
	done | sort -u
}

_ctlbridge_profiles()
{
	_ctlbridge_names profiles
}

_ctlbridge()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local sub="" i words
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		check | switch | status | reload | monitor | ports | learn | sheet | actions)
			sub=${COMP_WORDS[i]}
			break
			;;
		esac
	done
	COMPREPLY=()
	case $prev in
	-c)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return
		;;
	-p)
		mapfile -t COMPREPLY < <(compgen -W "$(_ctlbridge_profiles)" -- "$cur")
		return
		;;
	-m)
		compopt -o nospace 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -W "auto alsa: jack: raw:" -- "$cur")
		return
		;;
	-P | --port | --control | --surface | -n)
		return
		;;
	-o)
		if [[ $sub == sheet ]]; then
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		fi
		return
		;;
	esac
	case $sub in
	"")
		words="check switch status reload monitor ports learn sheet actions -c -p -m -o -P --port -L --listen -R --realtime --no-watch
		    -q -v -h --help --version"
		;;
	check)
		if [[ $cur != -* ]]; then
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -X '!*.ini' -- "$cur"; \
			    compgen -d -- "$cur")
			return
		fi
		words="-c -h --help"
		;;
	switch)
		words="--control --surface -h --help"
		[[ $cur != -* ]] && words=$(_ctlbridge_profiles)
		;;
	status | reload)
		words="--control -h --help"
		;;
	monitor)
		words="--control --raw -h --help surface= control= action="
		[[ $cur == -* ]] && words="--control --raw -h --help"
		compopt -o nospace 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		local k
		for k in "${!COMPREPLY[@]}"; do
			[[ ${COMPREPLY[k]} == *= ]] || COMPREPLY[k]+=" "
		done
		return
		;;
	ports)
		words="-c -h --help"
		;;
	actions)
		words="-c -h --help"
		[[ $cur != -* ]] && words=$(_ctlbridge_names mappings/daws)
		;;
	learn)
		# the controller first, then names (none to offer: new ones)
		words="-c -m -n -h --help"
		if [[ $cur != -* ]]; then
			local n=0
			for ((i = i + 1; i < COMP_CWORD; i++)); do
				case ${COMP_WORDS[i]} in
				-c | -m | -n) ((i++)) ;;
				-*) ;;
				*) ((n++)) ;;
				esac
			done
			((n == 0)) && words=$(_ctlbridge_names mappings/controllers)
			((n > 0)) && words=""
		fi
		;;
	sheet)
		words="-c -o -h --help"
		[[ $cur != -* ]] && words=$(_ctlbridge_profiles)
		;;
	esac
	mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
}
complete -F _ctlbridge ctlbridge
