// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/iommu from user space.
 *
 * iommufd-selftest feeds /dev/iommu the hostile input that needs no device
 * and checks each answer's errno and that nothing changed: the IOAS's IOVA
 * ranges, the process's VmPin and VmLck, and the pinned-page counters of
 * /proc/vmstat are as before, and the one mapping made at the start is still
 * the only one at the end.  Each case prints "RESULT iommufd-<case>"; the
 * summary "RESULT iommufd-selftest" passes when every case ran and passed.
 *
 * iommufd=eduN[:HWINFO] drives an edu through its VFIO device cdev bound to
 * an iommufd context, and iommufd-group=eduA,eduB two edus of one group (see
 * step_iommufd() and step_iommufd_group()).
 *
 * The uAPI headers are the ones of the kernel tree under test
 * (IOMMUFD_UAPI_H and VFIO_UAPI_H, set by the Makefile).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <linux/types.h>

/* The tree's headers, not installed ones: headers_install drops __user. */
#define __user
#include IOMMUFD_UAPI_H
#include VFIO_UAPI_H

#include "edu.h"

/*
 * The VFIO device cdev's uAPI, for a tree whose vfio.h does not have it
 * yet: upstream's numbers and layouts (the facts of issue 13).
 */
#ifndef VFIO_DEVICE_BIND_IOMMUFD
struct vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
};

#define VFIO_DEVICE_BIND_IOMMUFD	_IO(VFIO_TYPE, VFIO_BASE + 18)

struct vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
};

#define VFIO_DEVICE_ATTACH_IOMMUFD_PT	_IO(VFIO_TYPE, VFIO_BASE + 19)

struct vfio_device_detach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
};

#define VFIO_DEVICE_DETACH_IOMMUFD_PT	_IO(VFIO_TYPE, VFIO_BASE + 20)
#endif

/* The devid form of the PCI hot reset, for a vfio.h without it. */
#ifndef VFIO_PCI_HOT_RESET_FLAG_DEV_ID
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID		(1 << 0)
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED	(1 << 1)
#endif

#define NOBODY			65534
/*
 * The client's IOVAs differ from the vfio step's, so that the host tells
 * the two steps' faults apart.
 */
#define FD_IOVA_FIRST		0x400000ULL
#define FD_IOVA_SECOND		0x500000ULL
#define MAX_RANGES		8
#define SELFTEST_IOVA		0x100000ULL
#define SELFTEST_LEN		(2 * PAGE)

struct snapshot {
	struct iommu_iova_range ranges[MAX_RANGES];
	unsigned int num_ranges;
	long vm_pin_kb;
	long vm_lck_kb;
	long foll_pins;
};

static long status_kb(const char *key)
{
	char line[256];
	size_t len = strlen(key);
	long val = -1;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':') {
			val = atol(line + len + 1);
			break;
		}
	fclose(f);
	return val;
}

/*
 * Pages pinned with FOLL_PIN and not yet released, in the whole system.  The
 * counters are per CPU until the vmstat worker folds them, every second:
 * root folds them now through stat_refresh, and other users read what was
 * folded last.
 */
static long foll_pins(void)
{
	long acquired = -1, released = -1, val;
	char key[64];
	FILE *f;

	write_file("/proc/sys/vm/stat_refresh", "1");
	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &val) == 2) {
		if (!strcmp(key, "nr_foll_pin_acquired"))
			acquired = val;
		else if (!strcmp(key, "nr_foll_pin_released"))
			released = val;
	}
	fclose(f);
	return acquired < 0 || released < 0 ? -1 : acquired - released;
}

static int iova_ranges(int fd, uint32_t ioas, struct iommu_iova_range *r,
		       unsigned int *num)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.num_iovas = *num,
		.allowed_iovas = (uintptr_t)r,
	};

	if (ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd))
		return -errno;
	*num = cmd.num_iovas;
	return 0;
}

static void snap(int fd, uint32_t ioas, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->num_ranges = MAX_RANGES;
	if (iova_ranges(fd, ioas, s->ranges, &s->num_ranges))
		s->num_ranges = ~0U;
	s->vm_pin_kb = status_kb("VmPin");
	s->vm_lck_kb = status_kb("VmLck");
	s->foll_pins = foll_pins();
}

static bool same(const struct snapshot *a, const struct snapshot *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static int ioas_alloc(int fd, uint32_t *id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	if (ioctl(fd, IOMMU_IOAS_ALLOC, &cmd))
		return -errno;
	*id = cmd.out_ioas_id;
	return 0;
}

static int destroy(int fd, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return ioctl(fd, IOMMU_DESTROY, &cmd) ? -errno : 0;
}

static int map_fixed(int fd, uint32_t ioas, uint32_t flags, const void *va,
		     uint64_t len, uint64_t iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags | IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return ioctl(fd, IOMMU_IOAS_MAP, &cmd) ? -errno : 0;
}

#define MAP_RW	(IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

static int unmap(int fd, uint32_t ioas, uint64_t iova, uint64_t len,
		 uint64_t *unmapped)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};

	if (ioctl(fd, IOMMU_IOAS_UNMAP, &cmd))
		return -errno;
	if (unmapped)
		*unmapped = cmd.length;
	return 0;
}

/* What every hostile call of the selftest works on. */
struct selftest {
	int fd;
	uint32_t ioas;
	uint8_t *buf;		/* 4 pages: the first 2 are mapped */
	int cases, failed;
};

/*
 * Runs one raw ioctl and checks its errno and that the snapshot did not
 * change.  @arg is passed as is.
 */
static void expect(struct selftest *t, const char *name, unsigned long nr,
		   void *arg, int want)
{
	struct snapshot before, after;
	int err;

	snap(t->fd, t->ioas, &before);
	err = ioctl(t->fd, nr, arg) ? errno : 0;
	snap(t->fd, t->ioas, &after);
	t->cases++;
	if (err != want || !same(&before, &after))
		t->failed++;
	result(name, err == want && same(&before, &after),
	       "errno=%d want=%d unchanged=%d vm_pin_kb=%ld foll_pins=%ld",
	       err, want, same(&before, &after), after.vm_pin_kb,
	       after.foll_pins);
}

static void expect_map(struct selftest *t, const char *name, uint32_t flags,
		       uint32_t ioas, const void *va, uint64_t len,
		       uint64_t iova, int want)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	expect(t, name, IOMMU_IOAS_MAP, &cmd, want);
}

static void expect_unmap(struct selftest *t, const char *name, uint64_t iova,
			 uint64_t len, int want)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = t->ioas,
		.iova = iova,
		.length = len,
	};

	expect(t, name, IOMMU_IOAS_UNMAP, &cmd, want);
}

/* Size and layout rules that every ioctl shares. */
static void selftest_sizes(struct selftest *t)
{
	struct {
		struct iommu_ioas_map map;
		uint64_t tail;
	} big = {
		.map = {
			.size = sizeof(big),
			.flags = MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA,
			.ioas_id = t->ioas,
			.user_va = (uintptr_t)t->buf,
			.length = PAGE,
			.iova = 0x400000,
		},
		.tail = 1,
	};
	struct iommu_ioas_alloc alloc = { .size = 4 };
	struct iommu_ioas_map map = {
		.size = 8,
		.flags = MAP_RW,
		.ioas_id = t->ioas,
		.user_va = (uintptr_t)t->buf,
		.length = PAGE,
	};
	struct iommu_destroy d = { .size = sizeof(d), .id = t->ioas };

	expect(t, "iommufd-enotty-below", _IO(IOMMUFD_TYPE, 0x7f), &d,
	       ENOTTY);
	expect(t, "iommufd-enotty-vfio-ioas", _IO(IOMMUFD_TYPE, 0x88), &d,
	       ENOTTY);
	expect(t, "iommufd-enotty-above", _IO(IOMMUFD_TYPE, 0xff), &d, ENOTTY);
	expect(t, "iommufd-enotty-dir-bits",
	       _IOWR(IOMMUFD_TYPE, 0x80, struct iommu_destroy), &d, ENOTTY);
	expect(t, "iommufd-short-size-alloc", IOMMU_IOAS_ALLOC, &alloc,
	       EINVAL);
	expect(t, "iommufd-short-size-map", IOMMU_IOAS_MAP, &map, EINVAL);
	expect(t, "iommufd-tail-e2big", IOMMU_IOAS_MAP, &big, E2BIG);
	expect(t, "iommufd-bad-pointer", IOMMU_IOAS_MAP,
	       (void *)(uintptr_t)0x10, EFAULT);
}

