#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's own static checks on what the series touches, each run on the
# base too: a check passes when the series has no finding that the base does
# not already have.
#   scripts/static-checks.sh w1|sparse x86_64|arm64
#   scripts/static-checks.sh kernel-doc|htmldocs
#
# w1: a W=1 build of every directory that holds a .c file the series
#   touches (drivers/iommu/, drivers/pci/, drivers/vfio/, ...), configured
#   as compile-test.sh does plus configs/static-checks-<arch>.config (the
#   series' KUnit files), into build/check-<arch>; every touched .c file
#   that the arch can build must be built.
# sparse: make C=2 W=1 of the same directories in the same build directory:
#   the objects are up to date, so kbuild runs sparse on each and compiles
#   nothing.
# kernel-doc: scripts/kernel-doc -none -v on every touched .c and .h file.
#   6.1's kernel-doc has no -Wall; -v is what it has of it (a function
#   without a description of its return value, a comment without a short
#   description), and the base has few enough of those in these files
#   (about 40) for a comparison by name.
# htmldocs: make htmldocs SPHINXDIRS=<the Documentation/ directories of the
#   touched .rst files and of those that kernel-doc a touched source>, into
#   build/check-docs.
#
# A finding is "file: message" without line and column numbers and
# without the tree's path; sparse's continuation lines ("expected ...",
# "got ...") belong to their finding.  A finding in a header counts once
# per check (every object that includes the header repeats it), one in any
# other file once per occurrence.  Each finding the series has more often
# than the base is a FAIL line.  The base is checked in build/base-linux (a
# worktree of build/linux at "base", shared with make bench), into
# build/check-base-<arch> and build/check-docs-base, and its findings are
# kept in build/static-checks/<base commit>-<key>/ (key: this script, the
# configuration fragments and the tools' versions), so that a run of make
# test checks the base once.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

check=$1
arch=${2:-}
base_src=$BUILD/base-linux
# Debian's sphinx-build and perl come first, as in checkpatch.sh.  The
# messages are the same whatever the locale: the kernel's Makefile drops
# LC_ALL, so LANG too, and normalise() turns gcc's UTF-8 quotes to ASCII.
export PATH=/usr/lib/ccache:/usr/bin:$PATH LC_ALL=C LANG=C

mkdir -p "$BUILD/static-checks"
base_commit=$(git -C "$KSRC" rev-parse base)
mapfile -t touched < <(git -C "$KSRC" diff --name-only base HEAD)

# Files of the series of a kind: touched_files '\.c$'
touched_files() { printf '%s\n' "${touched[@]}" | grep -E "$1" || true; }

