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
	python3 "$ROOT/scripts/scenario.py" "$scn" --kbuild "$BUILD/$arch" \
		--initrd "$BUILD/initramfs-$arch.cpio" --build "$BUILD" || status=1
done
exit $status