static void selftest_flags(struct selftest *t)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc), .flags = 1 };
	struct iommu_ioas_iova_ranges ranges = {
		.size = sizeof(ranges),
		.ioas_id = t->ioas,
		.__reserved = 1,
	};
	struct iommu_hwpt_alloc hwpt = {
		.size = sizeof(hwpt),
		.flags = 1U << 31,
		.pt_id = t->ioas,
	};
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = MAP_RW,
		.ioas_id = t->ioas,
		.__reserved = 1,
		.user_va = (uintptr_t)t->buf,
		.length = PAGE,
	};

	expect(t, "iommufd-flags-ioas-alloc", IOMMU_IOAS_ALLOC, &alloc,
	       EOPNOTSUPP);
	expect_map(t, "iommufd-flags-map", MAP_RW | 1U << 3, t->ioas, t->buf,
		   PAGE, 0, EOPNOTSUPP);
	expect(t, "iommufd-reserved-map", IOMMU_IOAS_MAP, &map, EOPNOTSUPP);
	expect(t, "iommufd-reserved-iova-ranges", IOMMU_IOAS_IOVA_RANGES,
	       &ranges, EOPNOTSUPP);
	expect(t, "iommufd-flags-hwpt-alloc", IOMMU_HWPT_ALLOC, &hwpt,
	       EOPNOTSUPP);
	hwpt.flags = 0;
	hwpt.data_type = 0x7fff;
	expect(t, "iommufd-data-type-hwpt-alloc", IOMMU_HWPT_ALLOC, &hwpt,
	       EOPNOTSUPP);
}

static void selftest_ids(struct selftest *t)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = 0x7ffffff0 };
	struct iommu_hwpt_alloc hwpt = {
		.size = sizeof(hwpt),
		.dev_id = t->ioas,	/* an IOAS, not a device */
		.pt_id = t->ioas,
	};
	uint32_t gone = 0;
	int err;

	expect(t, "iommufd-enoent-destroy", IOMMU_DESTROY, &d, ENOENT);
	d.id = 0;
	expect(t, "iommufd-enoent-destroy-0", IOMMU_DESTROY, &d, ENOENT);
	expect_map(t, "iommufd-enoent-map", MAP_RW, 0x7ffffff0, t->buf, PAGE,
		   0, ENOENT);
	expect(t, "iommufd-wrong-type-hwpt-dev", IOMMU_HWPT_ALLOC, &hwpt,
	       ENOENT);

	/* A destroyed ID is gone for every ioctl. */
	err = ioas_alloc(t->fd, &gone);
	if (!err)
		err = destroy(t->fd, gone);
	t->cases++;
	t->failed += !!err;
	result("iommufd-ioas-alloc-destroy", !err, "id=%u errno=%d", gone,
	       -err);
	if (err)
		return;
	d.id = gone;
	expect(t, "iommufd-double-destroy", IOMMU_DESTROY, &d, ENOENT);
	expect_map(t, "iommufd-map-destroyed", MAP_RW, gone, t->buf, PAGE, 0,
		   ENOENT);
}

static void selftest_map(struct selftest *t)
{
	const uint32_t fixed = MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA;
	uint8_t *hole, *ro;

	expect_map(t, "iommufd-map-over-mapping", fixed, t->ioas,
		   t->buf + SELFTEST_LEN, PAGE, SELFTEST_IOVA, EEXIST);
	expect_map(t, "iommufd-map-into-mapping", fixed, t->ioas,
		   t->buf + SELFTEST_LEN, 2 * PAGE, SELFTEST_IOVA + PAGE,
		   EEXIST);
	expect_map(t, "iommufd-map-length-0", fixed, t->ioas, t->buf, 0,
		   0x400000, EINVAL);
	expect_map(t, "iommufd-map-iova-overflow", fixed, t->ioas, t->buf,
		   2 * PAGE, ~0ULL - PAGE + 1, EOVERFLOW);
	expect_map(t, "iommufd-map-va-overflow", fixed, t->ioas,
		   (void *)(uintptr_t)(~0ULL - PAGE + 1), 2 * PAGE, 0x400000,
		   EOVERFLOW);
	expect_map(t, "iommufd-map-unaligned-iova", fixed, t->ioas, t->buf,
		   PAGE, 0x400800, EINVAL);
	expect_map(t, "iommufd-map-unaligned-va", fixed, t->ioas,
		   t->buf + 0x800, PAGE, 0x400000, EINVAL);
	expect_map(t, "iommufd-map-unaligned-length", fixed, t->ioas, t->buf,
		   PAGE + 0x800, 0x400000, EINVAL);
	expect_map(t, "iommufd-map-no-access", IOMMU_IOAS_MAP_FIXED_IOVA,
		   t->ioas, t->buf, PAGE, 0x400000, EINVAL);

	/* Memory that cannot be pinned: a hole, and read-only for a write. */
	hole = mmap(NULL, 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		  MAP_POPULATE, -1, 0);
	if (hole != MAP_FAILED) {
		munmap(hole + PAGE, PAGE);
		expect_map(t, "iommufd-map-unmapped-va", fixed, t->ioas,
			   hole + PAGE, PAGE, 0x400000, EFAULT);
		/* Half pinnable: the first page is released again. */
		mprotect(hole, PAGE, PROT_READ | PROT_WRITE);
		hole[0] = 1;
		expect_map(t, "iommufd-map-half-unmapped-va", fixed, t->ioas,
			   hole, 2 * PAGE, 0x400000, EFAULT);
		munmap(hole, PAGE);
	}
	if (ro != MAP_FAILED) {
		expect_map(t, "iommufd-map-readonly-writeable", fixed, t->ioas,
			   ro, PAGE, 0x400000, EFAULT);
		munmap(ro, PAGE);
	}
}

static void selftest_unmap(struct selftest *t)
{
	struct iommu_iova_range r[1];
	struct iommu_ioas_iova_ranges ranges = {
		.size = sizeof(ranges),
		.ioas_id = t->ioas,
		.num_iovas = 0,
		.allowed_iovas = (uintptr_t)r,
	};

	expect_unmap(t, "iommufd-unmap-partial-head", SELFTEST_IOVA, PAGE,
		     EINVAL);
	expect_unmap(t, "iommufd-unmap-partial-tail", SELFTEST_IOVA + PAGE,
		     PAGE, EINVAL);
	expect_unmap(t, "iommufd-unmap-nothing", 0x800000, PAGE, ENOENT);
	expect_unmap(t, "iommufd-unmap-length-0", SELFTEST_IOVA, 0, EINVAL);
	expect_unmap(t, "iommufd-unmap-overflow", ~0ULL - PAGE + 1, 2 * PAGE,
		     EOVERFLOW);
	expect(t, "iommufd-iova-ranges-emsgsize", IOMMU_IOAS_IOVA_RANGES,
	       &ranges, EMSGSIZE);
	t->cases++;
	t->failed += ranges.num_iovas < 1;
	result("iommufd-iova-ranges-count", ranges.num_iovas >= 1,
	       "num_iovas=%u", ranges.num_iovas);
}

static void expect_copy(struct selftest *t, const char *name, uint32_t flags,
			uint32_t dst, uint32_t src, uint64_t len,
			uint64_t dst_iova, uint64_t src_iova, int want)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dst_ioas_id = dst,
		.src_ioas_id = src,
		.length = len,
		.dst_iova = dst_iova,
		.src_iova = src_iova,
	};

	expect(t, name, IOMMU_IOAS_COPY, &cmd, want);
}

/*
 * IOMMU_IOAS_COPY of the selftest's mapping into a second IOAS: no page is
 * pinned or charged again, and the copy survives the destroy of nothing
 * but itself.  Then the hostile copies, each changing nothing.
 */
static void selftest_copy(struct selftest *t)
{
	const uint32_t fixed = MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA;
	struct snapshot before, after;
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = fixed,
		.length = SELFTEST_LEN,
		.dst_iova = 0x400000,
		.src_iova = SELFTEST_IOVA,
	};
	uint32_t dst = 0;
	bool ok;
	int err;

	err = ioas_alloc(t->fd, &dst);
	snap(t->fd, t->ioas, &before);
	if (!err) {
		cmd.dst_ioas_id = dst;
		cmd.src_ioas_id = t->ioas;
		err = ioctl(t->fd, IOMMU_IOAS_COPY, &cmd) ? -errno : 0;
	}
	snap(t->fd, t->ioas, &after);
	ok = !err && same(&before, &after);
	t->cases++;
	t->failed += !ok;
	result("iommufd-copy-shares-pins", ok,
	       "errno=%d vm_pin_kb=%ld,%ld foll_pins=%ld,%ld", -err,
	       before.vm_pin_kb, after.vm_pin_kb, before.foll_pins,
	       after.foll_pins);
	if (!dst)
		return;

	expect_copy(t, "iommufd-copy-flags", fixed | 1U << 3, dst, t->ioas,
		    SELFTEST_LEN, 0x600000, SELFTEST_IOVA, EOPNOTSUPP);
	expect_copy(t, "iommufd-copy-no-access", IOMMU_IOAS_MAP_FIXED_IOVA,
		    dst, t->ioas, SELFTEST_LEN, 0x600000, SELFTEST_IOVA,
		    EINVAL);
	expect_copy(t, "iommufd-copy-enoent-src", fixed, dst, 0x7ffffff0,
		    SELFTEST_LEN, 0x600000, SELFTEST_IOVA, ENOENT);
	expect_copy(t, "iommufd-copy-enoent-dst", fixed, 0x7ffffff0, t->ioas,
		    SELFTEST_LEN, 0x600000, SELFTEST_IOVA, ENOENT);
	expect_copy(t, "iommufd-copy-part-of-mapping", fixed, dst, t->ioas,
		    PAGE, 0x600000, SELFTEST_IOVA, ENOENT);
	expect_copy(t, "iommufd-copy-more-than-mapping", fixed, dst, t->ioas,
		    4 * PAGE, 0x600000, SELFTEST_IOVA, ENOENT);
	expect_copy(t, "iommufd-copy-nothing-mapped", fixed, dst, t->ioas,
		    PAGE, 0x600000, 0x800000, ENOENT);
	expect_copy(t, "iommufd-copy-length-0", fixed, dst, t->ioas, 0,
		    0x600000, SELFTEST_IOVA, EINVAL);
	expect_copy(t, "iommufd-copy-overflow", fixed, dst, t->ioas,
		    SELFTEST_LEN, ~0ULL - PAGE + 1, SELFTEST_IOVA, EOVERFLOW);
	expect_copy(t, "iommufd-copy-unaligned", fixed, dst, t->ioas,
		    SELFTEST_LEN, 0x600800, SELFTEST_IOVA, EINVAL);
	expect_copy(t, "iommufd-copy-over-mapping", fixed, dst, t->ioas,
		    SELFTEST_LEN, 0x400000 + PAGE, SELFTEST_IOVA, EEXIST);
	expect_copy(t, "iommufd-copy-over-source", fixed, t->ioas, t->ioas,
		    SELFTEST_LEN, SELFTEST_IOVA, SELFTEST_IOVA, EEXIST);

	/* Destroying the copy's IOAS leaves the source's pins alone. */
	snap(t->fd, t->ioas, &before);
	err = destroy(t->fd, dst);
	snap(t->fd, t->ioas, &after);
	ok = !err && same(&before, &after);
	t->cases++;
	t->failed += !ok;
	result("iommufd-copy-destroy", ok, "errno=%d vm_pin_kb=%ld,%ld", -err,
	       before.vm_pin_kb, after.vm_pin_kb);
}

