# SPDX-License-Identifier: GPL-2.0
# Sourced by the scripts that fetch packages from Debian 12's
# bookworm-backports (scripts/qemu10.sh, scripts/linux612.sh) without
# touching the machine's apt configuration:
#  - the mirror is the one the system's apt sources already name for
#    bookworm (read here, at run time: no host name is kept anywhere);
#  - a private apt configuration (its own sources list, lists, cache and
#    status) under the caller's directory, used through aptq.
# Needs lib.sh (die).

KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# The URI of the system's source for the suite "bookworm", from the one-line
# lists and the deb822 .sources files.
bookworm_mirror() {
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

# backports_apt DIR WHO: a private apt configuration in DIR for
# bookworm-backports, through the system's bookworm URI; defines aptq.
# WHO prefixes the error messages.
backports_apt() {
	local who=$2 uri
	A=$1
	[ "$(dpkg --print-architecture)" = amd64 ] || die "$who: amd64 hosts only"
	[ -r "$KEYRING" ] || die "$who: $KEYRING missing (package debian-archive-keyring)"
	uri=$(bookworm_mirror | head -1)
	[ -n "$uri" ] || die "$who: no apt source for suite bookworm in /etc/apt"
	mkdir -p "$A/etc/sources.list.d" "$A/etc/preferences.d" "$A/etc/trusted.gpg.d" \
		"$A/state/lists/partial" "$A/cache/archives/partial"
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
}

aptq() { apt-get -c "$A/apt.conf" -o Debug::NoLocking=1 "$@"; }
