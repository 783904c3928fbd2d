// SPDX-License-Identifier: GPL-2.0
/*
 * nsbench: per-call cost of the DMA API's map and unmap, in ns, on one PCI
 * device, for make bench (scripts/bench.py).  Built out of tree against
 * each kernel it measures (the base 6.1, the series, 6.12): it uses only
 * the DMA API and the driver core, which all three share.
 *
 *   insmod nsbench.ko bdf=0000:00:03.0 count=50000
 *
 * The device must be in an IOMMU group (else the load fails with ENXIO:
 * the DMA API would map directly).  The load runs the measurement and
 * keeps its lines in the read-only
 * parameter "results" (/sys/module/nsbench/parameters/results), one line
 * per (op, granule):
 *
 *   op=single|page granule=G count=N map_ns=X unmap_ns=Y timer_ns=T
 *
 * Like dma_map_benchmark, each round maps a buffer of G pages
 * (DMA_BIDIRECTIONAL, a 32-bit mask) and unmaps it at once; each call is
 * timed alone with ktime_get_ns().  X and Y are the mean per call less
 * T, the mean cost of a pair of back-to-back ktime_get_ns() calls, in
 * tenths of ns: no 100 ns rounding of each call as in dma_map_benchmark.
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sched.h>

static char *bdf;
module_param(bdf, charp, 0444);
MODULE_PARM_DESC(bdf, "PCI device to map for, such as 0000:00:03.0");

static unsigned int count = 50000;
module_param(count, uint, 0444);
MODULE_PARM_DESC(count, "map/unmap pairs per (op, granule)");

static char results[1024];
module_param_string(results, results, sizeof(results), 0444);
MODULE_PARM_DESC(results, "the measurement, one line per (op, granule)");

/* Mean cost, in ns, of the pair of clock reads around a timed call. */
static u64 timer_cost(unsigned int n)
{
	u64 total = 0, t0, t1;
	unsigned int i;

	for (i = 0; i < n; i++) {
		t0 = ktime_get_ns();
		t1 = ktime_get_ns();
		total += t1 - t0;
	}
	return total;
}

static int measure(struct device *dev, bool page, unsigned int granule,
		   u64 *map_total, u64 *unmap_total)
{
	size_t size = granule * PAGE_SIZE;
	u64 t0, t1, t2;
	dma_addr_t dma;
	unsigned int i;
	void *buf;
	int err = 0;

	buf = alloc_pages_exact(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	*map_total = 0;
	*unmap_total = 0;
	for (i = 0; i < count; i++) {
		t0 = ktime_get_ns();
		if (page)
			dma = dma_map_page(dev, virt_to_page(buf), 0, size,
					   DMA_BIDIRECTIONAL);
		else
			dma = dma_map_single(dev, buf, size,
					     DMA_BIDIRECTIONAL);
		t1 = ktime_get_ns();
		if (dma_mapping_error(dev, dma)) {
			err = -ENOMEM;
			break;
		}
		if (page)
			dma_unmap_page(dev, dma, size, DMA_BIDIRECTIONAL);
		else
			dma_unmap_single(dev, dma, size, DMA_BIDIRECTIONAL);
		t2 = ktime_get_ns();
		*map_total += t1 - t0;
		*unmap_total += t2 - t1;
		if (!(i & 1023))
			cond_resched();
	}
	free_pages_exact(buf, size);
	return err;
}

/* total/count - timer/count, in tenths of ns, as "X.Y" (never below 0). */
static void per_call(char *out, size_t len, u64 total, u64 timer)
{
	u64 tenths = total > timer ? div_u64((total - timer) * 10, count) : 0;

	snprintf(out, len, "%llu.%llu", div_u64(tenths, 10),
		 tenths - div_u64(tenths, 10) * 10);
}

static int __init nsbench_init(void)
{
	static const unsigned int granules[] = { 1, 16 };
	char map_ns[24], unmap_ns[24], timer_ns[24];
	u64 map_total, unmap_total, timer;
	size_t used = 0;
	struct iommu_group *group;
	struct device *dev;
	int op, g, err = 0;

	if (!bdf || !count)
		return -EINVAL;
	dev = bus_find_device_by_name(&pci_bus_type, NULL, bdf);
	if (!dev)
		return -ENODEV;
	/*
	 * Without a group the DMA API maps directly: that is not the IOMMU's
	 * cost.  virtio-iommu may add a device only when a driver binds it.
	 */
	group = iommu_group_get(dev);
	if (!group) {
		err = -ENXIO;
		goto out;
	}
	iommu_group_put(group);
	err = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32));
	if (err)
		goto out;
	timer = timer_cost(count);
	snprintf(timer_ns, sizeof(timer_ns), "%llu.%llu",
		 div_u64(timer, count), div_u64(timer * 10, count) % 10);
	for (op = 0; op < 2 && !err; op++) {
		for (g = 0; g < ARRAY_SIZE(granules) && !err; g++) {
			err = measure(dev, op, granules[g], &map_total,
				      &unmap_total);
			if (err)
				break;
			per_call(map_ns, sizeof(map_ns), map_total, timer);
			per_call(unmap_ns, sizeof(unmap_ns), unmap_total,
				 timer);
			used += scnprintf(results + used, sizeof(results) - used,
					  "op=%s granule=%u count=%u map_ns=%s unmap_ns=%s timer_ns=%s\n",
					  op ? "page" : "single", granules[g],
					  count, map_ns, unmap_ns, timer_ns);
		}
	}
out:
	put_device(dev);
	return err;
}

static void __exit nsbench_exit(void)
{
}

module_init(nsbench_init);
module_exit(nsbench_exit);
MODULE_DESCRIPTION("Per-call ns of dma_map/dma_unmap for make bench");
MODULE_LICENSE("GPL");
