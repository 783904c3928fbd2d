#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Makes build/linux: a git repository of the packaged 6.1 source, tagged
# "base", with each patch of patches/ applied as a commit by git am.
#
# The base commit is deterministic (fixed identity and dates), so the same
# package always gives the same base hash.  Debian's tarball ignores every
# top-level path in its .gitignore, hence "git add -f".  Nothing is thrown
# away silently: a tree with commits or changes that patches/ does not hold
# is refused unless FORCE=1.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base_version() {
	dpkg-query -W -f='${Version}' linux-source-6.1
}

make_base() {
	local version
	version=$(base_version)
	echo "unpacking linux-source-6.1 $version into $KSRC"
	rm -rf "$KSRC"
	mkdir -p "$KSRC"
	tar -C "$KSRC" --strip-components=1 -xf "$BASE_TARBALL"
	git -C "$KSRC" init -q -b base-branch
	git -C "$KSRC" add -f -A
	GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
	GIT_AUTHOR_NAME="$SERIES_AUTHOR" GIT_AUTHOR_EMAIL="$SERIES_EMAIL" \
	GIT_COMMITTER_NAME="$SERIES_AUTHOR" GIT_COMMITTER_EMAIL="$SERIES_EMAIL" \
		git -C "$KSRC" commit -q -m "Linux 6.1 as packaged by Debian (linux-source-6.1 $version)"
	git -C "$KSRC" tag base
	echo "$version" >"$KSRC/.git/base-version"
}

# build/linux may be a git worktree, whose .git is a file: the tag and
# base-version are in the repository's common directory.
have_base() {
	local common
	[ -e "$KSRC/.git" ] && git -C "$KSRC" rev-parse -q --verify base >/dev/null &&
		common=$(git -C "$KSRC" rev-parse --path-format=absolute --git-common-dir) &&
		[ "$(cat "$common/base-version" 2>/dev/null)" = "$(base_version)" ]
}

patch_ids_of_tree() {
	git -C "$KSRC" format-patch --stdout base..HEAD | git patch-id --stable | cut -d' ' -f1
}

patch_ids_of_series() {
	local p
	for p in $(series_patches); do cat "$p"; done | git patch-id --stable | cut -d' ' -f1
}

[ -f "$BASE_TARBALL" ] || die "$BASE_TARBALL missing: run scripts/deps.sh"
have_base || make_base
git -C "$KSRC" config user.name "$SERIES_AUTHOR"
git -C "$KSRC" config user.email "$SERIES_EMAIL"

if [ "$(patch_ids_of_tree)" = "$(patch_ids_of_series)" ] &&
   git -C "$KSRC" diff --quiet HEAD; then
	echo "build/linux already holds the series ($(series_patches | wc -l) patches)"
	exit 0
fi
if [ "${FORCE:-0}" != 1 ]; then
	git -C "$KSRC" diff --quiet HEAD ||
		die "build/linux has uncommitted changes; commit and 'make export', or FORCE=1"
	[ "$(git -C "$KSRC" rev-parse HEAD)" = "$(git -C "$KSRC" rev-parse base)" ] ||
		die "build/linux has commits that differ from patches/; 'make export' them, or FORCE=1"
fi
git -C "$KSRC" am -q --abort 2>/dev/null || true
git -C "$KSRC" checkout -q -f -B series base
mapfile -t patches < <(series_patches)
if [ ${#patches[@]} -gt 0 ]; then
	git -C "$KSRC" am -q --committer-date-is-author-date "${patches[@]}" ||
		die "the series does not apply to base (see 'git -C build/linux am --show-current-patch')"
fi
echo "build/linux: base + ${#patches[@]} patches on branch series"
