// SPDX-License-Identifier: GPL-2.0
/*
 * An unmodified VMM inside the guest: QEMU 10's qemu-system-x86_64, which
 * the qemu10 initramfs carries (scripts/initramfs.sh), assigned an edu
 * bound to vfio-pci.
 *
 *   vmm=eduN[:container]
 *
 * The inner QEMU starts stopped (-S) with the monitor on its stdin and
 * stdout, through iommufd (-object iommufd and the device's iommufd=), or
 * with ":container" through the VFIO container.  "info pci" must list the
 * edu (1234:11e8) while the inner machine's RAM is pinned, then "quit".
 * Checks: vmm-realized, and vmm-clean (exit 0, nothing left pinned); then
 * vfio-rebind-kernel as for the vfio step.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "edu.h"

#define QEMU		"/usr/bin/qemu-system-x86_64"
#define STRACE		"/usr/bin/strace"
#define OUT_MAX		(64 << 10)
#define VMM_TIMEOUT_MS	120000

struct vmm {
	pid_t pid;
	int in, out;
	char buf[OUT_MAX];
	size_t len;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static long vmstat(const char *key)
{
	char name[64];
	long val;
	FILE *f;

	write_file("/proc/sys/vm/stat_refresh", "1");
	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", name, &val) == 2)
		if (!strcmp(name, key)) {
			fclose(f);
			return val;
		}
	fclose(f);
	return -1;
}

static long foll_pin_delta(void)
{
	return vmstat("nr_foll_pin_acquired") - vmstat("nr_foll_pin_released");
}

/* VmPin + VmLck of @pid in kB: iommufd charges the one, type1 the other. */
static long pinned_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmPin:", 6) || !strncmp(line, "VmLck:", 6))
			kb += atol(line + 6);
	fclose(f);
	return kb;
}

static int vmm_start(struct vmm *v, const char *bdf, bool iommufd,
		     bool strace)
{
	char dev[96];
	const char *argv[32];
	char *const envp[] = {
		"PATH=/usr/bin",
		"LD_LIBRARY_PATH=/lib/x86_64-linux-gnu",
		NULL,
	};
	int to[2], from[2], n = 0;

	snprintf(dev, sizeof(dev), "vfio-pci,host=%s%s", bdf,
		 iommufd ? ",iommufd=fd0" : "");
	if (strace) {
		argv[n++] = STRACE;
		argv[n++] = "-f";
		argv[n++] = "-e";
		argv[n++] = "trace=ioctl,openat";
		argv[n++] = "-Z";	/* failing calls only */
	}
	argv[n++] = QEMU;
	argv[n++] = "-L";
	argv[n++] = "/usr/share/qemu";
	argv[n++] = "-accel";
	argv[n++] = "tcg,tb-size=64";
	argv[n++] = "-machine";
	argv[n++] = "q35";
	argv[n++] = "-m";
	argv[n++] = "64";
	argv[n++] = "-nodefaults";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-S";
	argv[n++] = "-monitor";
	argv[n++] = "stdio";
	if (iommufd) {
		argv[n++] = "-object";
		argv[n++] = "iommufd,id=fd0";
	}
	argv[n++] = "-device";
	argv[n++] = dev;
	argv[n] = NULL;

	if (pipe(to) || pipe(from))
		return -errno;
	fflush(stdout);
	v->pid = fork();
	if (v->pid < 0)
		return -errno;
	if (!v->pid) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		dup2(from[1], 2);
		close(to[1]);
		close(from[0]);
		execve(argv[0], (char *const *)argv, envp);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	v->in = to[1];
	v->out = from[0];
	v->len = 0;
	v->buf[0] = '\0';
	return 0;
}

/*
 * Reads what QEMU prints until @want appears (NULL: until EOF) or the
 * timeout.  Return: true if @want was seen, or EOF reached for NULL.
 */
static bool vmm_wait(struct vmm *v, const char *want, long deadline)
{
	struct pollfd p = { .fd = v->out, .events = POLLIN };
	ssize_t n;

	for (;;) {
		if (want && strstr(v->buf, want))
			return true;
		if (now_ms() > deadline || poll(&p, 1, 200) < 0)
			return false;
		if (!(p.revents & (POLLIN | POLLHUP)))
			continue;
		if (v->len + 1 >= sizeof(v->buf))
			return false;
		n = read(v->out, v->buf + v->len, sizeof(v->buf) - 1 - v->len);
		if (n <= 0)
			return !want;
		v->len += n;
		v->buf[v->len] = '\0';
	}
}

