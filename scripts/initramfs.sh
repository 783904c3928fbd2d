#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds build/initramfs-<arch>.cpio: the static guest init of tools/guest
# and a /dev/console node, packed by the kernel's own gen_init_cpio.
#   scripts/initramfs.sh x86_64|arm64
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=$1
gen=$BUILD/tools/gen_init_cpio
mkdir -p "$BUILD/tools"
[ "$gen" -nt "$KSRC/usr/gen_init_cpio.c" ] ||
	cc -O2 -o "$gen" "$KSRC/usr/gen_init_cpio.c"
make -s -C "$ROOT/tools/guest" ARCH="$arch" KSRC="$KSRC" OUT="$BUILD/tools"
cat >"$BUILD/tools/initramfs-$arch.list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /sys 0755 0 0
file /init $BUILD/tools/init-$arch 0755 0 0
LIST
"$gen" "$BUILD/tools/initramfs-$arch.list" >"$BUILD/initramfs-$arch.cpio"
