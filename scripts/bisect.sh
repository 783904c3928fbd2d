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
# A prefix whose commit changes only files that the arch's build never
# reads builds what the prefix before it built, and is not built again
# ("same as 0041" in its line): documentation, and the other arch's IOMMU
# drivers and arch code (their Kconfig options depend on that arch; every
# Kconfig file is read on both, so a commit touching one is built).
# BISECT_FROM=<commit> builds only the prefixes after it (a developer's
# check of new patches on top of prefixes built before; make test and CI
# build them all).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=${1:-x86_64}

# True if the build of $arch reads none of the files commit $1 changes.
unread_by_arch() {
	local f
	while read -r f; do
		case $f in
		*Kconfig*) return 1 ;;
		Documentation/* | MAINTAINERS) ;;
		drivers/iommu/intel/* | drivers/iommu/amd/* | arch/x86/*)
			[ "$arch" = arm64 ] || return 1 ;;
		drivers/iommu/arm/* | arch/arm64/*)
			[ "$arch" = x86_64 ] || return 1 ;;
		*) return 1 ;;
		esac
	done < <(git -C "$KSRC" diff-tree --no-commit-id --name-only -r "$1")
}

orig=$(git -C "$KSRC" symbolic-ref -q --short HEAD || git -C "$KSRC" rev-parse HEAD)
trap 'git -C "$KSRC" checkout -q "$orig"' EXIT
mapfile -t commits < <(git -C "$KSRC" rev-list --reverse "${BISECT_FROM:-base}"..HEAD)
[ ${#commits[@]} -gt 0 ] || commits=(HEAD)
n=0
for c in "${commits[@]}"; do
	n=$((n + 1))
	subject=$(git -C "$KSRC" log -1 --format=%s "$c")
	if [ $n -gt 1 ] && [ $n -lt ${#commits[@]} ] && unread_by_arch "$c"; then
		pass "bisect/$arch/$(printf %04d $n) same as $(printf %04d "$built"), not built: $subject"
		continue
	fi
	git -C "$KSRC" checkout -q "$c"
	start=$SECONDS
	lenient=1
	target=vmlinux
	[ $n -eq ${#commits[@]} ] && lenient=0 target=
	# shellcheck disable=SC2086
	if LENIENT_CONFIG=$lenient "$ROOT/scripts/build.sh" "$arch" $target >/dev/null 2>&1; then
		pass "bisect/$arch/$(printf %04d $n) builds in $((SECONDS - start))s: $subject"
		built=$n
	else
		fail "bisect/$arch/$(printf %04d $n) does not build: $subject (log: build/logs/build-$arch.log)"
		exit 1
	fi
done
