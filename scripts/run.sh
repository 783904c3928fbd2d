#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make run: build the series kernel and boot it on one emulated IOMMU,
# printing what a person reads.  IOMMU=intel (default), amd, virtio or
# smmuv3 (arm64 virt).  Exit 0 iff every check passed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

case ${IOMMU:-intel} in
intel) scn=x86-vtd ;;
amd) scn=x86-amd ;;
virtio) scn=x86-virtio ;;
smmuv3) scn=arm64-smmuv3 ;;
*) die "IOMMU=${IOMMU} unknown: intel, amd, virtio or smmuv3" ;;
esac
arch=$(sed -nE 's/^arch *= *(\S+).*/\1/p' "$ROOT/tests/scenarios/$scn.scn")
S=$ROOT/scripts
"$S/deps.sh"
"$S/tree.sh"
echo "building $arch (log: build/logs/build-$arch.log)"
"$S/build.sh" "$arch"
"$S/initramfs.sh" "$arch"
exec python3 "$S/scenario.py" "$ROOT/tests/scenarios/$scn.scn" --report \
	--kbuild "$BUILD/$arch" --initrd "$BUILD/initramfs-$arch.cpio" --build "$BUILD"
