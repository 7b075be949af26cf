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

#endif
