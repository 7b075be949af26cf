/* The ELF64 structures the domain builder reads. */
#ifndef ASILAB_ELF_H
#define ASILAB_ELF_H
#include "types.h"

typedef struct {
    unsigned char e_ident[16];
    uint16_t e_type, e_machine;
    uint32_t e_version;
    uint64_t e_entry, e_phoff, e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} Elf64_Ehdr;

typedef struct {
    uint32_t p_type, p_flags;
    uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
} Elf64_Phdr;

typedef struct {
    uint32_t n_namesz, n_descsz, n_type;
} Elf64_Nhdr;

#define PT_LOAD 1
#define PT_NOTE 4
#define PF_X 1
#define PF_W 2
#define PF_R 4
#define ET_EXEC 2
#define EM_X86_64 62

/* What a PV kernel's ELF image and Xen notes say about loading it (Xen's
 * struct elf_dom_parms, hv/pv/elf_dominfo.c), libelf's defaults applied. */
struct elf_dom_parms {
    const uint8_t *image;
    uint64_t size;
    const Elf64_Ehdr *eh;
    uint64_t pstart, pend;          /* p_paddr span of the loadable segments */
    uint64_t virt_base;             /* VIRT_BASE (default 0): pfn 0's address */
    uint64_t elf_paddr_offset;      /* PADDR_OFFSET (default 0) */
    uint64_t virt_kstart, virt_kend;/* where the image goes */
    uint64_t virt_entry;            /* ENTRY (default e_entry) */
    uint64_t virt_hypercall;        /* HYPERCALL_PAGE, UNSET_ADDR if none */
    uint32_t f_supported, f_required;  /* XENFEAT_* (submap 0) */
    bool supported_features_note;   /* XEN_ELFNOTE_SUPPORTED_FEATURES seen */
    char loader[16], guest_os[16], xen_ver[16];
};
#define UNSET_ADDR (~0UL)

/* Parse and check the image as libelf's elf_xen_parse: 0, or -1 with
 * *why saying what is wrong. */
int elf_xen_parse(const uint8_t *image, uint64_t size, struct elf_dom_parms *p,
                  const char **why);
#endif
