#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# QEMU 10 from Debian 12's bookworm-backports, beside the system's QEMU 7.2,
# without touching the machine's apt configuration:
#  - the mirror is the one the system's apt sources already name for
#    bookworm (read here, at run time: no host name is kept anywhere);
#  - a private apt configuration under build/qemu10/apt (its own sources
#    list, lists, cache and status) fetches the packages with
#    `apt-get download`;
#  - `dpkg -x` unpacks them into build/qemu10/root, with the shared
#    libraries QEMU 10 needs at versions Debian 12 lacks.
# Prints the emulators' directory on stdout; a second run only checks it.
#   scripts/qemu10.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/backports.sh"

Q=$BUILD/qemu10
ROOTFS=$Q/root
BIN=$ROOTFS/usr/bin
WANT=10.0
PACKAGES=(qemu-system-x86 qemu-system-arm qemu-system-common qemu-system-data)

# The version qemu-system-x86_64 reports, through the unpacked libraries.
version() {
	LD_LIBRARY_PATH=$(libpath) "$BIN/qemu-system-x86_64" --version 2>/dev/null |
		sed -nE 's/^QEMU emulator version ([0-9.]+).*/\1/p'
}

libpath() {
	echo "$ROOTFS/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
}

if [ -f "$Q/done" ] && [[ $(version) == "$WANT".* ]]; then
	echo "$BIN"
	exit 0
fi

rm -rf "$Q"
mkdir -p "$Q/debs" "$ROOTFS"
backports_apt "$Q/apt" qemu10

log=$LOGS/qemu10.log
echo "qemu10: fetching QEMU $WANT from bookworm-backports (log: ${log#"$ROOT"/})" >&2
aptq -q update >"$log" 2>&1 || { tail -5 "$log" >&2; die "qemu10: apt-get update failed"; }

# The four packages at their backports version.
fetch() {
	(cd "$Q/debs" && aptq -q download "$@") >>"$log" 2>&1 ||
		{ tail -5 "$log" >&2; die "qemu10: apt-get download $* failed"; }
}
fetch "${PACKAGES[@]}"
for deb in "$Q/debs"/*.deb; do
	dpkg -x "$deb" "$ROOTFS"
done

# The libraries they depend on at a version this system lacks (not
# installed, or older than the Depends asks): backports' build of each.  On
# Debian 12 with QEMU 7.2 installed (scripts/deps.sh) there is none.  Not
# libraries (seabios, ipxe-qemu) are the system's: Debian 12's SeaBIOS is
# older than the package asks, and boots the scenarios' -kernel all the same.
unmet=()
while read -r pkg op ver; do
	case $pkg in lib*) ;; *) continue ;; esac
	have=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
	if [ -n "$have" ] && { [ -z "$op" ] || dpkg --compare-versions "$have" "$op" "$ver"; }; then
		continue
	fi
	aptq -q show "$pkg" >/dev/null 2>&1 ||
		die "qemu10: needs $pkg ${op:+($op $ver)}${have:+, installed: $have}; bookworm-backports has none (scripts/deps.sh installs QEMU 7.2's libraries)"
	unmet+=("$pkg")
done < <(for deb in "$Q/debs"/*.deb; do dpkg-deb -f "$deb" Depends; done |
	tr ',' '\n' | sed -E 's/\|.*//; s/[()]//g; s/^ +//' | sort -u)
if [ ${#unmet[@]} -gt 0 ]; then
	echo "qemu10: libraries from backports: ${unmet[*]}" >&2
	mkdir -p "$Q/debs/lib"
	(cd "$Q/debs/lib" && aptq -q download "${unmet[@]}") >>"$log" 2>&1 ||
		{ tail -5 "$log" >&2; die "qemu10: apt-get download ${unmet[*]} failed"; }
	for deb in "$Q/debs/lib"/*.deb; do
		dpkg -x "$deb" "$ROOTFS"
	done
fi
missing=$(for b in "$BIN"/qemu-system-x86_64 "$BIN"/qemu-system-aarch64; do
	LD_LIBRARY_PATH=$(libpath) ldd "$b"
done | awk '/not found/ { print $1 }' | sort -u)
[ -z "$missing" ] || die "qemu10: libraries not found: $missing"

got=$(version)
[[ $got == "$WANT".* ]] || die "qemu10: qemu-system-x86_64 --version says '$got', not $WANT.x"
ls "$Q/debs" >"$Q/done"
echo "qemu10: QEMU $got in ${BIN#"$ROOT"/}" >&2
echo "$BIN"
