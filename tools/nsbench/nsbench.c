// SPDX-License-Identifier: GPL-2.0
/*
 * nsbench: per-call cost of the DMA API's map and unmap, in ns, on one PCI
 * device, for make bench (scripts/bench.py).  Built out of tree against
 * each kernel it measures (the base 6.1, the series, 6.12): it uses only
 * the DMA API and the driver core, which all three share.
 *
 *   insmod nsbench.ko bdf=0000:00:03.0 count=50000 [period=12000]
 *
 * The device must be in an IOMMU group (else the load fails with ENXIO:
 * the DMA API would map directly).  The load runs the measurement and
 * keeps its lines in the read-only
 * parameter "results" (/sys/module/nsbench/parameters/results), one line
 * per (op, granule):
 *
 *   op=single|page granule=G count=N map_ns=X unmap_ns=Y timer_ns=T
 *     loop_ns=L map_p50_ns=A unmap_p50_ns=B map_slow=C map_slow_ns=D
 *     unmap_slow=E unmap_slow_ns=F
 *
 * Like dma_map_benchmark, each round maps a buffer of G pages
 * (DMA_BIDIRECTIONAL, a 32-bit mask) and unmaps it at once, N times.
 *
 * In the first round each call is timed alone with ktime_get_ns(), with
 * interrupts off, and with a period P given, a map/unmap pair starts every
 * P ns (at once if late): a flush queue's timeout then empties the queue
 * after as many unmaps whatever the kernel, where back to back the faster
 * kernel has more unmaps fill the queue and flush it themselves.  X and Y
 * are the mean per call less T, the mean cost of a pair of back-to-back
 * ktime_get_ns() calls, in ns to a tenth (no 100 ns rounding of each call
 * as in dma_map_benchmark).  A call's figure is its own work, a flush it
 * does itself included; what a timer or an interrupt does for it later (a
 * flush queue's timeout) is not in it, nor is an interrupt that happened
 * to come while it ran, which would be charged to whichever of map and
 * unmap takes longer.  A and B are the median call, timer included; C and
 * E count the calls that took more than twice the median (a flush queue
 * emptied), and D and F are their total over N, the timer included: about
 * X - D is the mean of the calls that took the usual path.
 *
 * The second round is untimed inside, interrupts on: L is its total over
 * N, in ns to a tenth: what a map and an unmap cost with everything they
 * leave to interrupts and timers.
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

static char *bdf;
module_param(bdf, charp, 0444);
MODULE_PARM_DESC(bdf, "PCI device to map for, such as 0000:00:03.0");

static unsigned int count = 50000;
module_param(count, uint, 0444);
MODULE_PARM_DESC(count, "map/unmap pairs per (op, granule)");

static unsigned int period;
module_param(period, uint, 0444);
MODULE_PARM_DESC(period, "ns from the start of one timed pair to the next, 0: back to back");

static char results[2048];
module_param_string(results, results, sizeof(results), 0444);
MODULE_PARM_DESC(results, "the measurement, one line per (op, granule)");

/* Mean cost, in ns, of the pair of clock reads around a timed call. */
static u64 timer_cost(unsigned int n)
{
	u64 total = 0, t0, t1;
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < n; i++) {
		local_irq_save(flags);
		t0 = ktime_get_ns();
		t1 = ktime_get_ns();
		local_irq_restore(flags);
		total += t1 - t0;
	}
	return total;
}

/* The duration of each call of a round, for its median and its slow calls. */
static u32 *map_ns_of, *unmap_ns_of;

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The median of the n durations in @ns (sorted in place), the number of
 * calls above twice the median, and their total.
 */
static u32 slow_calls(u32 *ns, unsigned int n, unsigned int *slow,
		      u64 *slow_total)
{
	unsigned int i;
	u32 p50;

	sort(ns, n, sizeof(*ns), cmp_u32, NULL);
	p50 = ns[n / 2];
	*slow = 0;
	*slow_total = 0;
	for (i = 0; i < n; i++) {
		if (ns[i] > 2 * p50) {
			(*slow)++;
			*slow_total += ns[i];
		}
	}
	return p50;
}

/* One call of the round: map, with interrupts off while it is timed. */
static dma_addr_t timed_map(struct device *dev, bool page, void *buf,
			    size_t size, u64 *ns)
{
	unsigned long flags;
	dma_addr_t dma;
	u64 t0;

	local_irq_save(flags);
	t0 = ktime_get_ns();
	if (page)
		dma = dma_map_page(dev, virt_to_page(buf), 0, size,
				   DMA_BIDIRECTIONAL);
	else
		dma = dma_map_single(dev, buf, size, DMA_BIDIRECTIONAL);
	*ns = ktime_get_ns() - t0;
	local_irq_restore(flags);
	return dma;
}

static void timed_unmap(struct device *dev, bool page, dma_addr_t dma,
			size_t size, u64 *ns)
{
	unsigned long flags;
	u64 t0;

	local_irq_save(flags);
	t0 = ktime_get_ns();
	if (page)
		dma_unmap_page(dev, dma, size, DMA_BIDIRECTIONAL);
	else
		dma_unmap_single(dev, dma, size, DMA_BIDIRECTIONAL);
	*ns = ktime_get_ns() - t0;
	local_irq_restore(flags);
}

