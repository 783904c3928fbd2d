#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs, with apt-get, what the workflow needs and the machine lacks.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PACKAGES="linux-source-6.1 qemu-system-x86 qemu-system-arm
gcc gcc-aarch64-linux-gnu libc6-dev-arm64-cross make flex bison bc
libelf-dev libssl-dev ccache cpio python3 python3-ply python3-git
perl git xz-utils sparse python3-sphinx python3-sphinx-rtd-theme"

missing=()
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
[ "$(id -u)" = 0 ] || die "need root to install: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$LOGS/apt.log" 2>&1 ||
	{ tail -20 "$LOGS/apt.log"; die "apt-get install failed"; }
