#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kunit.py run under QEMU with the project's kunitconfig, on the build that
# scripts/build.sh made.  iommu.strict=0 makes default DMA domains lazy on
# both arches, so that the flush-queue rules are exercised on both.  The
# console kunit.py saves is judged by scripts/kunit_suites.py with the
# kernel's own KTAP parser: one line per suite; every suite listed in
# tests/kunit/suites.txt for this arch must be there and pass.
#   scripts/kunit.sh x86_64|arm64
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=$1
log=$LOGS/kunit-$arch.log
kernel_log=$BUILD/$arch/test.log
rm -f "$kernel_log"
rc=0
(cd "$KSRC" && python3 tools/testing/kunit/kunit.py run --arch="$arch" \
	$(kunit_cross "$arch") --build_dir="$BUILD/$arch" \
	--kunitconfig="$ROOT/configs/$arch.config" --jobs="$JOBS" \
	--kernel_args=iommu.strict=0 --timeout=900) >"$log" 2>&1 || rc=$?
KSRC=$KSRC python3 "$ROOT/scripts/kunit_suites.py" "$arch" "$kernel_log" \
	"$ROOT/tests/kunit/suites.txt" "$rc" "${log#$ROOT/}"
