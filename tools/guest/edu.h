/* SPDX-License-Identifier: GPL-2.0 */
/* edu through a VFIO device fd: see edu.c. */
#ifndef EDU_H
#define EDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest.h"

/* QEMU 7.2's edu range check rejects a full 4 KiB transfer. */
#define XFER			2048
#define PAGE			4096
/* One device's share of a mapping: source page and destination page. */
#define SLOT			(2 * PAGE)
/* edu's DMA mask is 28 bits: keep every IOVA below 256 MiB. */
#define IOVA_FIRST		0x100000ULL
#define IOVA_SECOND		0x200000ULL

struct edu {
	const char *bdf;
	int fd;
	volatile uint8_t *bar0;
	size_t bar0_size;
};

int edu_setup(struct edu *e, const char *bdf, int fd);
void edu_close(struct edu *e);
int edu_dma(struct edu *e, uint64_t src, uint64_t dst, bool to_ram);
bool edu_round_trip(struct edu *e, uint8_t *slot, uint64_t iova,
		    unsigned int seed);
bool edu_write_blocked(struct edu *e, uint8_t *slot, uint64_t iova);
bool all_zero(const uint8_t *p, size_t len);
uint8_t *alloc_buffer(size_t size);
void release_device(const char *bdf);
void check_kernel_rebind(const char *bdf, const char *check);

#endif
