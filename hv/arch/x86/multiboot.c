/* What the loader handed over, from either multiboot protocol: v1 (QEMU
 * -kernel, iPXE, GRUB's `multiboot`) or v2 (GRUB's `multiboot2`, the one
 * UEFI machines boot the hv with: its tags are the only way a loader that
 * has left boot services tells us where ACPI is).  multiboot_parse runs
 * first in __start_xen, before anything allocates a frame, so the info
 * structure is still intact; it copies what is needed later (command
 * lines, modules, the RSDP) and leaves the memory map in place for
 * memory_init to walk with boot_mmap_next.
 *
 * Xen reads multiboot2 in boot/reloc.c (BIOS) and through EFI boot
 * services (efi_multiboot2); we take no EFI tags, so on UEFI the RSDP
 * comes from GRUB's ACPI tags instead of the EFI system table: the same
 * tables. */
#include "boot.h"
#include "console.h"
#include "lib.h"
#include "mm.h"

#define MB1_LOADER_MAGIC 0x2BADB002
#define MB2_LOADER_MAGIC 0x36d76289

struct mb1_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr, config_table, boot_loader_name;
};
struct mb1_module { uint32_t mod_start, mod_end, string, reserved; };
struct __packed mb1_mmap { uint32_t size; uint64_t addr, len; uint32_t type; };

#define MBI_CMDLINE (1U << 2)
#define MBI_MODS    (1U << 3)
#define MBI_MMAP    (1U << 6)
#define MBI_LOADER  (1U << 9)

/* multiboot2: tags after an 8-byte fixed part, each 8-byte aligned */
struct mb2_tag { uint32_t type, size; };
struct mb2_module { struct mb2_tag tag; uint32_t mod_start, mod_end; char string[]; };
struct mb2_mmap { struct mb2_tag tag; uint32_t entry_size, entry_version; };
struct __packed mb2_mmap_entry { uint64_t addr, len; uint32_t type, reserved; };

#define MB2_TAG_END         0
#define MB2_TAG_CMDLINE     1
#define MB2_TAG_LOADER      2
#define MB2_TAG_MODULE      3
#define MB2_TAG_MMAP        6
#define MB2_TAG_ACPI_OLD   14
#define MB2_TAG_ACPI_NEW   15

uint8_t boot_rsdp[36];
unsigned int boot_rsdp_len;

/* A loader's string into dst (n bytes): at most max bytes of src are
 * read (a multiboot2 tag's own length), the copy always terminated. */
static void copy_string(char *dst, size_t n, const char *src, size_t max)
{
    size_t i = 0;
    for (; src && i + 1 < n && i < max && src[i]; i++)
        dst[i] = src[i];
    dst[i] = 0;
}
#define NO_LIMIT ((size_t)-1)

static void add_module(paddr_t start, paddr_t end, const char *cmdline)
{
    if (nr_boot_modules >= MAX_MODULES)
        panic("more than %d modules", MAX_MODULES);
    if (end < start)
        panic("module %u ends (%#lx) before it starts (%#lx)", nr_boot_modules,
              (unsigned long)end, (unsigned long)start);
    struct boot_module *m = &boot_modules[nr_boot_modules++];
    m->start = start;
    m->end = end;
    copy_string(m->cmdline, sizeof(m->cmdline), cmdline, NO_LIMIT);
}

static void parse_mb1(uint32_t pa, struct boot_info *bi)
{
    const struct mb1_info *mbi = __va(pa);

    bi->version = 1;
    copy_string(bi->cmdline, sizeof(bi->cmdline), mbi->flags & MBI_CMDLINE &&
                mbi->cmdline ? __va(mbi->cmdline) : NULL, NO_LIMIT);
    copy_string(bi->loader, sizeof(bi->loader), mbi->flags & MBI_LOADER &&
                mbi->boot_loader_name ? __va(mbi->boot_loader_name) : NULL, NO_LIMIT);
    if (mbi->flags & MBI_MODS) {
        const struct mb1_module *m = __va(mbi->mods_addr);
        for (uint32_t i = 0; i < mbi->mods_count; i++)
            add_module(m[i].mod_start, m[i].mod_end, m[i].string ? __va(m[i].string) : NULL);
    }
    if (mbi->flags & MBI_MMAP) {
        bi->mmap_pa = mbi->mmap_addr;
        bi->mmap_len = mbi->mmap_length;
    }
}

