#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Debian's Linux 6.12 source (linux-source-6.12, bookworm-backports), the
# third kernel of make bench: fetched through a private apt configuration
# (scripts/backports.sh: the system's bookworm URI, the machine's apt
# sources untouched) with `apt-get download`, unpacked with `dpkg -x` and
# untarred into build/linux-6.12/src, out of git.  It is built and
# measured only: the project never reads or copies its code.
# Prints the source directory on stdout; a second run only checks it.
#   scripts/linux612.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/backports.sh"

D=$BUILD/linux-6.12
SRC=$D/src
PACKAGE=linux-source-6.12

if [ -f "$D/done" ] && [ -f "$SRC/Makefile" ]; then
	echo "$SRC"
	exit 0
fi
rm -rf "$D"
mkdir -p "$D/debs" "$D/root" "$SRC"
backports_apt "$D/apt" linux612
log=$LOGS/linux612.log
echo "linux612: fetching $PACKAGE from bookworm-backports (log: ${log#"$ROOT"/})" >&2
aptq -q update >"$log" 2>&1 || { tail -5 "$log" >&2; die "linux612: apt-get update failed"; }
(cd "$D/debs" && aptq -q download "$PACKAGE") >>"$log" 2>&1 ||
	{ tail -5 "$log" >&2; die "linux612: apt-get download $PACKAGE failed"; }
deb=$(ls "$D/debs"/"$PACKAGE"_*.deb)
dpkg -x "$deb" "$D/root"
tarball=$(ls "$D/root/usr/src/$PACKAGE".tar.*)
tar -xf "$tarball" -C "$SRC" --strip-components=1
rm -rf "$D/root"
[ -f "$SRC/Makefile" ] || die "linux612: no Makefile in $tarball"
version=$(make -s -C "$SRC" kernelversion)
case $version in 6.12.*) ;; *) die "linux612: $PACKAGE unpacks Linux '$version', not 6.12.x" ;; esac
basename "$deb" >"$D/done"
echo "linux612: Linux $version from $(basename "$deb") in ${SRC#"$ROOT"/}" >&2
echo "$SRC"
