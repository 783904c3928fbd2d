// SPDX-License-Identifier: GPL-2.0
/*
 * Guest init for the IOMMU series test machines.
 *
 * The kernel passes everything after "--" on its command line to init as
 * argv.  Each argument is one step; steps run in order and print lines the
 * host reads (tests/README.md describes them):
 *
 *   RESULT <check> PASS|FAIL [key=value ...]
 *   INFO <topic> [key=value ...]  (INFO kernel-text addr=: where KASLR put
 *                                  the kernel, read by the host on a hang)
 *   DONE
 *
 * Steps:
 *   iommus                  list /sys/class/iommu, check there is one
 *   groups=translated|identity
 *                           default domain type of every PCI device's group
 *   disk=DEV:BYTES:CRC32    read DEV through the DMA API, compare the CRC
 *   vfio=eduN               single-device VFIO scenario on the Nth edu
 *   vfio-group=eduA,eduB    multi-device group scenario
 *   iommufd-selftest        hostile input on /dev/iommu, no device needed
 *   iommufd=eduN[:HWINFO]   the Nth edu through its VFIO cdev and iommufd;
 *                           HWINFO is what IOMMU_GET_HW_INFO must give:
 *                           none (default), vtd, smmuv3-s1, smmuv3-s2 or
 *                           smmuv3-nested
 *   iommufd-group=eduA,eduB two edus of one group through iommufd
 *   iommufd-bench=eduN[:ROUNDS[:MIB4K[:MIB2M]]]
 *                           IOAS_MAP/UNMAP against type1 MAP/UNMAP_DMA,
 *                           MIB4K MiB in 4 KiB and MIB2M in 2 MiB mappings
 *   vmm=eduN[:container]    QEMU 10 inside the guest, assigned the Nth edu
 *                           (the qemu10 initramfs only)
 *   dma-fq=eduN:refused|accepted
 *                           ask for a flush queue through sysfs
 *   bench=eduN:GRANULE:SECONDS[:REPEAT]
 *                           dma_map_benchmark on the Nth edu
 *   nsbench=eduN:COUNT[:PERIOD]
 *                           the DMA API's per-call ns on the Nth edu, from
 *                           the module /nsbench.ko (tools/nsbench), a pair
 *                           every PERIOD ns if given
 *   remove=eduN             remove the Nth edu from the PCI bus, which
 *                           releases it from its IOMMU
 *   kmemleak                scan for leaks
 *
 * Then the machine powers off.  The program is static and has no
 * dependencies, so the same source serves x86_64 and arm64 guests.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <linux/types.h>
#include <linux/vfio.h>

#include "guest.h"

static int failures;

void result(const char *check, bool pass, const char *fmt, ...)
{
	va_list ap;

	printf("RESULT %s %s", check, pass ? "PASS" : "FAIL");
	if (fmt && *fmt) {
		putchar(' ');
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	fflush(stdout);
	if (!pass)
		failures++;
}

void info(const char *topic, const char *fmt, ...)
{
	va_list ap;

	printf("INFO %s ", topic);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Returns 0 or a negative errno, as the kernel's sysfs store returned it. */
int write_file(const char *path, const char *val)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Reads a short sysfs attribute without its trailing newline. */
int read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists a directory's entries, sorted, without "." and "..". */
int list_dir(const char *path, char ***names)
{
	struct dirent *de;
	char **v = NULL;
	int n = 0;
	DIR *d;

	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		v = realloc(v, (n + 1) * sizeof(*v));
		v[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(v, n, sizeof(*v), compare_names);
	*names = v;
	return n;
}

void free_names(char **names, int n)
{
	while (n-- > 0)
		free(names[n]);
	free(names);
}

/* The IOMMU group number of a PCI device, or -1 if it has none. */
int pci_group(const char *bdf)
{
	char path[256], link[256];
	const char *slash;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	slash = strrchr(link, '/');
	return slash ? atoi(slash + 1) : -1;
}

/* Waits for a device to join a group: some IOMMUs add it only at probe. */
int wait_pci_group(const char *bdf, unsigned int timeout_ms)
{
	unsigned int waited;
	int group;

	for (waited = 0;; waited += 20) {
		group = pci_group(bdf);
		if (group >= 0 || waited >= timeout_ms)
			return group;
		sleep_ms(20);
	}
}

int pci_unbind(const char *bdf)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind",
		 bdf);
	if (access(path, F_OK))
		return 0;
	return write_file(path, bdf);
}

/*
 * Binds @bdf to @driver through driver_override.  Returns the errno of the
 * bind, which is the kernel's answer to whether @driver may own the device.
 * driver_override is cleared again when the bind fails.
 */
int pci_bind(const char *bdf, const char *driver)
{
	char path[256];
	int err;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 bdf);
	err = write_file(path, driver);
	if (err)
		return err;
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", driver);
	err = write_file(path, bdf);
	if (err) {
		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/%s/driver_override", bdf);
		write_file(path, "\n");
	}
	return err;
}

/*
 * Binds @bdf to @driver, retrying while the probe is deferred (-EAGAIN):
 * the IOMMU that serves the device may not have probed yet.
 */
