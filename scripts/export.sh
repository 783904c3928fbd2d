#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Regenerates patches/ from build/linux base..HEAD.
#
# The cover letter's text (subject and body, above the shortlog) is kept from
# the current patches/0000-cover-letter.patch; the shortlog and diffstat are
# regenerated.  The output depends only on the commits: zero commit hashes,
# no signature, and the tip's author date for the cover letter, so that
# "make tree && make export" reproduces patches/ byte for byte.
#   scripts/export.sh [OUTDIR]     (default patches/)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:-$PATCHES}
cover=$PATCHES/0000-cover-letter.patch
[ -f "$cover" ] || die "$cover missing: it holds the cover letter's text"
if [ "$(git -C "$KSRC" rev-list --count base..HEAD)" -eq 0 ]; then
	# A cover-letter-only series: nothing to generate.
	mkdir -p "$out"
	find "$out" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' \
		! -name 0000-cover-letter.patch -delete
	[ "$out" = "$PATCHES" ] || cp "$cover" "$out"/
	echo "no commits in base..HEAD: patches/ is the cover letter only"
	exit 0
fi

# The description: subject after "[PATCH 0/N] ", a blank line, then the body
# up to the blank line before the shortlog ("Name (count):").
description=$(python3 - "$cover" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
head, _, body = text.partition('\n\n')
subject = re.search(r'^Subject: \[PATCH[^\]]*\] (.*(?:\n .*)*)', head, re.M)
subject = ' '.join(l.strip() for l in subject.group(1).splitlines())
body = re.split(r'\n\n[^\n]+ \(\d+\):\n', '\n' + body, maxsplit=1)[0]
print(subject + '\n' + body.rstrip('\n'))
PY
)

tip_date=$(git -C "$KSRC" log -1 --format=%aD HEAD)
tmp=$(mktemp -d)
# format-patch takes the cover letter from the checked-out branch's
# description: set it for that branch, whatever its name.
branch=$(git -C "$KSRC" symbolic-ref -q --short HEAD) ||
	die "build/linux is not on a branch: check out the series"
trap 'rm -rf "$tmp"; git -C "$KSRC" config --unset "branch.$branch.description" || true' EXIT
git -C "$KSRC" config "branch.$branch.description" "$description"
GIT_COMMITTER_DATE="$tip_date" git -C "$KSRC" -c core.abbrev=12 format-patch -q \
	--cover-letter --cover-from-description=subject --zero-commit \
	--subject-prefix="PATCH v$SERIES_VERSION" \
	--no-signature -o "$tmp" base..HEAD
mkdir -p "$out"
find "$out" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' -delete
cp "$tmp"/*.patch "$out"/
echo "exported $(ls "$tmp" | wc -l) files to $out"