/* The RSDP GRUB copied into the info (ACPI 2.0's, with the XSDT, wins). */
static void keep_rsdp(const struct mb2_tag *t, unsigned int want)
{
    unsigned int n = t->size - sizeof(*t);
    if (n < want || (boot_rsdp_len && want < boot_rsdp_len))
        return;
    memcpy(boot_rsdp, t + 1, want);
    boot_rsdp_len = want;
}

static void parse_mb2(uint32_t pa, struct boot_info *bi)
{
    uint32_t total = *(const uint32_t *)__va(pa);

    bi->version = 2;
    bi->cmdline[0] = bi->loader[0] = 0;
    if (total < 16)
        panic("multiboot2 information of %u bytes", total);
    for (uint32_t off = 8; off + sizeof(struct mb2_tag) <= total;) {
        const struct mb2_tag *t = __va(pa + off);
        if (t->type == MB2_TAG_END)
            break;
        if (t->size < sizeof(*t) || t->size > total - off)
            panic("multiboot2 tag %u at offset %u: size %u overruns the %u bytes",
                  t->type, off, t->size, total);
        const char *str = (const char *)(t + 1);
        switch (t->type) {
        case MB2_TAG_CMDLINE:
            copy_string(bi->cmdline, sizeof(bi->cmdline), str, t->size - sizeof(*t));
            break;
        case MB2_TAG_LOADER:
            copy_string(bi->loader, sizeof(bi->loader), str, t->size - sizeof(*t));
            break;
        case MB2_TAG_MODULE: {
            const struct mb2_module *m = (const void *)t;
            char cmd[sizeof(boot_modules[0].cmdline)];
            if (t->size < sizeof(*m))
                panic("multiboot2 module tag of %u bytes", t->size);
            copy_string(cmd, sizeof(cmd), m->string, t->size - sizeof(*m));
            add_module(m->mod_start, m->mod_end, cmd);
            break;
        }
        case MB2_TAG_MMAP: {
            const struct mb2_mmap *m = (const void *)t;
            if (t->size < sizeof(*m) || m->entry_size < sizeof(struct mb2_mmap_entry))
                panic("multiboot2 memory map: tag of %u bytes, entries of %u", t->size,
                      t->size < sizeof(*m) ? 0 : m->entry_size);
            bi->mmap_pa = pa + off + sizeof(*m);
            bi->mmap_len = t->size - sizeof(*m);
            bi->mmap_entry_size = m->entry_size;
            break;
        }
        case MB2_TAG_ACPI_OLD:
            keep_rsdp(t, 20);
            break;
        case MB2_TAG_ACPI_NEW:
            keep_rsdp(t, 36);
            break;
        }
        off += (t->size + 7) & ~7U;
    }
}

void multiboot_parse(uint32_t magic, uint32_t pa, struct boot_info *bi)
{
    memset(bi, 0, sizeof(*bi));
    if (magic == MB1_LOADER_MAGIC)
        parse_mb1(pa, bi);
    else if (magic == MB2_LOADER_MAGIC)
        parse_mb2(pa, bi);
    else
        panic("not started by a multiboot loader (magic %#x)", magic);
}

bool boot_mmap_next(const struct boot_info *bi, uint32_t *off, struct e820entry *e)
{
    if (bi->version == 1) {
        if (*off + sizeof(struct mb1_mmap) > bi->mmap_len)
            return false;
        const struct mb1_mmap *m = __va(bi->mmap_pa + *off);
        *e = (struct e820entry){ .addr = m->addr, .size = m->len, .type = m->type };
        *off += m->size + 4;
        return true;
    }
    if (*off + bi->mmap_entry_size > bi->mmap_len || !bi->mmap_entry_size)
        return false;
    const struct mb2_mmap_entry *m = __va(bi->mmap_pa + *off);
    *e = (struct e820entry){ .addr = m->addr, .size = m->len, .type = m->type };
    *off += bi->mmap_entry_size;
    return true;
}
