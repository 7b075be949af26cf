/* Host unit tests of elf_xen_parse (hv/pv/elf_dominfo.c) on ELF images
 * built in memory.  Proves: libelf's defaults (VIRT_BASE 0, PADDR_OFFSET
 * 0, ENTRY = e_entry) and its address arithmetic (the image at
 * p_paddr + VIRT_BASE - PADDR_OFFSET, by physical address, whatever
 * p_vaddr says); XEN_VERSION and LOADER/GUEST_OS required; FEATURES
 * parsed as libelf (required '!' bits, unknown required refused, unknown
 * supported ignored) and SUPPORTED_FEATURES ORed in; PADDR_OFFSET without
 * VIRT_BASE, an entry outside the image and VIRT_BASE above it refused;
 * and that no hostile size or offset (truncated header, program headers
 * or segments beyond the image, a note running past its segment,
 * unterminated strings) is read out of bounds (run under ASan). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "elf.h"
#include "public/elfnote.h"
#include "unit.h"

/* glibc 2.36 has no strlcpy; elf_dominfo.c uses the hv's (lib.h). */
size_t strlcpy(char *d, const char *s, size_t n)
{
    size_t len = strlen(s);
    if (n) {
        size_t c = len < n - 1 ? len : n - 1;
        memcpy(d, s, c);
        d[c] = 0;
    }
    return len;
}

/* An image: header, one PT_LOAD, one PT_NOTE, notes appended. */
static uint8_t img[4096];
static size_t notes_len;
#define PH_OFF   64
#define NOTE_OFF 256
#define LOAD_OFF 1024

static void start(uint64_t paddr, uint64_t vaddr, uint64_t memsz, uint64_t entry)
{
    memset(img, 0, sizeof(img));
    Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
    memcpy(eh->e_ident, "\177ELF\2\1\1", 7);
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_entry = entry;
    eh->e_phoff = PH_OFF;
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = 2;
    Elf64_Phdr *ph = (Elf64_Phdr *)(img + PH_OFF);
    ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = LOAD_OFF,
                          .p_vaddr = vaddr, .p_paddr = paddr, .p_filesz = 16,
                          .p_memsz = memsz };
    ph[1] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_flags = PF_R, .p_offset = NOTE_OFF };
    notes_len = 0;
}

static void note(uint32_t type, const void *desc, uint32_t sz)
{
    uint8_t *p = img + NOTE_OFF + notes_len;
    Elf64_Nhdr nh = { 4, sz, type };
    memcpy(p, &nh, sizeof(nh));
    memcpy(p + sizeof(nh), "Xen", 4);
    memcpy(p + sizeof(nh) + 4, desc, sz);
    notes_len += sizeof(nh) + 4 + ((sz + 3) & ~3U);
    ((Elf64_Phdr *)(img + PH_OFF))[1].p_filesz = notes_len;
}

static void note_str(uint32_t type, const char *s) { note(type, s, strlen(s) + 1); }
static void note_u64(uint32_t type, uint64_t v) { note(type, &v, 8); }