static void vmm_send(struct vmm *v, const char *cmd)
{
	if (write(v->in, cmd, strlen(cmd)) < 0)
		info("vmm", "write errno=%d", errno);
}

/* The inner QEMU's output, one INFO line per line. */
static void vmm_print(struct vmm *v, bool strace)
{
	char *line, *save = NULL;

	for (line = strtok_r(v->buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "\r")] = '\0';
		/* strace: not the loader's search, nor the monitor's tty. */
		if (strace && (strstr(line, "/lib/x86_64-linux-gnu/") ||
			       strstr(line, "ioctl(0, ")))
			continue;
		if (*line)
			info(strace ? "vmm-strace" : "vmm-out", "%s", line);
	}
}

/* Returns QEMU's exit status, or -1 when it had to be killed. */
static int vmm_finish(struct vmm *v, long deadline)
{
	int status = 0;

	close(v->in);
	vmm_wait(v, NULL, deadline);
	close(v->out);
	while (waitpid(v->pid, &status, WNOHANG) == 0) {
		if (now_ms() > deadline) {
			kill(v->pid, SIGKILL);
			waitpid(v->pid, &status, 0);
			return -1;
		}
		sleep_ms(50);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * One run of the inner QEMU.  With @strace it only reports: its output,
 * with the failing ioctls and opens, as INFO lines.  Return: the run passed.
 */
static bool vmm_run(const char *bdf, bool iommufd, bool strace)
{
	long deadline = now_ms() + VMM_TIMEOUT_MS, start = now_ms();
	long pins = foll_pin_delta(), pinned = -1, left;
	struct vmm *v;
	bool realized;
	int err, status;

	v = calloc(1, sizeof(*v));
	err = v ? vmm_start(v, bdf, iommufd, strace) : -ENOMEM;
	if (err) {
		result("vmm-realized", false, "dev=%s start-errno=%d", bdf, -err);
		free(v);
		return false;
	}
	realized = vmm_wait(v, "(qemu)", deadline);
	if (realized) {
		vmm_send(v, "info pci\n");
		realized = vmm_wait(v, "1234:11e8", deadline);
		pinned = pinned_kb(v->pid);
	}
	vmm_send(v, "quit\n");
	status = vmm_finish(v, deadline);
	left = foll_pin_delta() - pins;
	realized = realized && pinned > 0;
	if (!realized || status || left || strace)
		vmm_print(v, strace);
	if (strace) {
		info("vmm-strace", "dev=%s exit=%d", bdf, status);
		free(v);
		return false;
	}
	result("vmm-realized", realized,
	       "dev=%s backend=%s edu=%s pinned_kb=%ld", bdf,
	       iommufd ? "iommufd" : "container",
	       strstr(v->buf, "1234:11e8") ? "listed" : "missing", pinned);
	result("vmm-clean", status == 0 && !left,
	       "dev=%s exit=%d foll_pins_left=%ld secs=%ld", bdf, status, left,
	       (now_ms() - start) / 1000);
	free(v);
	return realized && status == 0 && !left;
}

void step_vmm(const char *arg)
{
	char name[16], mode[16] = "", bdf[32];
	bool iommufd;
	int err, group = -1;

	if (sscanf(arg, "%15[^:]:%15s", name, mode) < 1 ||
	    find_edu(name, bdf, sizeof(bdf))) {
		result("vmm-realized", false, "bad-argument=%s", arg);
		return;
	}
	iommufd = strcmp(mode, "container") != 0;
	/* A write to a QEMU that has exited must not end the step. */
	signal(SIGPIPE, SIG_IGN);
	if (access(QEMU, X_OK)) {
		result("vmm-realized", false, "no %s: the initramfs lacks qemu10",
		       QEMU);
		return;
	}
	pci_unbind(bdf);
	err = pci_bind_when_ready(bdf, "vfio-pci");
	if (!err)
		group = wait_pci_group(bdf, 5000);
	if (err || group < 0) {
		result("vmm-realized", false, "dev=%s bind-errno=%d group=%d",
		       bdf, -err, group);
		return;
	}
	if (!vmm_run(bdf, iommufd, false) && iommufd && !access(STRACE, X_OK))
		vmm_run(bdf, iommufd, true);
	release_device(bdf);
	check_kernel_rebind(bdf, "vfio-rebind-kernel");
}