# The directories to build: those of the touched .c files, without the
# subdirectories of another one (kbuild descends into them itself).
build_dirs() {
	local dirs d p keep
	dirs=$(touched_files '\.c$' | xargs -r -n1 dirname | sort -u)
	for d in $dirs; do
		keep=1
		for p in $dirs; do
			[[ $d == "$p"/* ]] && keep=0
		done
		[ $keep = 1 ] && echo "$d/"
	done | grep -v '^virt/kvm/$' || true
}

# Touched .c files that this arch cannot build.
not_for_arch() {
	case $1 in
	# virt/kvm/ (the KVM VFIO device) is built from the arch's KVM
	# Makefile, with all of KVM: minutes of CI for one small file, which is
	# left out here.
	x86_64) grep -E '^drivers/iommu/arm/|^virt/kvm/' || true ;;
	arm64) grep -E '^drivers/iommu/(amd|intel)/|^drivers/infiniband/|^virt/kvm/' || true ;;
	esac
}

# cache_dir [FILE...]: where the base's findings are kept, keyed by the base
# commit, this script, FILEs, what the base is checked on ($CHECKED: the
# files, directories or documents the series touches) and the tools'
# versions.
cache_dir() {
	local key
	key=$({
		cat "$0" "$@"
		printf '%s\n' "${CHECKED:-}"
		gcc --version | head -1
		aarch64-linux-gnu-gcc --version | head -1
		sparse --version 2>&1
		sphinx-build --version 2>&1
	} | sha1sum | cut -c1-12)
	echo "$BUILD/static-checks/$base_commit-$key"
}

base_tree() {
	if [ ! -d "$base_src" ]; then
		git -C "$KSRC" worktree prune
		git -C "$KSRC" worktree add -q --detach "$base_src" base
	fi
	[ "$(git -C "$base_src" rev-parse HEAD)" = "$base_commit" ] ||
		die "$base_src is not at base"
}

# Tool output (stdin) to findings (stdout), one a line, sorted.
normalise() {
	# ccache (CCACHE_BASEDIR) makes gcc print the paths from the build
	# directory: ../linux/drivers/...
	sed -E "s#$KSRC/##g; s#$base_src/##g; s#(\.\./)+(${KSRC##*/}|${base_src##*/})/##g; s/‘|’/'/g" | awk '
	function flush() { if (cur != "") print cur; cur = "" }
	# sparse: "file:line:col:    expected ..." continues the finding above
	/^[^ :]+:[0-9]+:[0-9]+:    / {
		if (cur != "") { sub(/^[^ :]+:[0-9]+:[0-9]+: +/, ""); cur = cur " | " $0 }
		next
	}
	{ flush() }
	/(warning|error|WARNING|ERROR|SEVERE|CRITICAL): / {
		cur = $0
		gsub(/:[0-9]+/, "", cur)	# line and column numbers, anywhere
	}
	END { flush() }' | awk '
	{ file = $0; sub(/:.*/, "", file) }
	file ~ /\.h$/ && seen[$0]++ { next }
	{ print }' | sort
}

# cache_put FILE: normalise() stdin into the cache file FILE, whole or not at all.
cache_put() {
	normalise >"$1.tmp"
	mv "$1.tmp" "$1"
}

# new_findings BASE SERIES: the lines of SERIES that BASE has fewer of.
new_findings() {
	awk 'FILENAME == ARGV[1] { n[$0]++; next } n[$0] > 0 { n[$0]--; next } { print }' "$1" "$2"
}

# report NAME BASE_FINDINGS SERIES_FINDINGS LOG WHAT: the PASS or FAIL lines.
report() {
	local name=$1 base=$2 series=$3 log=$4 what=$5 new nb ns
	new=$(new_findings "$base" "$series")
	nb=$(wc -l <"$base")
	ns=$(wc -l <"$series")
	if [ -z "$new" ]; then
		pass "$name no finding the base does not have ($what; series $ns, base $nb)"
		return 0
	fi
	while IFS= read -r f; do
		fail "$name new: $f"
	done <<<"$new"
	echo "    series $ns findings, base $nb; log: ${log#$ROOT/}"
	return 1
}

# configure SRC OUT: allnoconfig with compile-test's and our fragments.
configure() {
	local src=$1 out=$2 frag
	frag=$out/static-checks.config
	mkdir -p "$out"
	cat "$ROOT/configs/compile-test-$arch.config" \
		"$ROOT/configs/static-checks-$arch.config" >"$frag.new"
	if [ -f "$out/.config" ] && cmp -s "$frag" "$frag.new"; then
		rm "$frag.new"
		return 0
	fi
	mv "$frag.new" "$frag"
	KCONFIG_ALLCONFIG=$frag make -C "$src" "${margs[@]}" O="$out" allnoconfig
}

# build SRC OUT LOG [make variables]: make W=1 of the directories.
build() {
	local src=$1 out=$2 log=$3
	shift 3
	make -C "$src" "${margs[@]}" O="$out" -j"$JOBS" W=1 "$@" "${dirs[@]}" >"$log" 2>&1
}

# w1_build SRC OUT LOG: configures, and builds every object of the
# directories again, so that the log has all their warnings (ccache
# replays those of the objects it has).
w1_build() {
	local src=$1 out=$2 log=$3 d
	configure "$src" "$out" >"$log" 2>&1 ||
		{ fail "$check/$arch configuring $src failed (log: ${log#$ROOT/})"; exit 1; }
	for d in "${dirs[@]}"; do
		[ ! -d "$out/$d" ] || find "$out/$d" -name '*.o' -delete
	done
	build "$src" "$out" "$log" ||
		{ fail "$check/$arch W=1 build of $src failed (log: ${log#$ROOT/})"; exit 1; }
}

# sparse_run SRC OUT LOG: sparse on every object of the directories, after
# a W=1 build that brings them up to date, so that only sparse runs.
sparse_run() {
	local src=$1 out=$2 log=$3
	configure "$src" "$out" >"$log" 2>&1 && build "$src" "$out" "$log" ||
		{ fail "$check/$arch W=1 build of $src failed (log: ${log#$ROOT/})"; exit 1; }
	build "$src" "$out" "$log" C=2 ||
		{ fail "$check/$arch sparse run on $src failed (log: ${log#$ROOT/})"; exit 1; }
	if grep -qE '^  (CC|LD) ' "$log"; then
		fail "$check/$arch the sparse run compiled (log: ${log#$ROOT/})"
		exit 1
	fi
}

# The base's W=1 and sparse findings for this arch, from the cache or from
# a build in build/check-base-<arch>.
base_build_findings() {
	local out=$BUILD/check-base-$arch
	[ -f "$cache/sparse-$arch" ] && [ -f "$cache/w1-$arch" ] && return 0
	base_tree
	w1_build "$base_src" "$out" "$LOGS/w1-$arch-base.log"
	sparse_run "$base_src" "$out" "$LOGS/sparse-$arch-base.log"
	mkdir -p "$cache"
	cache_put "$cache/w1-$arch" <"$LOGS/w1-$arch-base.log"
	cache_put "$cache/sparse-$arch" <"$LOGS/sparse-$arch-base.log"
}

# Every touched .c file that the arch can build is built, with every
# option of the fragments.
check_built() {
	local out=$1 missing c o
	missing=$(sed -nE 's/^(CONFIG_[A-Z0-9_]+)=y$/\1/p' "$out/static-checks.config" |
		while read -r o; do grep -q "^$o=y" "$out/.config" || echo "$o"; done)
	[ -z "$missing" ] ||
		{ fail "$check/$arch Kconfig dropped: $(echo $missing)"; exit 1; }
	missing=
	for c in $(touched_files '\.c$' | grep -vxF -f <(touched_files '\.c$' | not_for_arch "$arch")); do
		[ -f "$out/${c%.c}.o" ] || missing="$missing $c"
	done
	[ -z "$missing" ] || { fail "$check/$arch not built:$missing"; exit 1; }
}

kernel_doc() {
	local src=$1 f
	for f in $(touched_files '\.[ch]$'); do
		[ -f "$src/$f" ] || continue
		(cd "$src" && scripts/kernel-doc -none -v "$f") 2>&1 | grep -v ': info: ' || true
	done
}

# Documentation/ directories to build: those of the touched .rst files and
# of the .rst files that take kernel-doc from a touched source.
sphinx_dirs() {
	local f
	{
		touched_files '^Documentation/.*\.rst$'
		for f in $(touched_files '\.[ch]$'); do
			git -C "$KSRC" grep -l -F "kernel-doc:: $f" -- 'Documentation/*.rst' || true
		done
	} | sed -nE 's#^Documentation/([^/]+)/.*#\1#p' | sort -u
}

htmldocs() {
	local src=$1 out=$2 log=$3
	shift 3
	mkdir -p "$out"
	# A full build each time: an incremental one omits the warnings of
	# the documents it does not read again.
	rm -rf "$out/Documentation/output"
	make -C "$src" O="$out" -j"$JOBS" htmldocs SPHINXDIRS="$*" >"$log" 2>&1
}

case $check in
w1 | sparse)
	read -r -a margs <<<"$(kmake_args "$arch")"
	mapfile -t dirs < <(build_dirs)
	CHECKED="${dirs[*]}"
	cache=$(cache_dir "$ROOT/configs/compile-test-$arch.config" \
		"$ROOT/configs/static-checks-$arch.config")
	out=$BUILD/check-$arch
	log=$LOGS/$check-$arch.log
	base_build_findings
	if [ "$check" = w1 ]; then
		w1_build "$KSRC" "$out" "$log"
		what="W=1 build of ${dirs[*]}"
	else
		sparse_run "$KSRC" "$out" "$log"
		what="make C=2 W=1 of ${dirs[*]}, $(grep -c '^  CHECK ' "$log") files"
	fi
	check_built "$out"
	normalise <"$log" >"$out/$check.findings"
	report "$check/$arch" "$cache/$check-$arch" "$out/$check.findings" "$log" "$what"
	;;
kernel-doc)
	CHECKED=$(touched_files '\.[ch]$')
	cache=$(cache_dir)
	n=$(printf '%s\n' "$CHECKED" | grep -c . || true)
	if [ ! -f "$cache/kernel-doc" ]; then
		base_tree
		mkdir -p "$cache"
		kernel_doc "$base_src" >"$LOGS/kernel-doc-base.log"
		cache_put "$cache/kernel-doc" <"$LOGS/kernel-doc-base.log"
	fi
	kernel_doc "$KSRC" >"$LOGS/kernel-doc.log"
	normalise <"$LOGS/kernel-doc.log" >"$BUILD/static-checks/kernel-doc.findings"
	report kernel-doc "$cache/kernel-doc" "$BUILD/static-checks/kernel-doc.findings" \
		"$LOGS/kernel-doc.log" "kernel-doc -none -v on $n files"
	;;
