#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: dma_map_benchmark on VT-d, AMD-Vi, virtio-iommu and SMMUv3,
# the base kernel against the series kernel, in alternating boots; then the
# series' fault delivery on the mock IOMMU (scripts/fault_bench.py).
#   BOOTS=N (default 5) boots per kernel; ONLY=pattern picks scenarios;
#   ICOUNT=1 counts guest time in instructions (QEMU -icount, one vCPU).
# The base is built from a worktree of build/linux at "base", into
# build/base-<arch>, with the same configuration as the series.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

S=$ROOT/scripts
base_src=$BUILD/base-linux
"$S/deps.sh"
"$S/tree.sh"
if [ ! -d "$base_src" ]; then
	git -C "$KSRC" worktree prune
	git -C "$KSRC" worktree add -q --detach "$base_src" base
fi
for arch in x86_64 arm64; do
	echo "building series and base for $arch"
	"$S/build.sh" "$arch"
	KSRC=$base_src OUT=$BUILD/base-$arch LENIENT_CONFIG=1 "$S/build.sh" "$arch"
	"$S/initramfs.sh" "$arch"
done
rc=0
icount=()
[ "${ICOUNT:-0}" = 1 ] && icount=(--icount)
python3 "$S/bench.py" --boots "${BOOTS:-5}" --only "${ONLY:-}" "${icount[@]}" \
	--table "$LOGS/bench-table.md" || rc=$?
# Fault delivery on the mock IOMMU: the series' own path, no base to compare.
python3 "$S/fault_bench.py" --runs "${BOOTS:-5}" --table "$LOGS/bench-table.md" ||
	rc=1
exit "$rc"