static void expect_option(struct selftest *t, const char *name,
			  uint32_t option_id, uint16_t op, uint32_t object_id,
			  uint64_t val, int want)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = option_id,
		.op = op,
		.object_id = object_id,
		.val64 = val,
	};

	expect(t, name, IOMMU_OPTION, &cmd, want);
}

/* The RLIMIT mode is 0 and stays 0; HUGE_PAGES of the IOAS is 1. */
static bool options_default(int fd, uint32_t ioas)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_GET,
		.val64 = 7,
	};

	if (ioctl(fd, IOMMU_OPTION, &cmd) || cmd.val64 != 0)
		return false;
	cmd.option_id = IOMMU_OPTION_HUGE_PAGES;
	cmd.object_id = ioas;
	cmd.val64 = 7;
	return !ioctl(fd, IOMMU_OPTION, &cmd) && cmd.val64 == 1;
}

/*
 * IOMMU_OPTION: the bad requests change nothing, and a SET without
 * CAP_SYS_RESOURCE (as nobody, in a child) is EPERM.
 */
static void selftest_option(struct selftest *t)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_SET,
		.__reserved = 1,
		.val64 = 1,
	};
	int status = -1, err = 0;
	bool ok;
	pid_t pid;

	ok = options_default(t->fd, t->ioas);
	t->cases++;
	t->failed += !ok;
	result("iommufd-option-defaults", ok, "rlimit-mode=0 huge-pages=1");
	expect_option(t, "iommufd-option-rlimit-object", IOMMU_OPTION_RLIMIT_MODE,
		      IOMMU_OPTION_OP_SET, t->ioas, 1, EINVAL);
	expect_option(t, "iommufd-option-rlimit-value", IOMMU_OPTION_RLIMIT_MODE,
		      IOMMU_OPTION_OP_SET, 0, 2, EINVAL);
	expect_option(t, "iommufd-option-unknown-op", IOMMU_OPTION_RLIMIT_MODE,
		      2, 0, 1, EOPNOTSUPP);
	expect_option(t, "iommufd-option-unknown-id", 0x7fff,
		      IOMMU_OPTION_OP_GET, 0, 0, EOPNOTSUPP);
	expect_option(t, "iommufd-option-huge-pages-value",
		      IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, t->ioas, 2,
		      EINVAL);
	expect_option(t, "iommufd-option-huge-pages-enoent",
		      IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, 0x7ffffff0,
		      0, ENOENT);
	expect(t, "iommufd-option-reserved", IOMMU_OPTION, &cmd, EOPNOTSUPP);

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		cmd.__reserved = 0;
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(1);
		_exit(ioctl(t->fd, IOMMU_OPTION, &cmd) && errno == EPERM ? 0 :
		      2);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		err = -ECHILD;
	ok = !err && WIFEXITED(status) && !WEXITSTATUS(status) &&
	     options_default(t->fd, t->ioas);
	t->cases++;
	t->failed += !ok;
	result("iommufd-option-rlimit-eperm", ok, "uid=%d status=%d", NOBODY,
	       status);
}

/*
 * DESTROY of an IOAS that another process maps and unmaps in a loop: while
 * an ioctl holds the IOAS it is EBUSY, then it goes, the mapper's next call
 * gets ENOENT, and whatever it had mapped is unpinned.  Rounds with
 * different delays, so that some destroys meet a map in flight ("busy").
 * Return: 0, or what failed.
 */
static int destroy_racing_round(struct selftest *t, unsigned int delay_ms,
				int *busy)
{
	int err, status, err_destroy = -1, n;
	uint32_t ioas = 0;
	pid_t pid;

	err = ioas_alloc(t->fd, &ioas);
	if (err)
		return err;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		for (n = 0; n < 1000000; n++) {
			err = map_fixed(t->fd, ioas, MAP_RW, t->buf, PAGE,
					0x600000);
			if (!err)
				err = unmap(t->fd, ioas, 0x600000, PAGE, NULL);
			if (err)
				_exit(err == -ENOENT ? 0 : 10);
		}
		_exit(11);
	}
	sleep_ms(delay_ms);
	for (n = 0; n < 100000; n++) {
		err_destroy = destroy(t->fd, ioas);
		if (err_destroy != -EBUSY)
			break;
		(*busy)++;
	}
	if (waitpid(pid, &status, 0) != pid)
		return -ECHILD;
	if (err_destroy)
		return err_destroy;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

static void selftest_destroy_racing(struct selftest *t)
{
	long pins = foll_pins();
	int err = 0, busy = 0;
	unsigned int round;

	for (round = 0; round < 20 && !err; round++)
		err = destroy_racing_round(t, 20 + round % 7, &busy);
	t->cases++;
	t->failed += err || foll_pins() != pins;
	result("iommufd-destroy-racing-map", !err && foll_pins() == pins,
	       "rounds=%u errno=%d busy=%d foll_pins=%ld,%ld", round, -err,
	       busy, pins, foll_pins());
}

/*
 * The child of the memlock cases: as nobody, with no capability left and a
 * 64 KiB RLIMIT_MEMLOCK, a 1 MiB map is refused with nothing pinned, a
 * 32 KiB one is charged, and the charge is gone after the unmap and after
 * the close of a context that still maps it.  In RLIMIT mode 0 the charge
 * shows in VmPin (the user's locked_vm and the mm's pinned_vm); in mode 1
 * in VmLck (the mm's locked_vm), and VmPin does not move.  Exit status:
 * the number of the first check that failed, 0 if none.
 */
static int memlock_child(int fd, uint32_t ioas, int mode)
{
	const struct rlimit lim = { 64 << 10, 64 << 10 };
	const char *charged = mode ? "VmLck" : "VmPin";
	const char *other = mode ? "VmPin" : "VmLck";
	struct snapshot before, after;
	long base, other_kb;
	uint8_t *big;
	int err;

	big = alloc_buffer(1 << 20);
	if (!big || setrlimit(RLIMIT_MEMLOCK, &lim) || setgroups(0, NULL) ||
	    setgid(NOBODY) || setuid(NOBODY))
		return 1;
	snap(fd, ioas, &before);
	err = map_fixed(fd, ioas, MAP_RW, big, 1 << 20, 0x1000000);
	snap(fd, ioas, &after);
	printf("INFO iommufd-memlock mode=%d over-limit errno=%d vm_pin_kb=%ld,%ld vm_lck_kb=%ld,%ld foll_pins=%ld,%ld\n",
	       mode, -err, before.vm_pin_kb, after.vm_pin_kb,
	       before.vm_lck_kb, after.vm_lck_kb, before.foll_pins,
	       after.foll_pins);
	/* Not folded for nobody: the parent compares them around the child. */
	before.foll_pins = after.foll_pins = 0;
	if (err != -ENOMEM || !same(&before, &after))
		return 2;
	base = status_kb(charged);
	other_kb = status_kb(other);
	err = map_fixed(fd, ioas, MAP_RW, big, 32 << 10, 0x1000000);
	printf("INFO iommufd-memlock mode=%d under-limit errno=%d %s_kb=%ld,%ld %s_kb=%ld,%ld\n",
	       mode, -err, charged, base, status_kb(charged), other,
	       other_kb, status_kb(other));
	if (err || status_kb(charged) != base + 32 ||
	    status_kb(other) != other_kb)
		return 3;
	if (unmap(fd, ioas, 0x1000000, 32 << 10, NULL) ||
	    status_kb(charged) != base)
		return 4;
	/* Left mapped: the close must uncharge and unpin it. */
	if (map_fixed(fd, ioas, MAP_RW, big, 32 << 10, 0x1000000))
		return 5;
	close(fd);
	printf("INFO iommufd-memlock mode=%d after-close %s_kb=%ld foll_pins=%ld\n",
	       mode, charged, status_kb(charged), foll_pins());
	if (status_kb(charged) != base)
		return 6;
	return 0;
}