int pci_bind_when_ready(const char *bdf, const char *driver)
{
	unsigned int waited;
	int err;

	for (waited = 0;; waited += 100) {
		err = pci_bind(bdf, driver);
		if (err != -EAGAIN || waited >= 10000)
			return err;
		sleep_ms(100);
	}
}

/* The driver bound to @bdf, or "" when none. */
void pci_driver(const char *bdf, char *buf, size_t len)
{
	char path[256], link[256];
	const char *slash;
	ssize_t n;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return;
	link[n] = '\0';
	slash = strrchr(link, '/');
	snprintf(buf, len, "%s", slash ? slash + 1 : link);
}

/* Resolves "eduN" to the BDF of the Nth edu device in BDF order. */
int find_edu(const char *name, char *bdf, size_t len)
{
	char **devs, path[256], id[32];
	int n, i, want, seen = 0, ret = -ENODEV;

	if (strncmp(name, "edu", 3))
		return -EINVAL;
	want = atoi(name + 3);
	n = list_dir("/sys/bus/pci/devices", &devs);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device",
			 devs[i]);
		if (read_file(path, id, sizeof(id)) || strcmp(id, "0x11e8"))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor",
			 devs[i]);
		if (read_file(path, id, sizeof(id)) || strcmp(id, "0x1234"))
			continue;
		if (seen++ == want) {
			snprintf(bdf, len, "%s", devs[i]);
			ret = 0;
			break;
		}
	}
	if (n > 0)
		free_names(devs, n);
	return ret;
}

/* IEEE 802.3 CRC-32, the one Python's zlib.crc32() computes on the host. */
uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t len)
{
	int k;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return ~crc;
}

static void step_iommus(void)
{
	char **names;
	int n, i;

	n = list_dir("/sys/class/iommu", &names);
	for (i = 0; i < n; i++)
		info("iommu", "name=%s", names[i]);
	result("iommu-probed", n > 0, "count=%d", n > 0 ? n : 0);
	if (n > 0)
		free_names(names, n);
}

/* "DMA" and "DMA-FQ" translate; "identity" does not. */
static bool type_matches(const char *type, const char *want)
{
	if (!strcmp(want, "translated"))
		return !strcmp(type, "DMA") || !strcmp(type, "DMA-FQ");
	return !strcmp(type, want);
}

static void step_groups(const char *want)
{
	char **devs, path[256], type[32], drv[64];
	int n, i, group, grouped = 0, wrong = 0;

	n = list_dir("/sys/bus/pci/devices", &devs);
	for (i = 0; i < n; i++) {
		group = pci_group(devs[i]);
		if (group < 0)
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/type",
			 group);
		if (read_file(path, type, sizeof(type)))
			snprintf(type, sizeof(type), "?");
		pci_driver(devs[i], drv, sizeof(drv));
		info("group", "id=%d dev=%s type=%s driver=%s", group, devs[i],
		     type, drv[0] ? drv : "-");
		grouped++;
		if (!type_matches(type, want))
			wrong++;
	}
	result("default-domain", grouped > 0 && !wrong,
	       "want=%s grouped=%d mismatched=%d", want, grouped, wrong);
	if (n > 0)
		free_names(devs, n);
}

static void step_disk(const char *arg)
{
	static unsigned char buf[1 << 16];
	char dev[64];
	unsigned long long want_bytes, bytes = 0;
	unsigned int want_crc;
	uint32_t crc = 0;
	ssize_t n;
	int fd;

	if (sscanf(arg, "%63[^:]:%llu:%x", dev, &want_bytes, &want_crc) != 3) {
		result("disk-dma", false, "bad-argument=%s", arg);
		return;
	}
	fd = open(dev, O_RDONLY);
	if (fd < 0) {
		result("disk-dma", false, "open=%s errno=%d", dev, errno);
		return;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		crc = crc32_update(crc, buf, n);
		bytes += n;
	}
	close(fd);
	result("disk-dma", n == 0 && bytes == want_bytes && crc == want_crc,
	       "dev=%s bytes=%llu crc=%08x want=%08x", dev, bytes, crc,
	       want_crc);
}

static void step_kmemleak(void)
{
	const char *path = "/sys/kernel/debug/kmemleak";
	char line[512];
	int leaks = 0;
	FILE *f;

	/*
	 * kmemleak does not report an object younger than five seconds: let
	 * what the steps before allocated age first.  Two scans: an object
	 * is reported once it stays unreferenced.
	 */
	sleep(6);
	if (write_file(path, "scan") || write_file(path, "scan")) {
		result("kmemleak", false, "scan-failed");
		return;
	}
	f = fopen(path, "r");
	if (!f) {
		result("kmemleak", false, "open-errno=%d", errno);
		return;
	}
	/* A line at a time: stdout is /dev/kmsg, one record a write. */
	while (fgets(line, sizeof(line), f)) {
		fputs(line, stdout);
		if (strstr(line, "unreferenced object"))
			leaks++;
	}
	fclose(f);
	result("kmemleak", leaks == 0, "leaks=%d", leaks);
}

