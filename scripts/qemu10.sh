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

Q=$BUILD/qemu10
ROOTFS=$Q/root
BIN=$ROOTFS/usr/bin
WANT=10.0
PACKAGES=(qemu-system-x86 qemu-system-arm qemu-system-common qemu-system-data)
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

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
[ "$(dpkg --print-architecture)" = amd64 ] || die "qemu10: amd64 hosts only"
[ -r "$KEYRING" ] || die "qemu10: $KEYRING missing (package debian-archive-keyring)"

# The URI of the system's source for the suite "bookworm", from the one-line
# lists and the deb822 .sources files.
mirror() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		sed -E 's/#.*//; s/\[[^]]*\]//' "$f" |
			awk '$1 == "deb" && $3 == "bookworm" { print $2 }'
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk 'BEGIN { RS = ""; FS = "\n" }
		{
			types = uris = suites = ""; enabled = 1
			for (i = 1; i <= NF; i++) {
				line = $i
				if (line ~ /^#/) continue
				key = tolower(line); sub(/:.*/, "", key)
				val = line; sub(/^[^:]*:[ \t]*/, "", val)
				if (key == "types") types = val
				else if (key == "uris") uris = val
				else if (key == "suites") suites = val
				else if (key == "enabled" && tolower(val) == "no") enabled = 0
			}
			if (!enabled || (" " types " ") !~ / deb /) next
			if ((" " suites " ") !~ / bookworm /) next
			split(uris, u, /[ \t]+/); print u[1]
		}' "$f"
	done
}
uri=$(mirror | head -1)
[ -n "$uri" ] || die "qemu10: no apt source for suite bookworm in /etc/apt"

rm -rf "$Q"
A=$Q/apt
mkdir -p "$A/etc/sources.list.d" "$A/etc/preferences.d" "$A/etc/trusted.gpg.d" \
	"$A/state/lists/partial" "$A/cache/archives/partial" "$Q/debs" "$ROOTFS"
: >"$A/state/status"
echo "deb [signed-by=$KEYRING] $uri bookworm-backports main" >"$A/etc/sources.list"
cat >"$A/apt.conf" <<EOF
Dir::Etc::SourceList "$A/etc/sources.list";
Dir::Etc::SourceParts "$A/etc/sources.list.d";
Dir::Etc::Preferences "$A/etc/preferences";
Dir::Etc::PreferencesParts "$A/etc/preferences.d";
Dir::Etc::Trusted "$KEYRING";
Dir::Etc::TrustedParts "$A/etc/trusted.gpg.d";
Dir::State "$A/state";
Dir::State::Lists "$A/state/lists";
Dir::State::status "$A/state/status";
Dir::Cache "$A/cache";
Dir::Cache::Archives "$A/cache/archives";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
Acquire::Languages "none";
APT::Sandbox::User "root";
EOF
aptq() { apt-get -c "$A/apt.conf" -o Debug::NoLocking=1 "$@"; }

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