/*
 * Each call timed alone, interrupts off: its own work, a flush it does
 * itself included, and no interrupt that happened to come during it.
 */
static int measure_calls(struct device *dev, bool page, unsigned int granule,
			 u64 *map_total, u64 *unmap_total)
{
	size_t size = granule * PAGE_SIZE;
	u64 map_ns, unmap_ns, next;
	dma_addr_t dma;
	unsigned int i;
	void *buf;
	int err = 0;

	buf = alloc_pages_exact(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	*map_total = 0;
	*unmap_total = 0;
	next = ktime_get_ns();
	for (i = 0; i < count; i++) {
		while (ktime_get_ns() < next)
			cpu_relax();
		next += period;
		dma = timed_map(dev, page, buf, size, &map_ns);
		if (dma_mapping_error(dev, dma)) {
			err = -ENOMEM;
			break;
		}
		timed_unmap(dev, page, dma, size, &unmap_ns);
		*map_total += map_ns;
		*unmap_total += unmap_ns;
		map_ns_of[i] = map_ns;
		unmap_ns_of[i] = unmap_ns;
		if (!(i & 1023))
			cond_resched();
	}
	free_pages_exact(buf, size);
	return err;
}

/*
 * The same round untimed, interrupts on, timed as a whole: what a map and
 * an unmap cost together with the work they leave to interrupts and timers
 * (a flush queue's timeout), which lands in whatever call is running.  It
 * calls the DMA API itself rather than through timed_map() and
 * timed_unmap(): a shared helper changed the code the compiler made of
 * those, and so the timed figures, by up to 13 ns.
 */
static int measure_loop(struct device *dev, bool page, unsigned int granule,
			u64 *total)
{
	size_t size = granule * PAGE_SIZE;
	dma_addr_t dma;
	unsigned int i;
	void *buf;
	int err = 0;
	u64 t0;

	buf = alloc_pages_exact(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	t0 = ktime_get_ns();
	for (i = 0; i < count; i++) {
		if (page)
			dma = dma_map_page(dev, virt_to_page(buf), 0, size,
					   DMA_BIDIRECTIONAL);
		else
			dma = dma_map_single(dev, buf, size,
					     DMA_BIDIRECTIONAL);
		if (dma_mapping_error(dev, dma)) {
			err = -ENOMEM;
			break;
		}
		if (page)
			dma_unmap_page(dev, dma, size, DMA_BIDIRECTIONAL);
		else
			dma_unmap_single(dev, dma, size, DMA_BIDIRECTIONAL);
		if (!(i & 1023))
			cond_resched();
	}
	*total = ktime_get_ns() - t0;
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
	char map_ns[24], unmap_ns[24], timer_ns[24], map_slow_ns[24];
	char unmap_slow_ns[24], loop_ns[24];
	u64 map_total, unmap_total, loop_total, timer, map_slow_total;
	u64 unmap_slow_total;
	unsigned int map_slow, unmap_slow;
	u32 map_p50, unmap_p50;
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
	map_ns_of = vmalloc(array_size(count, sizeof(*map_ns_of)));
	unmap_ns_of = vmalloc(array_size(count, sizeof(*unmap_ns_of)));
	if (!map_ns_of || !unmap_ns_of) {
		err = -ENOMEM;
		goto out_free;
	}
	timer = timer_cost(count);
	snprintf(timer_ns, sizeof(timer_ns), "%llu.%llu",
		 div_u64(timer, count), div_u64(timer * 10, count) % 10);
	for (op = 0; op < 2 && !err; op++) {
		for (g = 0; g < ARRAY_SIZE(granules) && !err; g++) {
			err = measure_calls(dev, op, granules[g], &map_total,
					    &unmap_total);
			if (!err)
				err = measure_loop(dev, op, granules[g],
						   &loop_total);
			if (err)
				break;
			per_call(map_ns, sizeof(map_ns), map_total, timer);
			per_call(unmap_ns, sizeof(unmap_ns), unmap_total,
				 timer);
			map_p50 = slow_calls(map_ns_of, count, &map_slow,
					     &map_slow_total);
			unmap_p50 = slow_calls(unmap_ns_of, count, &unmap_slow,
					       &unmap_slow_total);
			per_call(loop_ns, sizeof(loop_ns), loop_total, 0);
			per_call(map_slow_ns, sizeof(map_slow_ns),
				 map_slow_total, 0);
			per_call(unmap_slow_ns, sizeof(unmap_slow_ns),
				 unmap_slow_total, 0);
			used += scnprintf(results + used, sizeof(results) - used,
					  "op=%s granule=%u count=%u map_ns=%s unmap_ns=%s timer_ns=%s loop_ns=%s map_p50_ns=%u unmap_p50_ns=%u map_slow=%u map_slow_ns=%s unmap_slow=%u unmap_slow_ns=%s\n",
					  op ? "page" : "single", granules[g],
					  count, map_ns, unmap_ns, timer_ns,
					  loop_ns, map_p50, unmap_p50, map_slow,
					  map_slow_ns, unmap_slow,
					  unmap_slow_ns);
		}
	}
out_free:
	vfree(unmap_ns_of);
	vfree(map_ns_of);
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