static int set_rlimit_mode(int fd, int mode)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_SET,
		.val64 = mode,
	};

	return ioctl(fd, IOMMU_OPTION, &cmd) ? -errno : 0;
}

/* Mode 1 is set by root, before the child gives up its capabilities. */
static void selftest_memlock(struct selftest *t, int mode)
{
	long pins = foll_pins();
	uint32_t ioas = 0;
	int fd, status = -1, err;
	pid_t pid;

	/* A context of its own: its close is part of the check. */
	fd = open("/dev/iommu", O_RDWR);
	err = fd < 0 ? -errno : ioas_alloc(fd, &ioas);
	if (!err && mode)
		err = set_rlimit_mode(fd, mode);
	if (!err) {
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			_exit(memlock_child(fd, ioas, mode));
		/* The child's close must be the last one. */
		close(fd);
		fd = -1;
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			err = -ECHILD;
	}
	if (fd >= 0)
		close(fd);
	t->cases++;
	err = err ? err : WIFEXITED(status) ? WEXITSTATUS(status) : -EINTR;
	t->failed += err || foll_pins() != pins;
	result(mode ? "iommufd-memlock-mm" : "iommufd-memlock",
	       !err && foll_pins() == pins,
	       "uid=%d mode=%d failed-check=%d foll_pins=%ld,%ld", NOBODY, mode,
	       err, pins, foll_pins());
}

void step_iommufd_selftest(const char *arg)
{
	struct selftest t = { .fd = -1 };
	struct snapshot start, end;
	uint64_t unmapped = 0;
	long pins = foll_pins();
	int err;

	(void)arg;
	t.buf = alloc_buffer(4 * PAGE);
	t.fd = open("/dev/iommu", O_RDWR);
	err = t.fd < 0 ? -errno : t.buf ? ioas_alloc(t.fd, &t.ioas) : -ENOMEM;
	if (!err)
		err = map_fixed(t.fd, t.ioas, MAP_RW, t.buf, SELFTEST_LEN,
				SELFTEST_IOVA);
	result("iommufd-open", !err, "ioas=%u errno=%d", t.ioas, -err);
	if (err)
		goto out;
	snap(t.fd, t.ioas, &start);
	info("iommufd-ranges", "num=%u first=0x%llx-0x%llx vm_pin_kb=%ld",
	     start.num_ranges, (unsigned long long)start.ranges[0].start,
	     (unsigned long long)start.ranges[0].last, start.vm_pin_kb);

	selftest_sizes(&t);
	selftest_flags(&t);
	selftest_ids(&t);
	selftest_map(&t);
	selftest_unmap(&t);
	selftest_copy(&t);
	selftest_option(&t);
	selftest_destroy_racing(&t);
	selftest_memlock(&t, 0);
	selftest_memlock(&t, 1);

	/* The first mapping is intact, and it is the only one. */
	snap(t.fd, t.ioas, &end);
	err = unmap(t.fd, t.ioas, 0, ~0ULL, &unmapped);
	t.cases++;
	t.failed += !same(&start, &end) || err || unmapped != SELFTEST_LEN;
	result("iommufd-unmap-all", !err && unmapped == SELFTEST_LEN &&
	       same(&start, &end), "errno=%d unmapped=0x%llx unchanged=%d",
	       -err, (unsigned long long)unmapped, same(&start, &end));
	err = destroy(t.fd, t.ioas);
	t.cases++;
	t.failed += !!err;
	result("iommufd-destroy", !err, "ioas=%u errno=%d", t.ioas, -err);
out:
	if (t.fd >= 0)
		close(t.fd);
	if (t.buf)
		munmap(t.buf, 4 * PAGE);
	result("iommufd-selftest", t.cases && !t.failed && !err &&
	       foll_pins() == pins && status_kb("VmPin") == 0,
	       "cases=%d failed=%d foll_pins=%ld,%ld vm_pin_kb=%ld", t.cases,
	       t.failed, pins, foll_pins(), status_kb("VmPin"));
}

/* The device cdev of a PCI device bound to vfio-pci, /dev/vfio/devices/vfioN. */
static int cdev_path(const char *bdf, char *path, size_t len)
{
	char dir[256], **names;
	int n, i, ret = -ENOENT;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	n = list_dir(dir, &names);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		if (!strncmp(names[i], "vfio", 4)) {
			snprintf(path, len, "/dev/vfio/devices/%s", names[i]);
			ret = 0;
			break;
		}
	free_names(names, n);
	return ret;
}

static int cdev_open(const char *bdf)
{
	char path[96];
	int err, fd;

	err = cdev_path(bdf, path, sizeof(path));
	if (err)
		return err;
	fd = open(path, O_RDWR);
	return fd < 0 ? -errno : fd;
}

static int cdev_bind(int cdev, int iommufd, uint32_t *devid)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iommufd,
	};

	if (ioctl(cdev, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return -errno;
	if (devid)
		*devid = bind.out_devid;
	return 0;
}

static int cdev_attach(int cdev, uint32_t pt_id, uint32_t *out)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.pt_id = pt_id,
	};

	if (ioctl(cdev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		return -errno;
	if (out)
		*out = attach.pt_id;
	return 0;
}

static int cdev_detach(int cdev, uint32_t flags)
{
	struct vfio_device_detach_iommufd_pt detach = {
		.argsz = sizeof(detach),
		.flags = flags,
	};

	return ioctl(cdev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach) ? -errno : 0;
}

static int hwpt_alloc(int fd, uint32_t dev_id, uint32_t pt_id, uint32_t *id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
		.pt_id = pt_id,
	};

	if (ioctl(fd, IOMMU_HWPT_ALLOC, &cmd))
		return -errno;
	*id = cmd.out_hwpt_id;
	return 0;
}

/*
 * The VFIO group path while the device is bound to an iommufd: opening
 * /dev/vfio/<group> is refused with EBUSY.  Should the open succeed, the
 * group's SET_CONTAINER is tried too.  Return: the errno of the first step
 * refused, and in @step which step it was.
 */
static int group_claim(int group_id, const char **step)
{
	int container, group, err = 0;
	char path[64];

	*step = "container-open";
	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		return -errno;
	snprintf(path, sizeof(path), "/dev/vfio/%d", group_id);
	*step = "group-open";
	group = open(path, O_RDWR);
	if (group < 0) {
		err = -errno;
	} else {
		*step = "set-container";
		if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container))
			err = -errno;
		close(group);
	}
	close(container);
	return err;
}

/*
 * The converse: while /dev/vfio/<group> is open, even with no container
 * set, the cdev's bind is refused with EBUSY and the device stays unbound.
 * Should the bind succeed, *@cdev is reopened unbound, so that the checks
 * after this one still test what they name.
 */
static void iommufd_cdev_refused_group_open(int *cdev, const char *bdf,
					    int fd, int group_id)
{
	int group, err;
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%d", group_id);
	group = open(path, O_RDWR);
	if (group < 0) {
		result("iommufd-cdev-refused-group-open", false,
		       "group=%d open-errno=%d", group_id, errno);
		return;
	}
	err = cdev_bind(*cdev, fd, NULL);
	close(group);
	result("iommufd-cdev-refused-group-open", err == -EBUSY,
	       "group=%d errno=%d", group_id, -err);
	if (!err) {
		close(*cdev);
		*cdev = cdev_open(bdf);
	}
}

/* Binds @bdf to vfio-pci; returns its group or a negative errno. */
static int bind_vfio_pci(const char *bdf)
{
	int err, group;

	pci_unbind(bdf);
	err = pci_bind_when_ready(bdf, "vfio-pci");
	if (err)
		return err;
	group = wait_pci_group(bdf, 5000);
	return group < 0 ? -ENODEV : group;
}

/* Before bind: the cdev answers no device ioctl, and no attach. */
static void iommufd_before_bind(int cdev, uint32_t ioas)
{
	struct vfio_region_info bar = {
		.argsz = sizeof(bar),
		.index = VFIO_PCI_BAR0_REGION_INDEX,
	};
	int err_info, err_attach, err_badfd, err_notfd;

	err_info = ioctl(cdev, VFIO_DEVICE_GET_REGION_INFO, &bar) ? errno : 0;
	err_attach = cdev_attach(cdev, ioas, NULL);
	result("iommufd-before-bind", err_info == EINVAL &&
	       err_attach == -EINVAL, "region-info=%d attach=%d", err_info,
	       -err_attach);
	err_badfd = cdev_bind(cdev, -1, NULL);
	err_notfd = cdev_bind(cdev, 0, NULL);	/* the console */
	result("iommufd-bind-bad-fd", err_badfd == -EBADF &&
	       err_notfd == -EINVAL, "fd-1=%d console=%d", -err_badfd,
	       -err_notfd);
}

