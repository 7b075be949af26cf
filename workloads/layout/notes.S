/* The layout guest's own Xen ELF notes, besides the runtime's
 * (lib/head.S): PADDR_OFFSET (guest-upper.ld links it), the FEATURES
 * string XTF carries (one feature required: Xen and asilab accept it),
 * and SUPPORTED_FEATURES with dom0, which Xen's builder wants of a dom0
 * kernel that has that note. */
        .section .note.Xen, "a"
        .align 4
        .long 4, 8, 4                   /* XEN_ELFNOTE_PADDR_OFFSET */
        .asciz "Xen"
        .align 4
        .quad __xen_paddr_offset

        .align 4
        .long 4, 2f - 1f, 10            /* XEN_ELFNOTE_FEATURES */
        .asciz "Xen"
        .align 4
1:      .asciz "!writable_page_tables|pae_pgdir_above_4gb|no_such_feature"
2:      .align 4

        .long 4, 4, 17                  /* XEN_ELFNOTE_SUPPORTED_FEATURES */
        .asciz "Xen"
        .align 4
        .long 1 << 11                   /* XENFEAT_dom0 */
        .previous
