/* A PV kernel's ELF image and its Xen notes, read as Xen's libelf does
 * (libelf-dominfo.c, libelf-loader.c's elf_parse_binary): the loadable
 * segments' physical span, the notes ENTRY, HYPERCALL_PAGE, VIRT_BASE,
 * PADDR_OFFSET, XEN_VERSION, GUEST_OS, LOADER, FEATURES and
 * SUPPORTED_FEATURES, libelf's defaults and its checks.  Every field of
 * the image is hostile: each offset and size is checked against the
 * module before it is read.  Not read (README, deviations): the legacy
 * __xen_guest section and notes only in SHT_NOTE sections. */
#include "elf.h"
#include "lib.h"
#include "public/elfnote.h"

/* [off, off + len) lies inside the image, without overflow. */
static bool in_image(const struct elf_dom_parms *p, uint64_t off, uint64_t len)
{
    return off <= p->size && len <= p->size - off;
}

/* libelf's feature names (elf_xen_feature_names). */
static const char *const feature_names[] = {
    [XENFEAT_writable_page_tables] = "writable_page_tables",
    [XENFEAT_writable_descriptor_tables] = "writable_descriptor_tables",
    [XENFEAT_auto_translated_physmap] = "auto_translated_physmap",
    [XENFEAT_supervisor_mode_kernel] = "supervisor_mode_kernel",
    [XENFEAT_pae_pgdir_above_4gb] = "pae_pgdir_above_4gb",
    [XENFEAT_hvm_callback_vector] = "hvm_callback_vector",
    [XENFEAT_dom0] = "dom0",
};

/* "name|!name|...": a name marks the feature supported, "!name" also
 * required; an unknown required feature refuses the kernel (libelf's
 * elf_xen_parse_features), an unknown supported one is ignored. */
static int parse_features(struct elf_dom_parms *p, const char *s)
{
    while (*s) {
        char f[64];
        size_t len = 0;
        while (s[len] && s[len] != '|' && len < sizeof(f) - 1) {
            f[len] = s[len];
            len++;
        }
        f[len] = 0;
        s += len + (s[len] == '|');
        bool required = f[0] == '!';
        unsigned int i;
        for (i = 0; i < ARRAY_SIZE(feature_names); i++)
            if (feature_names[i] && !strcmp(f + required, feature_names[i]))
                break;
        if (i == ARRAY_SIZE(feature_names)) {
            if (required)
                return -1;
            continue;
        }
        p->f_supported |= 1U << i;
        if (required)
            p->f_required |= 1U << i;
    }
    return 0;
}

/* A note's value: numeric notes are 1, 2, 4 or 8 bytes (elf_note_numeric). */
static uint64_t note_numeric(const uint8_t *desc, uint32_t sz)
{
    uint64_t v = 0;
    if (sz == 1 || sz == 2 || sz == 4 || sz == 8)
        memcpy(&v, desc, sz);                   /* little-endian */
    return v;
}

/* One "Xen" note.  String notes must be NUL-terminated inside the note
 * (else they are ignored, as libelf's elf_strval). */
static int parse_note(struct elf_dom_parms *p, uint32_t type, const uint8_t *desc,
                      uint32_t sz)
{
    const char *str = NULL;
    switch (type) {
    case XEN_ELFNOTE_XEN_VERSION: case XEN_ELFNOTE_GUEST_OS:
    case XEN_ELFNOTE_LOADER: case XEN_ELFNOTE_FEATURES:
        if (!sz || strnlen((const char *)desc, sz) == sz)
            return 0;
        str = (const char *)desc;
        break;
    }
    uint64_t val = note_numeric(desc, sz);
    switch (type) {
    case XEN_ELFNOTE_ENTRY:          p->virt_entry = val; break;
    case XEN_ELFNOTE_HYPERCALL_PAGE: p->virt_hypercall = val; break;
    case XEN_ELFNOTE_VIRT_BASE:      p->virt_base = val; break;
    case XEN_ELFNOTE_PADDR_OFFSET:   p->elf_paddr_offset = val; break;
    case XEN_ELFNOTE_XEN_VERSION:    strlcpy(p->xen_ver, str, sizeof(p->xen_ver)); break;
    case XEN_ELFNOTE_GUEST_OS:       strlcpy(p->guest_os, str, sizeof(p->guest_os)); break;
    case XEN_ELFNOTE_LOADER:         strlcpy(p->loader, str, sizeof(p->loader)); break;
    case XEN_ELFNOTE_FEATURES:       return parse_features(p, str);
    case XEN_ELFNOTE_SUPPORTED_FEATURES:
        p->supported_features_note = true;
        if (sz >= 4)
            p->f_supported |= (uint32_t)note_numeric(desc, 4);
        break;
    }
    return 0;
}