/*
 * @cdev is bound to @fd with @dev_id and attached to @pt, the HWPT of
 * @ioas. Hostile attaches: a short argsz, a flag, an unknown ID, and the
 * ID of the device itself, which is no IOAS or HWPT; each must leave the
 * device on @pt, which its destroy then finds busy. Then a second file of
 * the same cdev may open, but not bind the device again.
 */
static void iommufd_attach_bad_input(const char *bdf, int fd, int cdev,
				     uint32_t dev_id, uint32_t pt)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach) - 1,
		.pt_id = pt,
	};
	int e_short, e_flags, e_unknown, e_type, e_busy, e_second;
	int second;

	e_short = ioctl(cdev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) ?
		  errno : 0;
	attach.argsz = sizeof(attach);
	attach.flags = 1;
	e_flags = ioctl(cdev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) ?
		  errno : 0;
	e_unknown = -cdev_attach(cdev, 0xfffffff0, NULL);
	e_type = -cdev_attach(cdev, dev_id, NULL);
	e_busy = -destroy(fd, pt);
	result("iommufd-attach-bad-input",
	       e_short == EINVAL && e_flags == EINVAL && e_unknown == ENOENT &&
	       e_type == ENOENT && e_busy == EBUSY,
	       "dev=%s short=%d flags=%d unknown=%d device-id=%d hwpt-destroy=%d",
	       bdf, e_short, e_flags, e_unknown, e_type, e_busy);

	second = cdev_open(bdf);
	e_second = second < 0 ? second : cdev_bind(second, fd, NULL);
	if (second >= 0)
		close(second);
	result("iommufd-bind-second-file", e_second == -EBUSY,
	       "dev=%s errno=%d", bdf, -e_second);
}

/*
 * @e is open on the cdev attached to @hwpt of @ioas, mapped at
 * FD_IOVA_SECOND. DETACH with a flag is refused; DETACH leaves @hwpt free
 * to destroy, a second DETACH has nothing to do, and an attach to the IOAS
 * makes DMA work again.
 */
static void iommufd_detach(struct edu *e, int fd, uint32_t ioas,
			   uint32_t hwpt, uint8_t *buf)
{
	int e_flags, e_detach, e_again, e_destroy, e_attach;
	bool ok;

	e_flags = -cdev_detach(e->fd, 1);
	e_detach = -cdev_detach(e->fd, 0);
	e_again = -cdev_detach(e->fd, 0);
	e_destroy = -destroy(fd, hwpt);
	e_attach = -cdev_attach(e->fd, ioas, NULL);
	ok = e_flags == EINVAL && !e_detach && !e_again && !e_destroy &&
	     !e_attach && edu_round_trip(e, buf, FD_IOVA_SECOND, 0x88);
	result("iommufd-detach", ok,
	       "dev=%s flags=%d detach=%d again=%d hwpt-destroy=%d attach=%d",
	       e->bdf, e_flags, e_detach, e_again, e_destroy, e_attach);
}

/*
 * @e is open on the cdev bound to @fd with @dev_id, attached to @ioas.  The
 * DMA checks, as the vfio step has them, then HWPT replace while mapped,
 * destroy of what is in use, and detach.
 */
static void iommufd_dma(struct edu *e, int fd, uint32_t ioas, uint32_t dev_id,
			uint8_t *buf)
{
	uint32_t hwpt[2] = { 0, 0 }, got = 0;
	bool ok;
	int err;

	err = map_fixed(fd, ioas, MAP_RW, buf, SLOT, FD_IOVA_FIRST);
	ok = !err && edu_round_trip(e, buf, FD_IOVA_FIRST, 0x13);
	result("iommufd-roundtrip", ok, "dev=%s iova=0x%llx bytes=%d errno=%d",
	       e->bdf, FD_IOVA_FIRST, XFER, -err);

	err = unmap(fd, ioas, FD_IOVA_FIRST, SLOT, NULL);
	ok = !err && edu_write_blocked(e, buf, FD_IOVA_FIRST);
	result("iommufd-unmap-blocked", ok, "dev=%s iova=0x%llx errno=%d",
	       e->bdf, FD_IOVA_FIRST + PAGE, -err);

	err = map_fixed(fd, ioas, MAP_RW, buf, SLOT, FD_IOVA_SECOND);
	ok = !err && edu_round_trip(e, buf, FD_IOVA_SECOND, 0x5b);
	result("iommufd-remap", ok, "dev=%s iova=0x%llx errno=%d", e->bdf,
	       FD_IOVA_SECOND, -err);

	/* Two HWPTs of the IOAS, each replacing the last while mapped. */
	err = hwpt_alloc(fd, dev_id, ioas, &hwpt[0]);
	if (!err)
		err = hwpt_alloc(fd, dev_id, ioas, &hwpt[1]);
	ok = !err;
	if (!err)
		err = cdev_attach(e->fd, hwpt[0], &got);
	ok = ok && !err && got == hwpt[0] &&
	     edu_round_trip(e, buf, FD_IOVA_SECOND, 0x66);
	if (!err)
		err = cdev_attach(e->fd, hwpt[1], &got);
	ok = ok && !err && got == hwpt[1] &&
	     edu_round_trip(e, buf, FD_IOVA_SECOND, 0x77);
	result("iommufd-hwpt-replace", ok,
	       "dev=%s hwpts=%u,%u attached=%u errno=%d", e->bdf, hwpt[0],
	       hwpt[1], got, -err);

	/* In use: the IOAS under the attached HWPT, the HWPT, the device. */
	{
		int e_ioas = destroy(fd, ioas), e_hwpt = destroy(fd, hwpt[1]);
		int e_dev = destroy(fd, dev_id), e_free = destroy(fd, hwpt[0]);

		result("iommufd-destroy-busy", e_ioas == -EBUSY &&
		       e_hwpt == -EBUSY && e_dev == -EBUSY && !e_free,
		       "ioas=%d hwpt-attached=%d device=%d hwpt-free=%d",
		       -e_ioas, -e_hwpt, -e_dev, -e_free);
	}
	iommufd_detach(e, fd, ioas, hwpt[1], buf);
}

/*
 * What IOMMU_GET_HW_INFO must say of the edu's IOMMU, named after "eduN:"
 * in the step's argument: no data (the default, for an IOMMU whose driver
 * describes nothing), VT-d's registers, or an SMMUv3's with the stages the
 * scenario's SMMU has in IDR0: S1P alone (QEMU's stage=1), S2P alone
 * (stage=2) or both (stage=nested).
 */
enum hw_kind { HW_NONE, HW_VTD, HW_SMMUV3_S1, HW_SMMUV3_S2, HW_SMMUV3_NESTED };

static const struct {
	const char *name;
	enum hw_kind kind;
} hw_kinds[] = {
	{ "none", HW_NONE },
	{ "vtd", HW_VTD },
	{ "smmuv3-s1", HW_SMMUV3_S1 },
	{ "smmuv3-s2", HW_SMMUV3_S2 },
	{ "smmuv3-nested", HW_SMMUV3_NESTED },
};

/* The uAPI's sizes, which a VMM built against any kernel relies on. */
#define HW_INFO_VTD_LEN		24
#define HW_INFO_SMMUV3_LEN	40
_Static_assert(sizeof(struct iommu_hw_info_vtd) == HW_INFO_VTD_LEN,
	       "struct iommu_hw_info_vtd");
_Static_assert(sizeof(struct iommu_hw_info_arm_smmuv3) == HW_INFO_SMMUV3_LEN,
	       "struct iommu_hw_info_arm_smmuv3");

/* SMMU_IDR0, IDR1 and AIDR fields, from the SMMUv3 specification. */
#define SMMU_IDR0_S2P		(1U << 0)
#define SMMU_IDR0_S1P		(1U << 1)
#define SMMU_IDR0_TTF(r)	(((r) >> 2) & 3)	/* 2: AArch64, 3: both */
#define SMMU_IDR0_TTENDIAN(r)	(((r) >> 21) & 3)	/* 0: mixed, 2: LE */
#define SMMU_IDR1_PRESET	(7U << 28)	/* TABLES_, QUEUES_PRESET, REL */
#define SMMU_AIDR_MAJOR(r)	(((r) >> 4) & 0xf)	/* 0: SMMUv3 */

/* Room for any type's data and more, to see what is written past it. */
#define HW_BUF			128
#define HW_SHORT		8
#define HW_POISON		0xa5

static int hw_info(int fd, uint32_t dev_id, void *buf, uint32_t len,
		   uint32_t *out_len, uint32_t *type)
{
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
		.data_len = len,
		.data_uptr = (uintptr_t)buf,
	};

	if (ioctl(fd, IOMMU_GET_HW_INFO, &cmd))
		return -errno;
	*out_len = cmd.data_len;
	*type = cmd.out_data_type;
	return 0;
}

static bool all_byte(const uint8_t *p, size_t len, uint8_t val)
{
	while (len--)
		if (*p++ != val)
			return false;
	return true;
}

/* A hexadecimal sysfs attribute, as VT-d's cap and ecap are printed. */
static int read_hex(const char *path, uint64_t *val)
{
	char text[32], *end;
	int err;

	err = read_file(path, text, sizeof(text));
	if (err)
		return err;
	errno = 0;
	*val = strtoull(text, &end, 16);
	return errno || end == text || *end ? -EINVAL : 0;
}