htmldocs)
	mapfile -t sdirs < <(sphinx_dirs)
	CHECKED="${sdirs[*]}"
	cache=$(cache_dir)
	[ ${#sdirs[@]} -gt 0 ] || { pass "htmldocs/series touches no document"; exit 0; }
	if [ ! -f "$cache/htmldocs" ]; then
		base_tree
		mkdir -p "$cache"
		htmldocs "$base_src" "$BUILD/check-docs-base" "$LOGS/htmldocs-base.log" "${sdirs[@]}" ||
			{ fail "htmldocs base build failed (log: build/logs/htmldocs-base.log)"; exit 1; }
		cache_put "$cache/htmldocs" <"$LOGS/htmldocs-base.log"
	fi
	htmldocs "$KSRC" "$BUILD/check-docs" "$LOGS/htmldocs.log" "${sdirs[@]}" ||
		{ fail "htmldocs build failed (log: build/logs/htmldocs.log)"; exit 1; }
	normalise <"$LOGS/htmldocs.log" >"$BUILD/check-docs/htmldocs.findings"
	report htmldocs "$cache/htmldocs" "$BUILD/check-docs/htmldocs.findings" \
		"$LOGS/htmldocs.log" "SPHINXDIRS=${sdirs[*]}"
	;;
*)
	die "usage: $0 w1|sparse x86_64|arm64, or $0 kernel-doc|htmldocs"
	;;
esac
