#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configures and builds build/linux out of tree into build/<arch>.
#
# The .config is made by kunit.py from configs/<arch>.config (the kunitconfig
# of the project), so "kunit.py run" later finds the same configuration and
# reuses the same build: one kernel per arch serves KUnit and the scenarios.
#   scripts/build.sh x86_64|arm64 [make targets]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=$1
shift
out=$BUILD/$arch
log=$LOGS/build-$arch.log
# shellcheck disable=SC2046
read -r -a margs <<<"$(kmake_args "$arch")"

(cd "$KSRC" && python3 tools/testing/kunit/kunit.py config --arch="$arch" \
	$(kunit_cross "$arch") --build_dir="$out" \
	--kunitconfig="$ROOT/configs/$arch.config") >"$log" 2>&1 ||
	{ tail -30 "$log"; die "configuring $arch failed"; }
if ! make -C "$KSRC" "${margs[@]}" O="$out" -j"$JOBS" -s "$@" >>"$log" 2>&1; then
	grep -E 'error|Error' "$log" | head -20
	die "building $arch failed (log: ${log#$ROOT/})"
fi