#define VTD_UNIT_LEN		64

/*
 * The cap and ecap of the VT-d unit that serves @bdf, from sysfs: the
 * device's "iommu" link names the unit, under /sys/class/iommu.
 */
static int vtd_sysfs_regs(const char *bdf, char unit[VTD_UNIT_LEN],
			  uint64_t *cap, uint64_t *ecap)
{
	char path[256], link[256];
	const char *slash;
	ssize_t n;
	int err;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	slash = strrchr(link, '/');
	snprintf(unit, VTD_UNIT_LEN, "%.63s", slash ? slash + 1 : link);
	snprintf(path, sizeof(path), "/sys/class/iommu/%s/intel-iommu/cap", unit);
	err = read_hex(path, cap);
	if (err)
		return err;
	snprintf(path, sizeof(path), "/sys/class/iommu/%s/intel-iommu/ecap",
		 unit);
	return read_hex(path, ecap);
}

static void hw_info_vtd(const char *bdf, const uint8_t *data)
{
	struct iommu_hw_info_vtd vtd;
	uint64_t cap = 0, ecap = 0;
	char unit[VTD_UNIT_LEN] = "";
	int err;

	memcpy(&vtd, data, sizeof(vtd));
	err = vtd_sysfs_regs(bdf, unit, &cap, &ecap);
	result("iommufd-hw-info", !err && !vtd.flags && !vtd.__reserved &&
	       vtd.cap_reg == cap && vtd.ecap_reg == ecap,
	       "dev=%s type=%u unit=%s flags=0x%x cap=0x%llx sysfs-cap=0x%llx ecap=0x%llx sysfs-ecap=0x%llx errno=%d",
	       bdf, IOMMU_HW_INFO_TYPE_INTEL_VTD, unit, vtd.flags,
	       (unsigned long long)vtd.cap_reg, (unsigned long long)cap,
	       (unsigned long long)vtd.ecap_reg, (unsigned long long)ecap,
	       -err);
}

/*
 * An SMMUv3's registers: the stages the scenario asks for, and what the
 * driver insists on when it probes (arm_smmu_device_hw_probe()): AArch64
 * tables, little-endian or mixed table walks, and no preset tables or
 * queues; AIDR gives architecture version 3.
 */
static void hw_info_smmuv3(const char *bdf, const uint8_t *data,
			   enum hw_kind kind)
{
	static const char *const stages[] = { "none", "S2P", "S1P", "S1P,S2P" };
	bool s1 = kind != HW_SMMUV3_S2, s2 = kind != HW_SMMUV3_S1;
	struct iommu_hw_info_arm_smmuv3 smmu;
	uint32_t idr0, want;
	bool ok;

	memcpy(&smmu, data, sizeof(smmu));
	idr0 = smmu.idr[0];
	want = (s1 ? SMMU_IDR0_S1P : 0) | (s2 ? SMMU_IDR0_S2P : 0);
	ok = !smmu.flags && !smmu.__reserved &&
	     (idr0 & (SMMU_IDR0_S1P | SMMU_IDR0_S2P)) == want &&
	     SMMU_IDR0_TTF(idr0) >= 2 &&
	     (SMMU_IDR0_TTENDIAN(idr0) == 0 || SMMU_IDR0_TTENDIAN(idr0) == 2) &&
	     !(smmu.idr[1] & SMMU_IDR1_PRESET) &&
	     SMMU_AIDR_MAJOR(smmu.aidr) == 0;
	result("iommufd-hw-info", ok,
	       "dev=%s type=%u flags=0x%x stages=%s want=%s idr=0x%08x,0x%08x,0x%08x,0x%08x,0x%08x,0x%08x iidr=0x%08x aidr=0x%08x",
	       bdf, IOMMU_HW_INFO_TYPE_ARM_SMMUV3, smmu.flags,
	       stages[idr0 & (SMMU_IDR0_S1P | SMMU_IDR0_S2P)], stages[want],
	       smmu.idr[0], smmu.idr[1], smmu.idr[2], smmu.idr[3], smmu.idr[4],
	       smmu.idr[5], smmu.iidr, smmu.aidr);
}

/*
 * IOMMU_GET_HW_INFO on the bound device @dev_id: the length alone (a
 * data_len of 0), a buffer larger than the data, which must read as the
 * data and then zeroes, and a short one of HW_SHORT bytes, of which
 * exactly those must be written; each answer gives the whole length and
 * the same type. Then the data, as @kind says.
 */
static void iommufd_hw_info(const char *bdf, int fd, uint32_t dev_id,
			    enum hw_kind kind)
{
	uint32_t want_type = IOMMU_HW_INFO_TYPE_NONE, want_len = 0;
	uint32_t len0 = 0, len = 0, len_short = 0, t0 = 0, t = 0, t_short = 0;
	uint8_t data[HW_BUF], shrt[HW_BUF];
	int err0, err, err_short;
	bool short_exact, tail_zero;

	if (kind == HW_VTD) {
		want_type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
		want_len = HW_INFO_VTD_LEN;
	} else if (kind != HW_NONE) {
		want_type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
		want_len = HW_INFO_SMMUV3_LEN;
	}
	memset(data, HW_POISON, sizeof(data));
	memset(shrt, HW_POISON, sizeof(shrt));
	err0 = hw_info(fd, dev_id, NULL, 0, &len0, &t0);
	err = hw_info(fd, dev_id, data, sizeof(data), &len, &t);
	err_short = hw_info(fd, dev_id, shrt, HW_SHORT, &len_short, &t_short);
	tail_zero = all_zero(data + want_len, sizeof(data) - want_len);
	short_exact = !memcmp(shrt, data, HW_SHORT) &&
		      all_byte(shrt + HW_SHORT, sizeof(shrt) - HW_SHORT,
			       HW_POISON);
	result("iommufd-hw-info-buffer", !err0 && !err && !err_short &&
	       len0 == want_len && len == want_len && len_short == want_len &&
	       t0 == t && t_short == t && tail_zero && short_exact,
	       "dev=%s data_len=%u,%u,%u want=%u types=%u,%u,%u short-written=%s tail-zero=%s errno=%d,%d,%d",
	       bdf, len0, len, len_short, want_len, t0, t, t_short,
	       short_exact ? "exact" : "no", tail_zero ? "yes" : "no",
	       -err0, -err, -err_short);

	if (err || t != want_type || len != want_len) {
		result("iommufd-hw-info", false,
		       "dev=%s type=%u want=%u data_len=%u errno=%d", bdf, t,
		       want_type, len, -err);
		return;
	}
	if (kind == HW_NONE)
		result("iommufd-hw-info", true, "dev=%s type=%u data_len=%u",
		       bdf, t, len);
	else if (kind == HW_VTD)
		hw_info_vtd(bdf, data);
	else
		hw_info_smmuv3(bdf, data, kind);
}

static void iommufd_single(const char *bdf, int group, enum hw_kind hw)
{
	uint32_t ioas = 0, dev_id = 0, pt = 0;
	int fd, cdev, err, err_group;
	long pins = foll_pins();
	const char *step;
	uint8_t *buf;
	struct edu e;

	buf = alloc_buffer(SLOT);
	fd = open("/dev/iommu", O_RDWR);
	cdev = cdev_open(bdf);
	err = !buf ? -ENOMEM : fd < 0 ? -errno : cdev < 0 ? cdev :
	      ioas_alloc(fd, &ioas);
	if (err) {
		result("iommufd-bind", false, "dev=%s open-errno=%d", bdf, -err);
		goto out;
	}
	iommufd_before_bind(cdev, ioas);
	iommufd_cdev_refused_group_open(&cdev, bdf, fd, group);
	err = cdev_bind(cdev, fd, &dev_id);
	{
		int again = cdev_bind(cdev, fd, NULL);

		result("iommufd-bind", !err && again == -EINVAL,
		       "dev=%s devid=%u errno=%d bind-again=%d", bdf, dev_id,
		       -err, -again);
	}
	if (err)
		goto out;
	iommufd_hw_info(bdf, fd, dev_id, hw);
	err_group = group_claim(group, &step);
	result("iommufd-group-path-refused",
	       err_group == -EBUSY && !strcmp(step, "group-open"),
	       "group=%d step=%s errno=%d", group, step, -err_group);

	err = cdev_attach(cdev, ioas, &pt);
	result("iommufd-attach", !err && pt && pt != ioas,
	       "dev=%s ioas=%u hwpt=%u errno=%d", bdf, ioas, pt, -err);
	if (!err)
		iommufd_attach_bad_input(bdf, fd, cdev, dev_id, pt);
	if (err) {
		uint32_t hwpt = 0;
		int err_hwpt = hwpt_alloc(fd, dev_id, ioas, &hwpt);
		int err_attach = err_hwpt ? 0 : cdev_attach(cdev, hwpt, NULL);

		/* Which half failed: the domain, or its attach. */
		info("iommufd-attach", "hwpt-alloc=%d hwpt=%u attach-hwpt=%d",
		     -err_hwpt, hwpt, -err_attach);
		goto out;
	}
	err = edu_setup(&e, bdf, cdev);
	cdev = -1;	/* edu_close() closes it, or edu_setup() did */
	if (err) {
		result("iommufd-roundtrip", false, "dev=%s setup-errno=%d", bdf,
		       -err);
		goto out;
	}
	iommufd_dma(&e, fd, ioas, dev_id, buf);
	/* The cdev first: the device stops its DMA before the IOAS goes. */
	edu_close(&e);
out:
	if (cdev >= 0)
		close(cdev);
	if (fd >= 0)
		close(fd);
	if (buf)
		munmap(buf, SLOT);
	result("iommufd-closed", foll_pins() == pins && status_kb("VmPin") == 0,
	       "dev=%s foll_pins=%ld,%ld vm_pin_kb=%ld", bdf, pins, foll_pins(),
	       status_kb("VmPin"));
}

