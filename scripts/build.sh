#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configures and builds build/linux out of tree into build/<arch>.
#
# The .config is made by kunit.py from configs/<arch>.config (the kunitconfig
# of the project), so "kunit.py run" later finds the same configuration and
# reuses the same build: one kernel per arch serves KUnit and the scenarios.
#   scripts/build.sh x86_64|arm64 [make targets]
# KSRC and OUT choose another tree and build directory (scripts/bench.sh
# builds the base this way); FRAGMENTS, a list of files, replaces
# configs/<arch>.config (they are joined into <OUT>.kunitconfig: make
# bench's production configuration and its module support).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=$1
shift
out=${OUT:-$BUILD/$arch}
log=$LOGS/build-$(basename "$out").log
kunitconfig=$ROOT/configs/$arch.config
if [ -n "${FRAGMENTS:-}" ]; then
	kunitconfig=$out.kunitconfig
	mkdir -p "$(dirname "$out")"
	# shellcheck disable=SC2086
	cat $FRAGMENTS >"$kunitconfig"
fi
# shellcheck disable=SC2046
read -r -a margs <<<"$(kmake_args "$arch")"

# Options of configs/<arch>.config that the tree's Kconfig does not define:
# a prefix of the series may predate the patch that adds them, and the 6.12
# of make bench (not a git tree) lacks the series' own.
undefined_options() {
	local opt defined
	if [ ! -e "$KSRC/.git" ]; then
		defined=" $(grep -rhoE --include='Kconfig*' '^(menu)?config [A-Z0-9_]+' "$KSRC" |
			awk '{ print $2 }' | sort -u | tr '\n' ' ')"
		for opt in $(sed -nE 's/^CONFIG_([A-Z0-9_]+)=.*/\1/p' "$kunitconfig"); do
			[[ $defined == *" $opt "* ]] || echo "$opt"
		done
		return
	fi
	for opt in $(sed -nE 's/^CONFIG_([A-Z0-9_]+)=.*/\1/p' "$kunitconfig"); do
		git -C "$KSRC" grep -q -E "^(menu)?config $opt\$" -- '*Kconfig*' || echo "$opt"
	done
}

# LENIENT_CONFIG=1 (bisect.sh, for all but the last prefix) accepts a
# .config without the options this tree does not define; any other option
# kunit.py cannot set is still an error.
configure() {
	(cd "$KSRC" && python3 tools/testing/kunit/kunit.py config --arch="$arch" \
		$(kunit_cross "$arch") --build_dir="$out" \
		--kunitconfig="$kunitconfig") >"$log" 2>&1 && return 0
	[ "${LENIENT_CONFIG:-0}" = 1 ] || return 1
	local missing undefined opt
	missing=$(sed -nE 's/^Missing: (.*)/\1/p' "$log" | tr ',' ' ')
	[ -n "$missing" ] || return 1
	undefined=" $(undefined_options | tr '\n' ' ')"
	for opt in $missing; do
		opt=${opt#CONFIG_}
		opt=${opt%%=*}
		[[ $undefined == *" $opt "* ]] || return 1
	done
	echo "lenient: this tree does not define: $missing" >>"$log"
}

configure || { tail -30 "$log"; die "configuring $arch failed"; }
if ! make -C "$KSRC" "${margs[@]}" O="$out" -j"$JOBS" -s "$@" >>"$log" 2>&1; then
	grep -E 'error|Error' "$log" | head -20
	die "building $arch failed (log: ${log#$ROOT/})"
fi
