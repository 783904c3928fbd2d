#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds every prefix of the series for one arch (x86_64 or arm64), oldest
# first, in that arch's build directory (incremental, ccache), and leaves
# build/linux where it was.  The last prefix is the whole series, so its
# build is the kernel of that arch that the later stages use.  Earlier prefixes may lack Kconfig options that later
# patches add (build.sh's LENIENT_CONFIG); the last must have them all.
# The earlier prefixes build vmlinux, linked: the configuration has no
# modules, and the boot image that "all" adds is vmlinux compressed, which
# the series cannot break (2-3 s a prefix on each arch that it saves).
# BISECT_FROM=<commit> builds only the prefixes after it (a developer's
# check of new patches on top of prefixes built before; make test and CI
# build them all).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=${1:-x86_64}
orig=$(git -C "$KSRC" symbolic-ref -q --short HEAD || git -C "$KSRC" rev-parse HEAD)
trap 'git -C "$KSRC" checkout -q "$orig"' EXIT
mapfile -t commits < <(git -C "$KSRC" rev-list --reverse "${BISECT_FROM:-base}"..HEAD)
[ ${#commits[@]} -gt 0 ] || commits=(HEAD)
n=0
for c in "${commits[@]}"; do
	n=$((n + 1))
	subject=$(git -C "$KSRC" log -1 --format=%s "$c")
	git -C "$KSRC" checkout -q "$c"
	start=$SECONDS
	lenient=1
	target=vmlinux
	[ $n -eq ${#commits[@]} ] && lenient=0 target=
	# shellcheck disable=SC2086
	if LENIENT_CONFIG=$lenient "$ROOT/scripts/build.sh" "$arch" $target >/dev/null 2>&1; then
		pass "bisect/$arch/$(printf %04d $n) builds in $((SECONDS - start))s: $subject"
	else
		fail "bisect/$arch/$(printf %04d $n) does not build: $subject (log: build/logs/build-$arch.log)"
		exit 1
	fi
done
