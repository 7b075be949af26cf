/* The ELF64 structures the domain builder reads. */
#ifndef ASILAB_ELF_H
#define ASILAB_ELF_H
#include <stdint.h>

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
#define ET_EXEC 2
#define EM_X86_64 62
#endif
