# SPDX-License-Identifier: GPL-2.0
# Shared by the scripts: paths, the toolchain, and the PASS/FAIL line format.
# Every check prints exactly one line "PASS <name> <detail>" or
# "FAIL <name> <detail>"; scripts/test.sh counts them.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
KSRC=${KSRC:-$BUILD/linux}
LOGS=$BUILD/logs
PATCHES=$ROOT/patches
JOBS=${JOBS:-$(nproc)}
BASE_TARBALL=/usr/src/linux-source-6.1.tar.xz
SERIES_AUTHOR="IOMMU Series Developers"
SERIES_EMAIL="iommu-series@example.org"
# The posting: the subject prefix is "PATCH v$SERIES_VERSION".
SERIES_VERSION=14

# ccache through its compiler symlinks, so that kunit.py's make and ours run
# the same command lines and share one build directory.
export PATH=/usr/lib/ccache:$PATH
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
# Hash paths relative to the checkout, so that another clone hits the cache.
export CCACHE_BASEDIR=$ROOT

mkdir -p "$LOGS"

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; }
die() { echo "error: $*" >&2; exit 1; }

# Kernel make variables for an architecture.
kmake_args() {
	case $1 in
	x86_64) echo "ARCH=x86_64" ;;
	arm64) echo "ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-" ;;
	*) die "unknown ARCH '$1' (x86_64 or arm64)" ;;
	esac
}

kunit_cross() {
	[ "$1" = arm64 ] && echo "--cross_compile=aarch64-linux-gnu-"
	true
}

# The numbered patches of the series, in order, without the cover letter.
series_patches() {
	find "$PATCHES" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' \
		! -name '0000-cover-letter.patch' | sort
}