/*
 * iommufd=eduN[:HWINFO]: bind the edu's cdev to an iommufd, ask what its
 * IOMMU is (HWINFO, one of hw_kinds[], says what the answer must be), attach
 * it to an IOAS, DMA, unmap and see the write blocked, remap, replace its
 * HWPT twice while mapped, destroy what is in use (EBUSY), try the group
 * path (EBUSY), then close and have a kernel driver bind again.
 */
void step_iommufd(const char *arg)
{
	const char *hw_name = strchr(arg, ':');
	enum hw_kind hw = HW_NONE;
	char bdf[32];
	unsigned int i;
	int group, err;

	if (hw_name) {
		for (i = 0; i < sizeof(hw_kinds) / sizeof(hw_kinds[0]); i++)
			if (!strcmp(hw_name + 1, hw_kinds[i].name))
				break;
		if (i == sizeof(hw_kinds) / sizeof(hw_kinds[0])) {
			result("iommufd-bind", false, "bad-argument=%s", arg);
			return;
		}
		hw = hw_kinds[i].kind;
	}
	err = find_edu(arg, bdf, sizeof(bdf));
	group = err ? err : bind_vfio_pci(bdf);
	if (group < 0) {
		result("iommufd-bind", false, "edu=%s errno=%d", arg, -group);
		return;
	}
	iommufd_single(bdf, group, hw);
	release_device(bdf);
	check_kernel_rebind(bdf, "iommufd-rebind-kernel");
}

/*
 * GET_PCI_HOT_RESET_INFO on a bound cdev: first with room for no device,
 * ENOSPC with the count and the devid format; then devids, all owned, A
 * and B among them by their IDs; then PCI_HOT_RESET with no group fds.
 * The devices are read through the group_id member, which shares the
 * devid's place.
 */
static void hot_reset_by_devid(int ca, uint32_t id_a, uint32_t id_b)
{
	struct {
		struct vfio_pci_hot_reset_info hdr;
		struct vfio_pci_dependent_device devs[8];
	} info = { .hdr.argsz = sizeof(info.hdr) };
	struct vfio_pci_hot_reset reset = { .argsz = sizeof(reset) };
	bool seen_a = false, seen_b = false, owned = true;
	unsigned int i;
	int err;

	err = ioctl(ca, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &info) ? -errno : 0;
	result("iommufd-group-hot-reset-probe",
	       err == -ENOSPC && info.hdr.count >= 2 &&
	       info.hdr.flags == VFIO_PCI_HOT_RESET_FLAG_DEV_ID,
	       "flags=0x%x count=%u errno=%d", info.hdr.flags, info.hdr.count,
	       -err);
	memset(&info, 0, sizeof(info));
	info.hdr.argsz = sizeof(info);
	err = ioctl(ca, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &info) ? -errno : 0;
	for (i = 0; !err && i < info.hdr.count && i < 8; i++) {
		seen_a |= info.devs[i].group_id == id_a;
		seen_b |= info.devs[i].group_id == id_b;
		owned &= info.devs[i].group_id != (uint32_t)-1;
	}
	result("iommufd-group-hot-reset-info",
	       !err && info.hdr.flags == (VFIO_PCI_HOT_RESET_FLAG_DEV_ID |
					  VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED) &&
	       seen_a && seen_b && owned,
	       "flags=0x%x count=%u devids=%s errno=%d", info.hdr.flags,
	       info.hdr.count, seen_a && seen_b ? "a,b" : "missing", -err);
	err = ioctl(ca, VFIO_DEVICE_PCI_HOT_RESET, &reset) ? -errno : 0;
	result("iommufd-group-hot-reset", !err, "fds=0 errno=%d", -err);
}

/*
 * iommufd-group=eduA,eduB, two edus of one group: with a kernel DMA driver
 * on B, A's bind is refused (EBUSY); with both on vfio-pci, a second context
 * cannot bind B once the first has A (EPERM), the first binds B too, the
 * hot reset by devid resets both with no group fds, and both DMA through
 * one IOAS after it.
 */
void step_iommufd_group(const char *arg)
{
	char name_a[16], name_b[16], a[32], b[32];
	int fd = -1, fd2 = -1, ca = -1, cb = -1, ga, gb, err, err2;
	uint32_t ioas = 0, id_a = 0, id_b = 0;
	struct edu ea, eb;
	uint8_t *buf = NULL;
	bool ok;

	if (sscanf(arg, "%15[^,],%15s", name_a, name_b) != 2 ||
	    find_edu(name_a, a, sizeof(a)) || find_edu(name_b, b, sizeof(b))) {
		result("iommufd-group-kernel-sibling", false,
		       "bad-argument=%s", arg);
		return;
	}
	ga = bind_vfio_pci(a);
	pci_unbind(b);
	err = pci_bind_when_ready(b, "dma_map_benchmark");
	gb = pci_group(b);
	fd = open("/dev/iommu", O_RDWR);
	ca = ga < 0 ? ga : cdev_open(a);
	err2 = err || ga < 0 || ga != gb || fd < 0 || ca < 0 ? -ENODEV :
	       cdev_bind(ca, fd, &id_a);
	result("iommufd-group-kernel-sibling", err2 == -EBUSY,
	       "devs=%s,%s groups=%d,%d errno=%d", a, b, ga, gb, -err2);
	if (err || ga < 0 || ga != gb || fd < 0 || ca < 0 || !err2)
		goto out;

	release_device(b);
	gb = bind_vfio_pci(b);
	fd2 = open("/dev/iommu", O_RDWR);
	cb = cdev_open(b);
	err = cdev_bind(ca, fd, &id_a);
	err2 = err || cb < 0 || fd2 < 0 ? -ENODEV : cdev_bind(cb, fd2, NULL);
	result("iommufd-group-other-ctx", !err && err2 == -EPERM,
	       "bind-a=%d bind-b-other=%d", -err, -err2);
	if (err || cb < 0)
		goto out;
	err = cdev_bind(cb, fd, &id_b);
	result("iommufd-group-claimed", !err, "devs=%s,%s devids=%u,%u errno=%d",
	       a, b, id_a, id_b, -err);
	if (err)
		goto out;
	hot_reset_by_devid(ca, id_a, id_b);

	buf = alloc_buffer(2 * SLOT);
	err = !buf ? -ENOMEM : ioas_alloc(fd, &ioas);
	if (!err)
		err = cdev_attach(ca, ioas, NULL);
	if (!err)
		err = cdev_attach(cb, ioas, NULL);
	if (!err)
		err = map_fixed(fd, ioas, MAP_RW, buf, 2 * SLOT, IOVA_FIRST);
	if (!err) {
		err = edu_setup(&ea, a, ca);
		ca = -1;
	}
	if (!err) {
		err = edu_setup(&eb, b, cb);
		cb = -1;
		if (err)
			edu_close(&ea);
	}
	if (err) {
		result("iommufd-group-dma", false, "errno=%d", -err);
		goto out;
	}
	ok = edu_round_trip(&ea, buf, IOVA_FIRST, 0x23) &&
	     edu_round_trip(&eb, buf + SLOT, IOVA_FIRST + SLOT, 0x45);
	result("iommufd-group-dma", ok, "devs=%s,%s iova=0x%llx", a, b,
	       IOVA_FIRST);
	edu_close(&eb);
	edu_close(&ea);
out:
	if (ca >= 0)
		close(ca);
	if (cb >= 0)
		close(cb);
	if (fd2 >= 0)
		close(fd2);
	if (fd >= 0)
		close(fd);
	if (buf)
		munmap(buf, 2 * SLOT);
	release_device(a);
	release_device(b);
	check_kernel_rebind(a, "iommufd-group-released");
}

/*
 * iommufd-bench=eduN[:ROUNDS[:MIB4K[:MIB2M]]]: the cost of IOAS_MAP and
 * IOAS_UNMAP on /dev/iommu against VFIO_IOMMU_MAP_DMA/UNMAP_DMA on a type1
 * container, both with the Nth edu attached so that each map fills an
 * IOMMU page table.  MIB4K MiB of user memory are mapped and unmapped in
 * 4 KiB mappings, then MIB2M MiB in 2 MiB mappings (default 1024 each),
 * one ioctl per mapping; a round
 * does that once through each path, alternating which path goes first.
 * The guest kernel has no hugetlbfs and no THP: the memory is anonymous,
 * 2 MiB-aligned and touched before the first round, so a 2 MiB mapping
 * pins 512 small pages on both paths.  type1 allows dma_entry_limit
 * mappings per container (65535 by default), which is raised for the
 * step.  Per size it prints "RESULT iommufd-bench" with the median over
 * the rounds of the ns per map and per unmap of each path and the
 * iommufd/type1 ratios; the host judges the ratios.
 */
