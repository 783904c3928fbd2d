// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO client for QEMU's "edu" device (edu.c): the guest's DMA oracle.
 *
 * The client maps a buffer at an IOVA through a VFIO type1 container, has
 * edu copy buffer -> edu -> another offset of the buffer, and compares the
 * bytes.  After unmapping, the same transfer must not reach the
 * pages and the IOMMU reports a fault, which the host finds in the log.
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

struct vfio {
	int container;
	int group;
};

static int vfio_open(int group_id, struct vfio *v)
{
	char path[64];

	v->group = -1;
	v->container = open("/dev/vfio/vfio", O_RDWR);
	if (v->container < 0)
		return -errno;
	if (ioctl(v->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(v->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		close(v->container);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", group_id);
	v->group = open(path, O_RDWR);
	if (v->group < 0) {
		int err = -errno;

		close(v->container);
		return err;
	}
	return 0;
}

static void vfio_close(struct vfio *v)
{
	close(v->group);
	close(v->container);
}

static bool vfio_group_viable(struct vfio *v)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };

	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &status))
		return false;
	return status.flags & VFIO_GROUP_FLAGS_VIABLE;
}

/* Claims the group for this container: VFIO takes DMA ownership here. */
static int vfio_claim(struct vfio *v)
{
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container))
		return -errno;
	if (ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return -errno;
	return 0;
}

static int vfio_map(struct vfio *v, void *vaddr, uint64_t iova, size_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};

	return ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static int vfio_unmap(struct vfio *v, uint64_t iova, size_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	if (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return -errno;
	return unmap.size == size ? 0 : -EIO;
}

static int edu_open(struct vfio *v, const char *bdf, struct edu *e)
{
	int fd = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, bdf);

	return fd < 0 ? -errno : edu_setup(e, bdf, fd);
}

static void vfio_single(const char *bdf, int group)
{
	struct vfio v;
	struct edu e;
	uint8_t *buf;
	bool ok;
	int err;

	buf = alloc_buffer(SLOT);
	err = buf ? vfio_open(group, &v) : -ENOMEM;
	if (err) {
		result("vfio-roundtrip", false, "open-errno=%d", -err);
		goto out_free;
	}
	err = vfio_claim(&v);
	if (!err)
		err = edu_open(&v, bdf, &e);
	if (err) {
		result("vfio-roundtrip", false, "claim-errno=%d", -err);
		goto out_close;
	}

	err = vfio_map(&v, buf, IOVA_FIRST, SLOT);
	ok = !err && edu_round_trip(&e, buf, IOVA_FIRST, 0x11);
	result("vfio-roundtrip", ok, "dev=%s iova=0x%llx bytes=%d errno=%d",
	       bdf, IOVA_FIRST, XFER, -err);

	err = vfio_unmap(&v, IOVA_FIRST, SLOT);
	ok = !err && edu_write_blocked(&e, buf, IOVA_FIRST);
	result("vfio-unmap-blocked", ok, "dev=%s iova=0x%llx errno=%d", bdf,
	       IOVA_FIRST + PAGE, -err);

	err = vfio_map(&v, buf, IOVA_SECOND, SLOT);
	ok = !err && edu_round_trip(&e, buf, IOVA_SECOND, 0x5a);
	result("vfio-remap", ok, "dev=%s iova=0x%llx errno=%d", bdf,
	       IOVA_SECOND, -err);

	edu_close(&e);
out_close:
	vfio_close(&v);
out_free:
	if (buf)
		munmap(buf, SLOT);
}

void step_vfio(const char *arg)
{
	char bdf[32];
	int err, group = -1;

	err = find_edu(arg, bdf, sizeof(bdf));
	if (err) {
		result("vfio-bind", false, "edu=%s errno=%d", arg, -err);
		return;
	}
	pci_unbind(bdf);
	err = pci_bind_when_ready(bdf, "vfio-pci");
	if (!err)
		group = wait_pci_group(bdf, 5000);
	result("vfio-bind", !err && group >= 0, "dev=%s group=%d errno=%d",
	       bdf, group, -err);
	if (err || group < 0)
		return;
	vfio_single(bdf, group);
	release_device(bdf);
	check_kernel_rebind(bdf, "vfio-rebind-kernel");
}

/*
 * The type1 VMM's hot reset: PCI_HOT_RESET on a device with the group fd
 * that proves ownership of every device on the bus.
 */
