#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds build/initramfs-<arch>.cpio: the static guest init of tools/guest
# and a /dev/console node, packed by the kernel's own gen_init_cpio.
#   scripts/initramfs.sh x86_64|arm64 [qemu10]
# With "qemu10" (x86_64 only) it builds build/initramfs-x86_64-qemu10.cpio.gz
# instead, which also carries QEMU 10's qemu-system-x86_64 (scripts/qemu10.sh
# unpacks it), its ldd closure, the firmware a q35 machine loads, and strace
# with its own closure: the guest step vmm=eduN runs that QEMU inside the
# guest (tools/guest/vmm.c).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=$1
extra=${2:-}
gen=$BUILD/tools/gen_init_cpio
mkdir -p "$BUILD/tools"
[ "$gen" -nt "$KSRC/usr/gen_init_cpio.c" ] ||
	cc -O2 -o "$gen" "$KSRC/usr/gen_init_cpio.c"
make -s -C "$ROOT/tools/guest" ARCH="$arch" KSRC="$KSRC" OUT="$BUILD/tools"
list=$BUILD/tools/initramfs-$arch${extra:+-$extra}.list
cat >"$list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /sys 0755 0 0
dir /tmp 1777 0 0
file /init $BUILD/tools/init-$arch 0755 0 0
LIST

if [ -z "$extra" ]; then
	"$gen" "$list" >"$BUILD/initramfs-$arch.cpio"
	exit 0
fi
if [ "$extra" != qemu10 ] || [ "$arch" != x86_64 ]; then
	die "initramfs: '$extra' is for x86_64 only, and the only option is qemu10"
fi

bin=$("$ROOT/scripts/qemu10.sh")
qroot=$(dirname "$bin")
qlibs=$qroot/lib/x86_64-linux-gnu

# The shared objects a program loads, through QEMU 10's own libraries first:
# every one goes into /lib/x86_64-linux-gnu, the loader at its own path.
closure() {
	LD_LIBRARY_PATH=$qlibs ldd "$1" | awk '
		/=> \// { print $3; next }
		/^[ \t]*\// { print $1 }'
}
emit_file() {	# guest path, host file
	echo "file $1 $(readlink -f "$2") 0755 0 0"
}
{
	for d in /lib /lib/x86_64-linux-gnu /lib64 /usr /usr/bin /usr/share \
		 /usr/share/qemu; do
		echo "dir $d 0755 0 0"
	done
	emit_file /usr/bin/qemu-system-x86_64 "$bin/qemu-system-x86_64"
	if command -v strace >/dev/null; then
		emit_file /usr/bin/strace "$(command -v strace)"
	fi
	for so in $( { closure "$bin/qemu-system-x86_64"
		       ! command -v strace >/dev/null ||
			closure "$(command -v strace)"; } | sort -u); do
		case $so in
		/lib64/*) emit_file "$so" "$so" ;;
		*) emit_file "/lib/x86_64-linux-gnu/$(basename "$so")" "$so" ;;
		esac
	done
	# SeaBIOS is the system's (scripts/qemu10.sh), the option ROMs QEMU's.
	emit_file /usr/share/qemu/bios-256k.bin /usr/share/seabios/bios-256k.bin
	for rom in kvmvapic.bin linuxboot_dma.bin; do
		emit_file /usr/share/qemu/$rom "$qroot/share/qemu/$rom"
	done
} >>"$list"
"$gen" "$list" | gzip -6 >"$BUILD/initramfs-$arch-$extra.cpio.gz"
echo "initramfs: $(du -h "$BUILD/initramfs-$arch-$extra.cpio.gz" | cut -f1) $BUILD/initramfs-$arch-$extra.cpio.gz" >&2