/*
 * dma-fq=eduN:refused|accepted asks, through sysfs, for a flush queue in the
 * default domain of the Nth edu's group: only drivers that can defer IOTLB
 * flushes may accept.
 */
static void step_dma_fq(const char *arg)
{
	char name[16], want[16], bdf[32], path[96], type[32] = "?";
	int group, err;
	bool ok;

	if (sscanf(arg, "%15[^:]:%15s", name, want) != 2 ||
	    find_edu(name, bdf, sizeof(bdf))) {
		result("dma-fq", false, "bad-argument=%s", arg);
		return;
	}
	group = pci_group(bdf);
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/type", group);
	err = write_file(path, "DMA-FQ");
	read_file(path, type, sizeof(type));
	if (!strcmp(want, "refused"))
		ok = err == -EINVAL && !strcmp(type, "DMA");
	else
		ok = !err && !strcmp(type, "DMA-FQ");
	result("dma-fq", ok, "dev=%s group=%d errno=%d type=%s want=%s", bdf,
	       group, -err, type, want);
}

static void mount_filesystems(void)
{
	mkdir("/dev", 0755);
	mkdir("/proc", 0755);
	mkdir("/sys", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
}

/*
 * Makes fd 0 the console and fds 1-2 the kernel's log, which prints each
 * write on the console as one record.  Written to the console's tty, a
 * line goes out in pieces as the UART drains, and a kernel message printed
 * meanwhile (an IOMMU fault report, say) lands inside it; the host then
 * cannot read the line.  /dev/kmsg takes a line at a time, so stdout stays
 * line-buffered, and it drops writes past ten lines in five seconds unless
 * printk_devkmsg is "on".  Without /dev/kmsg all three are the console.
 */
static void open_console(void)
{
	int con = open("/dev/console", O_RDWR);
	int out = -1;

	if (!write_file("/proc/sys/kernel/printk_devkmsg", "on"))
		out = open("/dev/kmsg", O_WRONLY);
	if (out < 0)
		out = con;
	if (con >= 0)
		dup2(con, 0);
	if (out >= 0) {
		dup2(out, 1);
		dup2(out, 2);
	}
	if (con > 2)
		close(con);
	if (out > 2 && out != con)
		close(out);
}

/*
 * Where KASLR put the kernel's text, for the host to symbolize the program
 * counters it reads from QEMU's monitor if the guest hangs.  _text comes
 * early in /proc/kallsyms, which is in address order.
 */
static void print_kernel_text(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	unsigned long long addr;
	char type, name[128];

	if (!f)
		return;
	while (fscanf(f, "%llx %c %127s%*[^\n]", &addr, &type, name) == 3) {
		if (!strcmp(name, "_text")) {
			/* 0 where kptr_restrict hides the addresses */
			if (addr)
				printf("INFO kernel-text addr=0x%llx\n", addr);
			break;
		}
	}
	fclose(f);
}

/* Removes the Nth edu from the bus: its IOMMU driver releases it. */
static void step_remove(const char *arg)
{
	char bdf[32], path[96];
	int err;

	if (find_edu(arg, bdf, sizeof(bdf))) {
		result("pci-remove", false, "bad-argument=%s", arg);
		return;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", bdf);
	err = write_file(path, "1");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	result("pci-remove", !err && access(path, F_OK), "dev=%s errno=%d",
	       bdf, -err);
}

static void run_step(const char *step)
{
	const char *arg = strchr(step, '=');

	arg = arg ? arg + 1 : "";
	printf("STEP %s\n", step);
	fflush(stdout);
	if (!strcmp(step, "iommus"))
		step_iommus();
	else if (!strncmp(step, "groups=", 7))
		step_groups(arg);
	else if (!strncmp(step, "disk=", 5))
		step_disk(arg);
	else if (!strncmp(step, "vfio=", 5))
		step_vfio(arg);
	else if (!strncmp(step, "vfio-group=", 11))
		step_vfio_group(arg);
	else if (!strcmp(step, "iommufd-selftest"))
		step_iommufd_selftest(arg);
	else if (!strncmp(step, "iommufd=", 8))
		step_iommufd(arg);
	else if (!strncmp(step, "iommufd-bench=", 14))
		step_iommufd_bench(arg);
	else if (!strncmp(step, "iommufd-group=", 14))
		step_iommufd_group(arg);
	else if (!strncmp(step, "vmm=", 4))
		step_vmm(arg);
	else if (!strncmp(step, "bench=", 6))
		step_bench(arg);
	else if (!strncmp(step, "nsbench=", 8))
		step_nsbench(arg);
	else if (!strncmp(step, "dma-fq=", 7))
		step_dma_fq(arg);
	else if (!strncmp(step, "remove=", 7))
		step_remove(arg);
	else if (!strcmp(step, "kmemleak"))
		step_kmemleak();
	else
		result("step", false, "unknown=%s", step);
}

int main(int argc, char **argv)
{
	int i;

	mount_filesystems();
	open_console();
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("INFO guest steps=%d\n", argc - 1);
	print_kernel_text();
	for (i = 1; i < argc; i++)
		run_step(argv[i]);
	printf("DONE failures=%d\n", failures);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
