# SPDX-License-Identifier: GPL-2.0
# The IOMMU series workflow; README.md explains each target.
ARCH ?= x86_64
IOMMU ?= intel
BOOTS ?= 5
ONLY ?=
ICOUNT ?= 0
S := scripts

.PHONY: run test bench tree export build deps kunit scenarios checkpatch bisect initramfs

run:
	IOMMU=$(IOMMU) $(S)/run.sh

test:
	$(S)/test.sh

# make bench [BOOTS=5] [ONLY=x86-vtd] [ICOUNT=1]: base against series,
# dma_map_benchmark.
bench:
	BOOTS=$(BOOTS) ONLY=$(ONLY) ICOUNT=$(ICOUNT) $(S)/bench.sh

deps:
	$(S)/deps.sh

tree: deps
	$(S)/tree.sh

export:
	$(S)/export.sh

build: tree
	$(S)/build.sh $(ARCH)

initramfs:
	$(S)/initramfs.sh $(ARCH)

checkpatch:
	$(S)/checkpatch.sh

bisect:
	$(S)/bisect.sh $(ARCH)

kunit: build
	$(S)/kunit.sh $(ARCH)

# make scenarios [SCN=x86-vtd]: boot scenarios on what is already built.
scenarios:
	$(S)/initramfs.sh x86_64
	$(S)/initramfs.sh arm64
	$(S)/scenarios.sh $(SCN)
