#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: the DMA API's map and unmap cost on VT-d, AMD-Vi, virtio-iommu
# and SMMUv3, the base kernel (6.1), the series and Debian's 6.12 in
# alternating boots, each in the production and the test configuration;
# then the series' fault delivery on the mock IOMMU (scripts/fault_bench.py).
#   BOOTS=N (default 5) boots per kernel and configuration; ONLY=pattern
#   picks scenarios; ICOUNT=1 counts guest time in instructions (QEMU
#   -icount, one vCPU); CONFIGS="prod test" and KERNELS="base series 6.12"
#   choose among them; LIMIT (default 1.02) is the highest series/base;
#   FAULT=0 leaves out the fault delivery; "bench.sh build" only builds;
#   REUSE=1 takes a boot's figures from its log when that log ran the same
#   command to the end after its kernel and initramfs were built; TREE=0
#   measures build/linux as it is checked out (a prefix of the series, a
#   fixup on top) instead of making it hold patches/ first.
#   tests/bench/x86-vtd-iommufd.scn boots only the series' test kernel
#   and judges iommufd/type1 map and unmap against IOMMUFD_LIMIT (1.0).
# Kernels: build/bench/<kernel>-<config>-<arch>, configured from
# configs/prod-<arch>.config or configs/<arch>.config, plus
# configs/bench.config (modules) for tools/nsbench, which is built against
# each and packed into that kernel's own initramfs.  The base is a worktree
# of build/linux at "base"; 6.12 comes from scripts/linux612.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

S=$ROOT/scripts
B=$BUILD/bench
CONFIGS=${CONFIGS:-prod test}
KERNELS=${KERNELS:-base series 6.12}
base_src=$BUILD/base-linux
"$S/deps.sh"
[ "${TREE:-1}" = 0 ] || "$S/tree.sh"
if [ ! -d "$base_src" ]; then
	git -C "$KSRC" worktree prune
	git -C "$KSRC" worktree add -q --detach "$base_src" base
fi
case " $KERNELS " in *" 6.12 "*) src612=$("$S/linux612.sh") ;; esac

# The architectures of the scenarios ONLY selects.
arches=$(for f in "$ROOT"/tests/bench/*.scn; do
	case $(basename "$f" .scn) in *"${ONLY:-}"*) ;; *) continue ;; esac
	sed -nE 's/^arch *= *//p' "$f"
done | sort -u)

# The source tree of a kernel.
ksrc() {
	case $1 in
	base) echo "$base_src" ;;
	series) echo "$KSRC" ;;
	6.12) echo "$src612" ;;
	esac
}

# fragment CONFIG ARCH: the configuration fragment of CONFIG.
fragment() {
	case $1 in
	prod) echo "$ROOT/configs/prod-$2.config" ;;
	test) echo "$ROOT/configs/$2.config" ;;
	*) die "unknown configuration '$1' (prod or test)" ;;
	esac
}

# The kernel, tools/nsbench built against it, and its initramfs: the
# guest init and the module.
build_one() {
	local kernel=$1 config=$2 arch=$3 out mod
	out=$B/$kernel-$config-$arch
	mod=$B/nsbench-$kernel-$config-$arch
	echo "building $kernel ($config) for $arch"
	KSRC=$(ksrc "$kernel") OUT=$out LENIENT_CONFIG=1 \
		FRAGMENTS="$(fragment "$config" "$arch") $ROOT/configs/bench.config" \
		"$S/build.sh" "$arch"
	rm -rf "$mod"
	mkdir -p "$mod"
	cp "$ROOT"/tools/nsbench/{nsbench.c,Kbuild} "$mod/"
	# shellcheck disable=SC2046
	make -C "$out" $(kmake_args "$arch") M="$mod" -j"$JOBS" -s modules \
		>"$LOGS/nsbench-$kernel-$config-$arch.log" 2>&1 ||
		{ tail -20 "$LOGS/nsbench-$kernel-$config-$arch.log"; die "building nsbench for $kernel ($config, $arch) failed"; }
	sed "\$a file /nsbench.ko $mod/nsbench.ko 0644 0 0" \
		"$BUILD/tools/initramfs-$arch.list" >"$B/initramfs-$kernel-$config-$arch.list"
	"$BUILD/tools/gen_init_cpio" "$B/initramfs-$kernel-$config-$arch.list" \
		>"$B/initramfs-$kernel-$config-$arch.cpio"
}

mkdir -p "$B"
for arch in $arches; do
	"$S/initramfs.sh" "$arch"
	for config in $CONFIGS; do
		for kernel in $KERNELS; do
			build_one "$kernel" "$config" "$arch"
		done
	done
done
[ "${1:-}" = build ] && exit 0
rc=0
icount=()
[ "${ICOUNT:-0}" = 1 ] && icount=(--icount)
[ "${REUSE:-0}" = 1 ] && icount+=(--reuse)
python3 "$S/bench.py" --build "$BUILD" --boots "${BOOTS:-5}" --only "${ONLY:-}" "${icount[@]}" \
	--configs "${CONFIGS// /,}" --kernels "${KERNELS// /,}" \
	--limit "${LIMIT:-1.02}" --iommufd-limit "${IOMMUFD_LIMIT:-1.0}" --table "$LOGS/bench-table.md" || rc=$?
# Fault delivery on the mock IOMMU: the series' own path, no base to compare.
if [ "${FAULT:-1}" != 0 ]; then
	python3 "$S/fault_bench.py" --build "$BUILD" --runs "${BOOTS:-5}" --table "$LOGS/bench-table.md" ||
		rc=1
fi
exit "$rc"
