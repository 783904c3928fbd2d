#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# COMPILE_TEST build of drivers/iommu/ with every IOMMU driver the arch can
# build (configs/compile-test-<arch>.config), so that drivers outside the
# ones the scenarios boot keep building, without a warning.
#   scripts/compile-test.sh x86_64|arm64
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=$1
frag=$ROOT/configs/compile-test-$arch.config
out=$BUILD/compile-test-$arch
log=$LOGS/compile-test-$arch.log
read -r -a margs <<<"$(kmake_args "$arch")"
mkdir -p "$out"

KCONFIG_ALLCONFIG=$frag make -C "$KSRC" "${margs[@]}" O="$out" allnoconfig >"$log" 2>&1 ||
	{ fail "compile-test/$arch configuration failed (log: ${log#$ROOT/})"; exit 1; }
missing=$(sed -nE 's/^(CONFIG_[A-Z0-9_]+)=y$/\1/p' "$frag" | while read -r opt; do
	grep -q "^$opt=y" "$out/.config" || echo "$opt"
done)
if [ -n "$missing" ]; then
	fail "compile-test/$arch Kconfig dropped: $(echo $missing)"
	exit 1
fi
# Callers of the allocation API elsewhere: "# build: <dir>..." in the fragment.
read -r -a extra <<<"$(sed -nE 's/^# build: //p' "$frag" | tr '\n' ' ')"
if ! make -C "$KSRC" "${margs[@]}" O="$out" -j"$JOBS" drivers/iommu/ drivers/vfio/ \
	drivers/vhost/ "${extra[@]}" >>"$log" 2>&1; then
	fail "compile-test/$arch build failed (log: ${log#$ROOT/})"
	grep -E 'error' "$log" | head -10 | sed 's/^/    /'
	exit 1
fi
warnings=$(grep -c 'warning:' "$log" || true)
drivers=$(grep -cE '^CONFIG_[A-Z0-9_]*IOMMU[A-Z0-9_]*=y|^CONFIG_(ARM_SMMU[A-Z0-9_]*|APPLE_DART|IPMMU_VMSA)=y' "$frag")
if [ "$warnings" -eq 0 ]; then
	pass "compile-test/$arch drivers/iommu, vfio, vhost ${extra[*]} build without warnings ($drivers IOMMU options)"
else
	fail "compile-test/$arch $warnings warnings (log: ${log#$ROOT/})"
	grep 'warning:' "$log" | head -10 | sed 's/^/    /'
	exit 1
fi