static void group_hot_reset(struct vfio *v, struct edu *e)
{
	struct {
		struct vfio_pci_hot_reset hdr;
		int32_t fd;
	} reset = {
		.hdr.argsz = sizeof(reset),
		.hdr.count = 1,
		.fd = v->group,
	};
	int err;

	err = ioctl(e->fd, VFIO_DEVICE_PCI_HOT_RESET, &reset) ? -errno : 0;
	result("group-hot-reset", !err, "dev=%s errno=%d", e->bdf, -err);
}

/*
 * VFIO takes a group only when no member is bound to a kernel DMA driver,
 * keeps kernel DMA drivers off its members while it owns the group, and both
 * members then DMA through the one container.
 */
static void vfio_group_owned(const char *a, const char *b, int group)
{
	char drv[64];
	struct edu ea, eb;
	struct vfio v;
	uint8_t *buf;
	bool viable, ok;
	int err;

	err = vfio_open(group, &v);
	if (err) {
		result("group-refused-kernel-sibling", false, "open-errno=%d",
		       -err);
		return;
	}
	/*
	 * A kernel DMA driver holds the group: EBUSY (base 6.1 said EPERM,
	 * which the series keeps for a group held by another owner).
	 */
	viable = vfio_group_viable(&v);
	err = vfio_claim(&v);
	result("group-refused-kernel-sibling", !viable && err == -EBUSY,
	       "viable=%d errno=%d", viable, -err);
	if (!err)
		goto out_close;

	release_device(b);
	err = vfio_claim(&v);
	result("group-claimed", !err, "group=%d errno=%d", group, -err);
	if (err)
		goto out_close;

	err = pci_bind(b, "dma_map_benchmark");
	pci_driver(b, drv, sizeof(drv));
	result("group-kernel-driver-refused", err && !drv[0],
	       "dev=%s errno=%d driver=%s", b, -err, drv[0] ? drv : "-");
	release_device(b);

	buf = alloc_buffer(2 * SLOT);
	err = buf ? pci_bind(b, "vfio-pci") : -ENOMEM;
	if (!err)
		err = vfio_map(&v, buf, IOVA_FIRST, 2 * SLOT);
	if (!err)
		err = edu_open(&v, a, &ea);
	if (!err) {
		err = edu_open(&v, b, &eb);
		if (err)
			edu_close(&ea);
	}
	if (err) {
		result("group-dma", false, "errno=%d", -err);
		goto out_free;
	}
	ok = edu_round_trip(&ea, buf, IOVA_FIRST, 0x21) &&
	     edu_round_trip(&eb, buf + SLOT, IOVA_FIRST + SLOT, 0x42);
	result("group-dma", ok, "devs=%s,%s iova=0x%llx", a, b, IOVA_FIRST);
	group_hot_reset(&v, &ea);
	edu_close(&eb);
	edu_close(&ea);
out_free:
	if (buf)
		munmap(buf, 2 * SLOT);
out_close:
	vfio_close(&v);
}

void step_vfio_group(const char *arg)
{
	char name_a[16], name_b[16], a[32], b[32];
	int err, err_b, ga = -1, gb = -1;

	if (sscanf(arg, "%15[^,],%15s", name_a, name_b) != 2 ||
	    find_edu(name_a, a, sizeof(a)) || find_edu(name_b, b, sizeof(b))) {
		result("group-shared", false, "bad-argument=%s", arg);
		return;
	}
	pci_unbind(a);
	pci_unbind(b);
	err = pci_bind_when_ready(a, "vfio-pci");
	err_b = pci_bind_when_ready(b, "dma_map_benchmark");
	if (!err && !err_b) {
		ga = wait_pci_group(a, 5000);
		gb = wait_pci_group(b, 5000);
	}
	result("group-shared", !err && !err_b && ga >= 0 && ga == gb,
	       "devs=%s,%s groups=%d,%d errno=%d,%d", a, b, ga, gb, -err,
	       -err_b);
	if (!err && !err_b && ga >= 0 && ga == gb)
		vfio_group_owned(a, b, ga);
	release_device(a);
	release_device(b);

	err = pci_bind_when_ready(a, "dma_map_benchmark");
	result("group-released", !err, "dev=%s errno=%d", a, -err);
	release_device(a);
}