/* The notes of one PT_NOTE segment: the number of Xen notes, -1 if one
 * refuses the kernel. */
static int parse_notes(struct elf_dom_parms *p, uint64_t off, uint64_t end)
{
    int n = 0;
    while (end - off >= sizeof(Elf64_Nhdr)) {
        const Elf64_Nhdr *nh = (const void *)(p->image + off);
        uint64_t name = off + sizeof(*nh);
        uint64_t desc = name + ROUNDUP((uint64_t)nh->n_namesz, 4);
        uint64_t next = desc + ROUNDUP((uint64_t)nh->n_descsz, 4);
        if (next > end || desc + nh->n_descsz > end)
            break;
        if (nh->n_namesz == 4 && !memcmp(p->image + name, "Xen", 4)) {
            if (parse_note(p, nh->n_type, p->image + desc, nh->n_descsz))
                return -1;
            n++;
        }
        off = next;
    }
    return n;
}

static int parse_phdrs(struct elf_dom_parms *p, const char **why)
{
    const Elf64_Phdr *ph = (const void *)(p->image + p->eh->e_phoff);
    int notes = 0;
    p->pstart = ~0UL;
    p->pend = 0;
    for (unsigned int i = 0; i < p->eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & (PF_R | PF_W | PF_X))) {
            if (!in_image(p, ph[i].p_offset, ph[i].p_filesz) ||
                ph[i].p_filesz > ph[i].p_memsz ||
                ph[i].p_paddr + ph[i].p_memsz < ph[i].p_paddr) {
                *why = "a loadable segment lies outside the image";
                return -1;
            }
            p->pstart = MIN(p->pstart, ph[i].p_paddr);
            p->pend = MAX(p->pend, ph[i].p_paddr + ph[i].p_memsz);
        } else if (ph[i].p_type == PT_NOTE && ph[i].p_offset) {
            if (!in_image(p, ph[i].p_offset, ph[i].p_filesz)) {
                *why = "a note segment lies outside the image";
                return -1;
            }
            int n = parse_notes(p, ph[i].p_offset, ph[i].p_offset + ph[i].p_filesz);
            if (n < 0) {
                *why = "FEATURES requires a feature Xen does not know";
                return -1;
            }
            notes += n;
        }
    }
    if (p->pstart == ~0UL) {
        *why = "no loadable segment";
        return -1;
    }
    if (!notes) {
        *why = "not a Xen-ELF image: no Xen ELF notes";
        return -1;
    }
    return 0;
}

int elf_xen_parse(const uint8_t *image, uint64_t size, struct elf_dom_parms *p,
                  const char **why)
{
    memset(p, 0, sizeof(*p));
    p->image = image;
    p->size = size;
    p->virt_base = p->elf_paddr_offset = p->virt_entry = p->virt_hypercall = UNSET_ADDR;

    const Elf64_Ehdr *eh = (const void *)image;
    if (size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4) ||
        eh->e_ident[4] != 2 || eh->e_ident[5] != 1 || eh->e_machine != EM_X86_64 ||
        eh->e_type != ET_EXEC || eh->e_phentsize != sizeof(Elf64_Phdr) ||
        !in_image(p, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr))) {
        *why = "not a 64-bit little-endian x86-64 executable ELF";
        return -1;
    }
    p->eh = eh;
    if (parse_phdrs(p, why))
        return -1;

    /* elf_xen_note_check */
    if (strncmp(p->loader, "generic", 7) && strncmp(p->guest_os, "linux", 5)) {
        *why = "only images for the generic loader (LOADER) or Linux (GUEST_OS)";
        return -1;
    }
    if (strncmp(p->xen_ver, "xen-3.0", 7)) {
        *why = "XEN_VERSION is not xen-3.0";
        return -1;
    }

    /* elf_xen_addr_calc_check */
    if (p->elf_paddr_offset != UNSET_ADDR && p->virt_base == UNSET_ADDR) {
        *why = "PADDR_OFFSET set, VIRT_BASE unset";
        return -1;
    }
    if (p->virt_base == UNSET_ADDR)
        p->virt_base = 0;
    if (p->elf_paddr_offset == UNSET_ADDR)
        p->elf_paddr_offset = 0;             /* notes, not __xen_guest */
    uint64_t virt_offset = p->virt_base - p->elf_paddr_offset;
    p->virt_kstart = p->pstart + virt_offset;
    p->virt_kend = p->pend + virt_offset;
    if (p->virt_entry == UNSET_ADDR)
        p->virt_entry = eh->e_entry;
    if (p->virt_kstart > p->virt_kend || p->virt_entry < p->virt_kstart ||
        p->virt_entry > p->virt_kend || p->virt_base > p->virt_kstart) {
        *why = "ELF start or entries are out of bounds";
        return -1;
    }
    return 0;
}
