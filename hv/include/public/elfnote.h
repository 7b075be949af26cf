/* Xen ELF note types a PV guest kernel may carry (public/elfnote.h). */
#ifndef ASILAB_PUBLIC_ELFNOTE_H
#define ASILAB_PUBLIC_ELFNOTE_H
#define XEN_ELFNOTE_ENTRY           1
#define XEN_ELFNOTE_HYPERCALL_PAGE  2
#define XEN_ELFNOTE_VIRT_BASE       3
#define XEN_ELFNOTE_PADDR_OFFSET    4
#define XEN_ELFNOTE_XEN_VERSION     5
#define XEN_ELFNOTE_GUEST_OS        6
#define XEN_ELFNOTE_GUEST_VERSION   7
#define XEN_ELFNOTE_LOADER          8
#define XEN_ELFNOTE_FEATURES       10
#endif
