#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test: every stage in order, each with its duration, ending in one line
# "N passed, M failed".  Exit 0 iff nothing failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

S=$ROOT/scripts
out=$LOGS/test.out
: >"$out"

# stage NAME COMMAND...: runs COMMAND, keeps its PASS/FAIL lines, and turns
# a failure that printed no FAIL line into one.
stage() {
	local name=$1 start=$SECONDS rc before
	shift
	echo "=== $name"
	before=$(grep -c '^FAIL ' "$out")
	"$@" 2>&1 | tee -a "$out"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ] && [ "$(grep -c '^FAIL ' "$out")" -eq "$before" ]; then
		fail "$name exit status $rc" | tee -a "$out"
	fi
	echo "=== $name: $((SECONDS - start))s"
	return "$rc"
}

roundtrip() {
	local tmp
	tmp=$(mktemp -d)
	"$S/export.sh" "$tmp" >/dev/null &&
		if diff -r "$PATCHES" "$tmp" >"$LOGS/roundtrip.diff"; then
			pass "export/roundtrip make tree && make export leaves patches/ identical"
		else
			fail "export/roundtrip patches/ differs (see build/logs/roundtrip.diff)"
		fi
	rm -rf "$tmp"
}

applies() {
	FORCE=1 "$S/tree.sh" &&
		pass "apply/series git am of $(series_patches | wc -l) patches onto base"
}

total_start=$SECONDS
stage deps "$S/deps.sh" || exit 1
stage tree applies || { echo "0 passed, 1 failed"; exit 1; }
stage harness env KSRC="$KSRC" python3 "$ROOT/tests/harness/run.py"
stage export roundtrip
stage checkpatch "$S/checkpatch.sh"
x86=ok arm=ok
stage bisect-x86_64 "$S/bisect.sh" x86_64 || x86=
stage bisect-arm64 "$S/bisect.sh" arm64 || arm=
stage compile-test-x86_64 "$S/compile-test.sh" x86_64
stage compile-test-arm64 "$S/compile-test.sh" arm64
stage kernel-doc "$S/static-checks.sh" kernel-doc
stage htmldocs "$S/static-checks.sh" htmldocs
stage w1-x86_64 "$S/static-checks.sh" w1 x86_64
stage sparse-x86_64 "$S/static-checks.sh" sparse x86_64
stage w1-arm64 "$S/static-checks.sh" w1 arm64
stage sparse-arm64 "$S/static-checks.sh" sparse arm64
stage initramfs bash -c "'$S/initramfs.sh' x86_64 && '$S/initramfs.sh' arm64"
if [ -n "$x86" ]; then stage kunit-x86_64 "$S/kunit.sh" x86_64; fi
if [ -n "$arm" ]; then stage kunit-arm64 "$S/kunit.sh" arm64; fi
if [ -n "$x86" ]; then stage scenarios-x86_64 "$S/scenarios.sh" x86-; fi
if [ -n "$arm" ]; then stage scenarios-arm64 "$S/scenarios.sh" arm64-; fi

passed=$(grep -c '^PASS ' "$out")
failed=$(grep -c '^FAIL ' "$out")
[ -n "$x86" ] || { failed=$((failed + 1)); echo "FAIL x86_64 stages not run: no kernel"; }
[ -n "$arm" ] || { failed=$((failed + 1)); echo "FAIL arm64 stages not run: no kernel"; }
echo "=== total: $((SECONDS - total_start))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
