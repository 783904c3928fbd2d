#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/checkpatch.pl --strict on every patch of the series.  A patch passes
# with no ERROR and with every WARNING and CHECK listed, with its reason, in
# tests/checkpatch-allow.txt ("<patch file> <TYPE> <reason>", the file name
# without its number, which moves when patches are inserted).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

allow=$ROOT/tests/checkpatch-allow.txt
# checkpatch runs scripts/spdxcheck.py, which needs Debian's python3-ply and
# python3-git: make sure Debian's python3 is the one found.
export PATH=/usr/bin:$PATH
mapfile -t patches < <(series_patches)
[ ${#patches[@]} -gt 0 ] || { pass "checkpatch/series no patches"; exit 0; }
for p in "${patches[@]}"; do
	name=$(basename "$p")
	key=${name#[0-9][0-9][0-9][0-9]-}
	out=$(cd "$KSRC" && ./scripts/checkpatch.pl --strict --show-types "$p" || true)
	errors=0 unlisted=0 listed=0
	while read -r level type; do
		if [ "$level" = ERROR ]; then
			errors=$((errors + 1))
		elif grep -qE "^$key[[:space:]]+$type[[:space:]]+[^[:space:]]" "$allow" 2>/dev/null; then
			listed=$((listed + 1))
		else
			unlisted=$((unlisted + 1))
		fi
	done < <(sed -nE 's/^(ERROR|WARNING|CHECK):([A-Z0-9_]+):.*/\1 \2/p' <<<"$out")
	if [ $errors -eq 0 ] && [ $unlisted -eq 0 ]; then
		pass "checkpatch/$name allowed=$listed"
	else
		fail "checkpatch/$name errors=$errors unlisted-warnings=$unlisted"
		grep -E '^(ERROR|WARNING|CHECK):' <<<"$out" | sed 's/^/    /'
	fi
done