static void generic(void)
{
    note_str(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    note_str(XEN_ELFNOTE_LOADER, "generic");
}

static struct elf_dom_parms p;
static const char *why;

static int parse(void)
{
    why = NULL;
    return elf_xen_parse(img, sizeof(img), &p, &why);
}

static void test_xtf_like_defaults(void)
{
    /* XTF: no VIRT_BASE/PADDR_OFFSET/ENTRY notes, image at 1 MiB. */
    start(0x100000, 0x100000, 0x11000, 0x100000);
    generic();
    note_u64(XEN_ELFNOTE_HYPERCALL_PAGE, 0x106000);
    REQUIRE(parse() == 0);
    CHECK_EQ(p.virt_base, 0);
    CHECK_EQ(p.elf_paddr_offset, 0);
    CHECK_EQ(p.virt_kstart, 0x100000);
    CHECK_EQ(p.virt_kend, 0x111000);
    CHECK_EQ(p.virt_entry, 0x100000);
    CHECK_EQ(p.virt_hypercall, 0x106000);
}

static void test_upper_half_by_paddr(void)
{
    /* Linux-style: VIRT_BASE -2 GiB, p_paddr physical; p_vaddr ignored. */
    start(0x1000000, 0x1234, 0x5000, 0xffffffff81000010UL);
    generic();
    note_u64(XEN_ELFNOTE_VIRT_BASE, 0xffffffff80000000UL);
    note_u64(XEN_ELFNOTE_PADDR_OFFSET, 0);
    REQUIRE(parse() == 0);
    CHECK_EQ(p.virt_kstart, 0xffffffff81000000UL);
    CHECK_EQ(p.virt_kend, 0xffffffff81005000UL);
    CHECK_EQ(p.virt_hypercall, UNSET_ADDR);
    /* The same with a PADDR_OFFSET of 16 MiB: the image 16 MiB lower. */
    start(0x1200000, 0, 0x5000, 0xffffffff80200000UL);
    generic();
    note_u64(XEN_ELFNOTE_VIRT_BASE, 0xffffffff80000000UL);
    note_u64(XEN_ELFNOTE_PADDR_OFFSET, 0x1000000);
    note_u64(XEN_ELFNOTE_ENTRY, 0xffffffff80200000UL);
    REQUIRE(parse() == 0);
    CHECK_EQ(p.virt_kstart, 0xffffffff80200000UL);
}

static void test_required_notes(void)
{
    start(0x100000, 0x100000, 0x1000, 0x100000);
    note_str(XEN_ELFNOTE_LOADER, "generic");
    CHECK(parse() != 0);                                 /* no XEN_VERSION */
    start(0x100000, 0x100000, 0x1000, 0x100000);
    note_str(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    note_str(XEN_ELFNOTE_LOADER, "elf");
    CHECK(parse() != 0);                                 /* not generic */
    start(0x100000, 0x100000, 0x1000, 0x100000);
    note_str(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    note_str(XEN_ELFNOTE_GUEST_OS, "linux");
    CHECK(parse() == 0);                                 /* Linux will do */
    start(0x100000, 0x100000, 0x1000, 0x100000);
    CHECK(parse() != 0);                                 /* no notes at all */
    start(0x100000, 0x100000, 0x1000, 0x100000);
    note(XEN_ELFNOTE_XEN_VERSION, "xen-3.0x", 8);        /* unterminated: ignored */
    note_str(XEN_ELFNOTE_LOADER, "generic");
    CHECK(parse() != 0);
}

static void test_features(void)
{
    start(0x100000, 0x100000, 0x1000, 0x100000);
    generic();
    note_str(XEN_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb|bogus");
    uint32_t dom0 = 1U << XENFEAT_dom0;
    note(XEN_ELFNOTE_SUPPORTED_FEATURES, &dom0, 4);
    REQUIRE(parse() == 0);
    CHECK_EQ(p.f_required, 1U << XENFEAT_writable_page_tables);
    CHECK_EQ(p.f_supported, (1U << XENFEAT_writable_page_tables) |
             (1U << XENFEAT_pae_pgdir_above_4gb) | dom0);
    CHECK(p.supported_features_note);
    start(0x100000, 0x100000, 0x1000, 0x100000);
    generic();
    note_str(XEN_ELFNOTE_FEATURES, "dom0|!bogus");
    CHECK(parse() != 0);                                 /* unknown, required */
}

static void test_address_checks(void)
{
    start(0x100000, 0x100000, 0x1000, 0x100000);
    generic();
    note_u64(XEN_ELFNOTE_PADDR_OFFSET, 0);
    CHECK(parse() != 0);                                 /* no VIRT_BASE */
    start(0x100000, 0x100000, 0x1000, 0x200000);
    generic();
    CHECK(parse() != 0);                                 /* entry beyond */
    start(0x100000, 0x100000, 0x1000, 0x100000);
    generic();
    note_u64(XEN_ELFNOTE_VIRT_BASE, 0x200000);
    note_u64(XEN_ELFNOTE_PADDR_OFFSET, 0x200000);
    CHECK(parse() != 0);                                 /* VIRT_BASE above */
}

static void test_hostile_sizes(void)
{
    start(0x100000, 0x100000, 0x1000, 0x100000);
    generic();
    CHECK(elf_xen_parse(img, sizeof(Elf64_Ehdr) - 1, &p, &why) != 0);
    CHECK(elf_xen_parse(img, PH_OFF + sizeof(Elf64_Phdr), &p, &why) != 0);
    ((Elf64_Ehdr *)img)->e_phnum = 0xffff;               /* headers beyond */
    CHECK(parse() != 0);
    start(0x100000, 0x100000, 0x1000, 0x100000);
    generic();
    ((Elf64_Phdr *)(img + PH_OFF))[0].p_filesz = 1UL << 40;  /* file data beyond */
    CHECK(parse() != 0);
    start(0x100000, 0x100000, 0x1000, 0x100000);
    generic();
    ((Elf64_Phdr *)(img + PH_OFF))[0].p_offset = ~0UL - 8;
    CHECK(parse() != 0);
    start(0x100000, 0x100000, 0x1000, 0x100000);
    generic();
    ((Elf64_Phdr *)(img + PH_OFF))[1].p_filesz = ~0UL;   /* notes beyond */
    CHECK(parse() != 0);
    start(0x100000, 0x100000, 0x1000, 0x100000);
    generic();
    Elf64_Nhdr *nh = (Elf64_Nhdr *)(img + NOTE_OFF);
    nh->n_descsz = 0xfffffff0;                           /* runs past the segment */
    CHECK(parse() != 0);                                 /* so no notes count */
    start(~0UL - 0x800, 0, 0x1000, 0x100000);            /* paddr + memsz wraps */
    generic();
    CHECK(parse() != 0);
}

int main(void)
{
    RUN(test_xtf_like_defaults);
    RUN(test_upper_half_by_paddr);
    RUN(test_required_notes);
    RUN(test_features);
    RUN(test_address_checks);
    RUN(test_hostile_sizes);
    return unit_summary();
}
