// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU's "edu" device, the guest's DMA oracle, driven from user space
 * through a VFIO device fd: the helpers that the VFIO container client
 * (vfio.c) and the iommufd client (iommufd.c) share.
 *
 * edu copies between memory at an IOVA and a 4 KiB buffer of its own at
 * device address 0x40000.  A round trip has edu copy one page of a slot
 * into its buffer and back into the slot's other page, and compares.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/vfio.h>

#include "edu.h"

#define EDU_ID			0x00
#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_COUNT		0x90
#define EDU_DMA_CMD		0x98
#define  EDU_DMA_START		0x1
#define  EDU_DMA_TO_RAM		0x2
#define EDU_BUFFER		0x40000
#define EDU_TIMEOUT_MS		3000

static uint32_t edu_read32(struct edu *e, unsigned int reg)
{
	return *(volatile uint32_t *)(e->bar0 + reg);
}

static void edu_write64(struct edu *e, unsigned int reg, uint64_t val)
{
	*(volatile uint64_t *)(e->bar0 + reg) = val;
}

static int edu_enable_bus_master(struct edu *e)
{
	struct vfio_region_info cfg = {
		.argsz = sizeof(cfg),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	uint16_t cmd;

	if (ioctl(e->fd, VFIO_DEVICE_GET_REGION_INFO, &cfg))
		return -errno;
	if (pread(e->fd, &cmd, 2, cfg.offset + 4) != 2)
		return -EIO;
	cmd |= 0x4;
	if (pwrite(e->fd, &cmd, 2, cfg.offset + 4) != 2)
		return -EIO;
	return 0;
}

/*
 * Maps BAR0 of the VFIO device @fd, enables bus mastering and checks the ID
 * register.  @fd is the device's whether it came from the group or from its
 * cdev; on failure it is closed.
 */
int edu_setup(struct edu *e, const char *bdf, int fd)
{
	struct vfio_region_info bar = {
		.argsz = sizeof(bar),
		.index = VFIO_PCI_BAR0_REGION_INDEX,
	};
	void *p;
	int err;

	e->bdf = bdf;
	e->fd = fd;
	if (ioctl(e->fd, VFIO_DEVICE_GET_REGION_INFO, &bar)) {
		err = -errno;
		goto err_close;
	}
	p = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, e->fd,
		 bar.offset);
	if (p == MAP_FAILED) {
		err = -errno;
		goto err_close;
	}
	e->bar0 = p;
	e->bar0_size = bar.size;
	err = edu_enable_bus_master(e);
	if (err)
		goto err_unmap;
	if ((edu_read32(e, EDU_ID) & 0xff) != 0xed) {
		err = -ENODEV;
		goto err_unmap;
	}
	return 0;

err_unmap:
	munmap((void *)e->bar0, e->bar0_size);
err_close:
	close(e->fd);
	return err;
}

void edu_close(struct edu *e)
{
	munmap((void *)e->bar0, e->bar0_size);
	close(e->fd);
}


int edu_dma(struct edu *e, uint64_t src, uint64_t dst, bool to_ram)
{
	unsigned int waited;

	edu_write64(e, EDU_DMA_SRC, src);
	edu_write64(e, EDU_DMA_DST, dst);
	edu_write64(e, EDU_DMA_COUNT, XFER);
	edu_write64(e, EDU_DMA_CMD,
		    EDU_DMA_START | (to_ram ? EDU_DMA_TO_RAM : 0));
	for (waited = 0; waited < EDU_TIMEOUT_MS; waited += 10) {
		sleep_ms(10);
		if (!(edu_read32(e, EDU_DMA_CMD) & EDU_DMA_START))
			return 0;
	}
	return -ETIMEDOUT;
}

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

/*
 * @slot is the CPU view of SLOT bytes mapped at @iova: edu reads the first
 * page into its buffer and writes it back to the second page.
 */
bool edu_round_trip(struct edu *e, uint8_t *slot, uint64_t iova,
			   unsigned int seed)
{
	fill(slot, XFER, seed);
	memset(slot + PAGE, 0, XFER);
	if (edu_dma(e, iova, EDU_BUFFER, false) ||
	    edu_dma(e, EDU_BUFFER, iova + PAGE, true))
		return false;
	return !memcmp(slot, slot + PAGE, XFER);
}

bool all_zero(const uint8_t *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

/*
 * The IOMMU drivers rate-limit their fault messages, 10 in 5 seconds (the
 * kernel's default ratelimit): a transfer that the boot's hardware suites
 * saw aborted, which QEMU faults word by word, spends that budget, and the
 * host looks for the message of the fault below.
 */
#define FAULT_MSG_INTERVAL_S	6

/*
 * edu writes to an IOVA that is no longer mapped: the pages behind it must
 * stay untouched.  The host checks that the IOMMU reported the fault.
 */
bool edu_write_blocked(struct edu *e, uint8_t *slot, uint64_t iova)
{
	memset(slot + PAGE, 0, XFER);
	sleep(FAULT_MSG_INTERVAL_S);
	info("fault-expected", "dev=%s iova=0x%llx access=write", e->bdf,
	     (unsigned long long)(iova + PAGE));
	if (edu_dma(e, EDU_BUFFER, iova + PAGE, true))
		return false;
	return all_zero(slot + PAGE, XFER);
}

uint8_t *alloc_buffer(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void release_device(const char *bdf)
{
	char path[256];

	pci_unbind(bdf);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 bdf);
	write_file(path, "\n");
}

/* A kernel DMA driver binds again and maps: check @check. */
void check_kernel_rebind(const char *bdf, const char *check)
{
	double map_us = 0, unmap_us = 0;
	int err;

	err = pci_bind_when_ready(bdf, "dma_map_benchmark");
	if (!err)
		err = run_map_benchmark(1, 1, &map_us, &unmap_us);
	result(check, !err,
	       "dev=%s errno=%d map_us=%.2f unmap_us=%.2f", bdf, -err, map_us,
	       unmap_us);
	release_device(bdf);
}