#define BENCH_IOVA		0x100000000ULL	/* above the 32-bit MSI window */
#define BENCH_MAX_ROUNDS	16
#define DMA_LIMIT		"/sys/module/vfio_iommu_type1/parameters/dma_entry_limit"

enum { BENCH_TYPE1, BENCH_IOMMUFD, BENCH_PATHS };
static const char *const bench_path[BENCH_PATHS] = { "type1", "iommufd" };
static const uint64_t bench_size[] = { 4096, 2ULL << 20 };
#define BENCH_SIZES	(sizeof(bench_size) / sizeof(bench_size[0]))

struct bench_ctx {
	int fd;		/* the container, or /dev/iommu */
	int group;	/* type1: the group */
	int cdev;	/* iommufd: the device cdev */
	uint32_t ioas;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int bench_open(int path, const char *bdf, int group_id,
		      struct bench_ctx *c)
{
	char name[64];
	uint32_t dev_id, pt;
	int err;

	memset(c, 0, sizeof(*c));
	c->group = c->cdev = -1;
	if (path == BENCH_TYPE1) {
		c->fd = open("/dev/vfio/vfio", O_RDWR);
		if (c->fd < 0)
			return -errno;
		snprintf(name, sizeof(name), "/dev/vfio/%d", group_id);
		c->group = open(name, O_RDWR);
		if (c->group < 0)
			return -errno;
		if (ioctl(c->group, VFIO_GROUP_SET_CONTAINER, &c->fd) ||
		    ioctl(c->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
			return -errno;
		return 0;
	}
	c->fd = open("/dev/iommu", O_RDWR);
	if (c->fd < 0)
		return -errno;
	c->cdev = cdev_open(bdf);
	if (c->cdev < 0)
		return c->cdev;
	err = ioas_alloc(c->fd, &c->ioas);
	if (!err)
		err = cdev_bind(c->cdev, c->fd, &dev_id);
	if (!err)
		err = cdev_attach(c->cdev, c->ioas, &pt);
	return err;
}

static void bench_close(struct bench_ctx *c)
{
	/* The device (or group) first, as a VMM does. */
	if (c->cdev >= 0)
		close(c->cdev);
	if (c->group >= 0)
		close(c->group);
	if (c->fd >= 0)
		close(c->fd);
}

static int bench_map(int path, struct bench_ctx *c, void *va, uint64_t iova,
		     uint64_t len)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = len,
	};

	if (path == BENCH_IOMMUFD)
		return map_fixed(c->fd, c->ioas, MAP_RW, va, len, iova);
	return ioctl(c->fd, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static int bench_unmap(int path, struct bench_ctx *c, uint64_t iova,
		       uint64_t len)
{
	struct vfio_iommu_type1_dma_unmap cmd = {
		.argsz = sizeof(cmd),
		.iova = iova,
		.size = len,
	};
	uint64_t done = 0;
	int err;

	if (path == BENCH_IOMMUFD) {
		err = unmap(c->fd, c->ioas, iova, len, &done);
		return err ? err : done == len ? 0 : -EIO;
	}
	if (ioctl(c->fd, VFIO_IOMMU_UNMAP_DMA, &cmd))
		return -errno;
	return cmd.size == len ? 0 : -EIO;
}

/* One path, one round: ns per map and per unmap for each size. */
static int bench_round(int path, const char *bdf, int group, uint8_t *buf,
		       const uint64_t total[], double map_ns[],
		       double unmap_ns[])
{
	struct bench_ctx c;
	unsigned int s;
	uint64_t off, t0, t1, t2;
	int err;

	err = bench_open(path, bdf, group, &c);
	for (s = 0; !err && s < BENCH_SIZES; s++) {
		uint64_t n = total[s] / bench_size[s];

		t0 = now_ns();
		for (off = 0; !err && off < total[s]; off += bench_size[s])
			err = bench_map(path, &c, buf + off, BENCH_IOVA + off,
					bench_size[s]);
		t1 = now_ns();
		for (off = 0; !err && off < total[s]; off += bench_size[s])
			err = bench_unmap(path, &c, BENCH_IOVA + off,
					  bench_size[s]);
		t2 = now_ns();
		map_ns[s] = (double)(t1 - t0) / n;
		unmap_ns[s] = (double)(t2 - t1) / n;
		if (err)
			info("iommufd-bench", "path=%s size=%llu off=0x%llx errno=%d",
			     bench_path[path],
			     (unsigned long long)bench_size[s],
			     (unsigned long long)off, -err);
	}
	if (err && s == 0)
		info("iommufd-bench", "path=%s open-errno=%d", bench_path[path],
		     -err);
	bench_close(&c);
	return err;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void step_iommufd_bench(const char *arg)
{
	static double map_ns[BENCH_PATHS][BENCH_SIZES][BENCH_MAX_ROUNDS];
	static double unmap_ns[BENCH_PATHS][BENCH_SIZES][BENCH_MAX_ROUNDS];
	unsigned int rounds = 3, mib[BENCH_SIZES] = { 1024, 1024 }, r, s, i;
	char edu[16] = "", bdf[32], limit[32] = "", want[32];
	uint64_t total[BENCH_SIZES], most = 0;
	uint8_t *raw = MAP_FAILED, *buf;
	size_t raw_len;
	int group, err = 0;

	sscanf(arg, "%15[^:]:%u:%u:%u", edu, &rounds, &mib[0], &mib[1]);
	if (!rounds || rounds > BENCH_MAX_ROUNDS || !mib[0] || !mib[1] ||
	    mib[1] % 2) {
		result("iommufd-bench", false, "arg=%s", arg);
		return;
	}
	for (s = 0; s < BENCH_SIZES; s++) {
		total[s] = (uint64_t)mib[s] << 20;
		if (total[s] > most)
			most = total[s];
	}
	err = find_edu(edu, bdf, sizeof(bdf));
	group = err ? err : bind_vfio_pci(bdf);
	if (group < 0) {
		result("iommufd-bench", false, "edu=%s errno=%d", edu, -group);
		return;
	}
	/* 2 MiB-aligned anonymous memory, every page present. */
	raw_len = most + (2ULL << 20);
	raw = mmap(NULL, raw_len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED) {
		result("iommufd-bench", false, "mmap-errno=%d", errno);
		goto out;
	}
	buf = (uint8_t *)(((uintptr_t)raw + (2ULL << 20) - 1) &
			  ~((2ULL << 20) - 1));
	memset(buf, 0x5a, most);
	read_file(DMA_LIMIT, limit, sizeof(limit));
	snprintf(want, sizeof(want), "%llu",
		 (unsigned long long)(most / PAGE + 1));
	write_file(DMA_LIMIT, want);
	info("iommufd-bench", "dev=%s mib_4k=%u mib_2m=%u rounds=%u memory=anonymous-2m-aligned dma_entry_limit=%s",
	     bdf, mib[0], mib[1], rounds, want);

	for (r = 0; !err && r < rounds; r++) {
		for (i = 0; !err && i < BENCH_PATHS; i++) {
			int path = (r + i) % BENCH_PATHS;	/* alternate */
			double m[BENCH_SIZES], u[BENCH_SIZES];

			err = bench_round(path, bdf, group, buf, total, m, u);
			for (s = 0; !err && s < BENCH_SIZES; s++) {
				map_ns[path][s][r] = m[s];
				unmap_ns[path][s][r] = u[s];
				info("iommufd-bench",
				     "round=%u path=%s size=%llu map_ns=%.1f unmap_ns=%.1f",
				     r, bench_path[path],
				     (unsigned long long)bench_size[s], m[s],
				     u[s]);
			}
		}
	}
	for (s = 0; s < BENCH_SIZES; s++) {
		double tm, fm, tu, fu;

		if (err) {
			result("iommufd-bench", false, "size=%llu rounds=%u/%u",
			       (unsigned long long)bench_size[s], r, rounds);
			continue;
		}
		tm = median(map_ns[BENCH_TYPE1][s], rounds);
		fm = median(map_ns[BENCH_IOMMUFD][s], rounds);
		tu = median(unmap_ns[BENCH_TYPE1][s], rounds);
		fu = median(unmap_ns[BENCH_IOMMUFD][s], rounds);
		result("iommufd-bench", true,
		       "size=%llu count=%llu rounds=%u type1_map_ns=%.1f iommufd_map_ns=%.1f map_ratio=%.3f type1_unmap_ns=%.1f iommufd_unmap_ns=%.1f unmap_ratio=%.3f",
		       (unsigned long long)bench_size[s],
		       (unsigned long long)(total[s] / bench_size[s]), rounds,
		       tm, fm, fm / tm, tu, fu, fu / tu);
	}
	if (limit[0])
		write_file(DMA_LIMIT, limit);
out:
	if (raw != MAP_FAILED)
		munmap(raw, raw_len);
	release_device(bdf);
}
