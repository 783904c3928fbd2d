#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boots every hardware scenario of tests/scenarios (or those whose name
# matches $1) on the kernel and initramfs of its arch.
#   scripts/scenarios.sh [name-pattern]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pattern=${1:-}
status=0
for scn in "$ROOT"/tests/scenarios/*.scn; do
	name=$(basename "$scn" .scn)
	[ -z "$pattern" ] || [[ $name == *$pattern* ]] || continue
	arch=$(sed -nE 's/^arch *= *(\S+).*/\1/p' "$scn")
	initrd=$BUILD/initramfs-$arch.cpio
	# "initramfs = qemu10": the initramfs that carries QEMU 10 as well.
	extra=$(sed -nE 's/^initramfs *= *(\S+).*/\1/p' "$scn")
	if [ -n "$extra" ]; then
		initrd=$BUILD/initramfs-$arch-$extra.cpio.gz
		[ "$initrd" -nt "$BUILD/tools/init-$arch" ] ||
			"$ROOT/scripts/initramfs.sh" "$arch" "$extra" || status=1
	fi
	python3 "$ROOT/scripts/scenario.py" "$scn" --kbuild "$BUILD/$arch" \
		--initrd "$initrd" --build "$BUILD" || status=1
done
exit $status
