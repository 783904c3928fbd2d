// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's dma_map_benchmark, driven through its debugfs ioctl on an edu
 * device bound to the dma_map_benchmark driver.  The ABI header comes from
 * the kernel tree under test (MAP_BENCHMARK_H, set by the Makefile).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/types.h>

#include MAP_BENCHMARK_H

#include "guest.h"

int run_map_benchmark(unsigned int granule, unsigned int seconds,
		      double *map_us, double *unmap_us)
{
	struct map_benchmark map = {
		.threads = 1,
		.seconds = seconds,
		.node = -1,
		.dma_bits = 32,
		.dma_dir = DMA_MAP_BIDIRECTIONAL,
		.granule = granule,
	};
	int fd, err = 0;

	fd = open("/sys/kernel/debug/dma_map_benchmark", O_RDWR);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, DMA_MAP_BENCHMARK, &map))
		err = -errno;
	close(fd);
	if (err)
		return err;
	*map_us = map.avg_map_100ns / 10.0;
	*unmap_us = map.avg_unmap_100ns / 10.0;
	return 0;
}

/* bench=eduN:GRANULE:SECONDS[:REPEAT] prints one RESULT line per run. */
void step_bench(const char *arg)
{
	unsigned int granule, seconds, repeat = 1, i;
	double map_us, unmap_us;
	char name[16], bdf[32];
	int err;

	if (sscanf(arg, "%15[^:]:%u:%u:%u", name, &granule, &seconds,
		   &repeat) < 3 || find_edu(name, bdf, sizeof(bdf))) {
		result("bench", false, "bad-argument=%s", arg);
		return;
	}
	pci_unbind(bdf);
	err = pci_bind_when_ready(bdf, "dma_map_benchmark");
	if (err) {
		result("bench", false, "dev=%s bind-errno=%d", bdf, -err);
		return;
	}
	for (i = 0; i < repeat; i++) {
		err = run_map_benchmark(granule, seconds, &map_us,
					&unmap_us);
		result("bench", !err,
		       "dev=%s granule=%u map_us=%.2f unmap_us=%.2f errno=%d",
		       bdf, granule, map_us, unmap_us, -err);
	}
	pci_unbind(bdf);
}

/*
 * nsbench=eduN:COUNT[:PERIOD] loads /nsbench.ko (tools/nsbench, built for
 * the kernel that boots: scripts/bench.py packs it into that kernel's
 * initramfs) for the Nth edu, which times COUNT map/unmap pairs per op and
 * granule, one every PERIOD ns if given, and prints one RESULT line per
 * line of its "results" parameter.
 */
void step_nsbench(const char *arg)
{
	char name[16], bdf[32], params[96], out[2048], *line, *save;
	unsigned int count, period = 0;
	struct utsname uts;
	int fd, err = 0;

	if (sscanf(arg, "%15[^:]:%u:%u", name, &count, &period) < 2 ||
	    find_edu(name, bdf, sizeof(bdf))) {
		result("nsbench", false, "bad-argument=%s", arg);
		return;
	}
	if (!uname(&uts))
		info("kernel", "release=%s", uts.release);
	/*
	 * Bound to dma_map_benchmark, as for bench=: an IOMMU that adds a
	 * device only when a driver binds it (virtio-iommu) has then done so.
	 * The module times the DMA API on the device whatever its driver.
	 */
	pci_unbind(bdf);
	err = pci_bind_when_ready(bdf, "dma_map_benchmark");
	if (err) {
		result("nsbench", false, "dev=%s bind-errno=%d", bdf, -err);
		return;
	}
	snprintf(params, sizeof(params), "bdf=%s count=%u period=%u", bdf,
		 count, period);
	fd = open("/nsbench.ko", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, params, 0))
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (!err)
		err = read_file("/sys/module/nsbench/parameters/results", out,
				sizeof(out));
	if (err) {
		result("nsbench", false, "dev=%s errno=%d", bdf, -err);
		pci_unbind(bdf);
		return;
	}
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		result("nsbench", true, "dev=%s %s", bdf, line);
	syscall(SYS_delete_module, "nsbench", O_NONBLOCK);
	pci_unbind(bdf);
}
