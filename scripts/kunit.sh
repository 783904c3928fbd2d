#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kunit.py run under QEMU with the project's kunitconfig, on the build that
# scripts/build.sh made.  iommu.strict=0 makes default DMA domains lazy on
# both arches, so that the flush-queue rules are exercised on both.  One line per suite; every suite listed in
# tests/kunit/suites.txt for this arch must be there and pass.
#   scripts/kunit.sh x86_64|arm64
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=$1
json=$LOGS/kunit-$arch.json
log=$LOGS/kunit-$arch.log
kernel_log=$BUILD/$arch/test.log
rm -f "$json" "$kernel_log"
rc=0
(cd "$KSRC" && python3 tools/testing/kunit/kunit.py run --arch="$arch" \
	$(kunit_cross "$arch") --build_dir="$BUILD/$arch" \
	--kunitconfig="$ROOT/configs/$arch.config" --jobs="$JOBS" \
	--kernel_args=iommu.strict=0 --timeout=900 --json="$json") >"$log" 2>&1 || rc=$?
python3 "$ROOT/scripts/kunit_suites.py" "$arch" "$json" \
	"$ROOT/tests/kunit/suites.txt" "$rc" "${log#$ROOT/}" "$kernel_log"
