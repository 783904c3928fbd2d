/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the guest init's steps: see init.c. */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void result(const char *check, bool pass, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void info(const char *topic, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sleep_ms(unsigned int ms);
int write_file(const char *path, const char *val);
int read_file(const char *path, char *buf, size_t len);
int list_dir(const char *path, char ***names);
void free_names(char **names, int n);
int pci_group(const char *bdf);
int wait_pci_group(const char *bdf, unsigned int timeout_ms);
int pci_unbind(const char *bdf);
int pci_bind(const char *bdf, const char *driver);
int pci_bind_when_ready(const char *bdf, const char *driver);
void pci_driver(const char *bdf, char *buf, size_t len);
int find_edu(const char *name, char *bdf, size_t len);
uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t len);

void step_vfio(const char *arg);
void step_vfio_group(const char *arg);
void step_iommufd_selftest(const char *arg);
void step_iommufd(const char *arg);
void step_iommufd_group(const char *arg);
void step_iommufd_bench(const char *arg);
void step_vmm(const char *arg);
void step_bench(const char *arg);
void step_nsbench(const char *arg);
int run_map_benchmark(unsigned int granule, unsigned int seconds,
		      double *map_us, double *unmap_us);

#endif
