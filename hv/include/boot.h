/* What the boot path learned from the multiboot loader. */
#ifndef ASILAB_BOOT_H
#define ASILAB_BOOT_H
#include "types.h"
#include "config.h"

struct boot_module {
    paddr_t start, end;
    char cmdline[256];     /* "file args...", as the loader gave it */
};
extern struct boot_module boot_modules[MAX_MODULES];
extern unsigned int nr_boot_modules;
/* The loader's memory map, sorted by address, empty entries dropped
 * (Xen's e820 after sanitize_e820_map; overlaps are not merged):
 * XENMEM_machine_memory_map reports it to dom0. */
struct e820entry { uint64_t addr, size; uint32_t type; } __attribute__((packed));
#define E820_RAM      1
#define E820_RESERVED 2
#define E820_MAX      128
extern struct e820entry boot_e820[E820_MAX];
extern unsigned int nr_boot_e820;
/* The hv command line as the loader gave it (XENVER_commandline). */
extern char saved_cmdline[1024];

/* What multiboot.c read from a v1 or v2 loader's information. */
struct boot_info {
    unsigned int version;            /* multiboot 1 or 2 */
    char cmdline[256], loader[64];
    paddr_t mmap_pa;                 /* the loader's memory map, in place */
    uint32_t mmap_len, mmap_entry_size;
};
void multiboot_parse(uint32_t magic, uint32_t pa, struct boot_info *bi);
/* The memory map's next entry from *off (0 first); false at its end. */
bool boot_mmap_next(const struct boot_info *bi, uint32_t *off, struct e820entry *e);
/* A copy of the RSDP a multiboot2 loader gave (20 bytes for ACPI 1.0,
 * 36 with the XSDT); boot_rsdp_len 0: none, scan BIOS memory. */
extern uint8_t boot_rsdp[36];
extern unsigned int boot_rsdp_len;

#endif
