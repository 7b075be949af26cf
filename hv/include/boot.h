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
/* The hv command line as the loader gave it (XENVER_commandline). */
extern char saved_cmdline[1024];

#endif
