/* Multiboot entry (v1 and v2, one image): 32-bit protected mode -> long
 * mode with boot page tables (identity + directmap of the first 4 GiB,
 * image at slot 261), then the jump to the image's linked address and
 * __start_xen(magic, info), which tells the two protocols apart by the
 * magic in %eax (multiboot.c).  Also the AP trampoline's 64-bit landing
 * point. */
#include "asm.h"

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00010003   /* page-aligned modules, mem info, addresses */

        .section .text.multiboot, "ax"
        .code32
        .align 4
mb_header:
        .long MB_MAGIC
        .long MB_FLAGS
        .long -(MB_MAGIC + MB_FLAGS)
        .long PA(mb_header)
        .long PA(_start)
        .long PA(_edata)
        .long PA(_end)
        .long PA(start32)

/* The multiboot2 header (GRUB's `multiboot2`, the only multiboot GRUB
 * offers UEFI machines an ACPI pointer through): the same load
 * addresses, the same entry, and a request for the tags multiboot.c
 * reads.  No EFI tags, unlike Xen's: GRUB leaves boot services before the
 * jump and enters in 32-bit protected mode as on BIOS. */
#define MB2_MAGIC 0xe85250d6
        .align 8
mb2_header:
        .long MB2_MAGIC
        .long 0                        /* architecture: i386 */
        .long mb2_header_end - mb2_header
        .long -(MB2_MAGIC + (mb2_header_end - mb2_header))
        .align 8
        .short 1, 1                    /* information request, optional */
        .long 8 + 4 * 6
        .long 1, 2, 3, 6, 14, 15       /* cmdline, loader, modules, mmap, ACPI 1, ACPI 2 */
        .align 8
        .short 2, 0                    /* address */
        .long 24
        .long PA(mb2_header)
        .long PA(_start)
        .long PA(_edata)
        .long PA(_end)
        .align 8
        .short 3, 0                    /* entry address */
        .long 12
        .long PA(start32)
        .align 8
        .short 0, 0                    /* end */
        .long 8
mb2_header_end:

        .section .text.boot, "ax"
        .code32
        .globl start32
start32:
        cli
        cld
        mov     %eax, PA(boot_mb_magic)
        mov     %ebx, PA(boot_mb_info)
        lgdt    PA(boot_gdt_ptr)
        ljmp    $0x18, $PA(1f)
1:      mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        mov     %eax, %fs
        mov     %eax, %gs
        mov     $PA(boot_stack_top), %esp

        /* boot_l2[0..3]: 2 MiB pages covering 0..4 GiB. */
        mov     $PA(boot_l2), %edi
        xor     %ecx, %ecx
2:      mov     %ecx, %eax
        shl     $21, %eax
        or      $0x83, %eax            /* P | RW | PS */
        mov     %ecx, %edx
        shr     $11, %edx              /* high bits of i << 21 */
        mov     %eax, (%edi,%ecx,8)
        mov     %edx, 4(%edi,%ecx,8)
        inc     %ecx
        cmp     $2048, %ecx
        jne     2b

        /* boot_l3_low[0..3] -> boot_l2[0..3] */
        mov     $PA(boot_l3_low), %edi
        mov     $PA(boot_l2) + 3, %eax
        mov     %eax, 0(%edi)
        add     $4096, %eax
        mov     %eax, 8(%edi)
        add     $4096, %eax
        mov     %eax, 16(%edi)
        add     $4096, %eax
        mov     %eax, 24(%edi)
        /* boot_l3_hv[321] -> boot_l2[0]: HV_VIRT_START maps physical 0 */
        mov     $PA(boot_l2) + 3, %eax
        mov     %eax, PA(boot_l3_hv) + 321 * 8
        /* boot_l4: [0] identity, [261] image, [262] directmap */
        mov     $PA(boot_l3_low) + 3, %eax
        mov     %eax, PA(boot_l4)
        mov     %eax, PA(boot_l4) + 262 * 8
        mov     $PA(boot_l3_hv) + 3, %eax
        mov     %eax, PA(boot_l4) + 261 * 8

        .globl boot_enter_long_mode
boot_enter_long_mode:
        mov     %cr4, %eax
        or      $0x20, %eax            /* PAE */
        mov     %eax, %cr4
        mov     $PA(boot_l4), %eax
        mov     %eax, %cr3
        mov     $0xc0000080, %ecx      /* EFER: LME | NXE | SCE */
        rdmsr
        or      $0x901, %eax
        wrmsr
        mov     %cr0, %eax
        or      $0x80010001, %eax      /* PG | WP | PE */
        mov     %eax, %cr0
        ljmp    $0x08, $PA(start64_low)

        .code64
start64_low:
        movabs  $boot_lm_entry, %rax
        jmp     *(%rax)

        .text
start64_high:
        lgdt    boot_gdt_ptr64(%rip)
        movabs  $cpu0_stack_top, %rax
        mov     (%rax), %rsp
        xor     %ebp, %ebp
        mov     boot_mb_magic(%rip), %edi
        mov     boot_mb_info(%rip), %esi
        call    __start_xen
        ud2

/* APs arrive here from the trampoline, in long mode on boot_l4, with
 * %rsp = their stack's cpu_info base set by the trampoline. */
        .globl start64_ap
start64_ap:
        lgdt    boot_gdt_ptr64(%rip)
        movabs  $ap_boot_stack, %rax
        mov     (%rax), %rsp
        xor     %ebp, %ebp
        call    start_secondary
        ud2

        .section .rodata
        .align 16
boot_gdt:
        .quad 0
        .quad 0x00af9a000000ffff       /* 0x08 code 64 */
        .quad 0x00cf92000000ffff       /* 0x10 data    */
        .quad 0x00cf9a000000ffff       /* 0x18 code 32 */
boot_gdt_end:
        .globl boot_gdt_ptr
boot_gdt_ptr:
        .word boot_gdt_end - boot_gdt - 1
        .long PA(boot_gdt)
        .align 8
boot_gdt_ptr64:
        .word boot_gdt_end - boot_gdt - 1
        .quad boot_gdt

        .data
        .globl boot_lm_entry
boot_lm_entry: .quad start64_high
        .globl boot_mb_magic, boot_mb_info
boot_mb_magic: .long 0
boot_mb_info:  .long 0

        .section .bss.page_aligned, "aw", @nobits
        .align 4096
        .globl boot_l4
boot_l4:      .skip 4096
boot_l3_low:  .skip 4096
boot_l3_hv:   .skip 4096
boot_l2:      .skip 4096 * 4
boot_stack:   .skip 4096
boot_stack_top:

/* AP trampoline, copied to TRAMPOLINE_PHYS (0x8000) and entered by SIPI
 * in real mode with %cs = 0x800.  It loads boot_gdt (its pointer patched
 * in by smpboot.c), enters protected mode and joins the BSP's path at
 * boot_enter_long_mode, which lands in start64_ap via boot_lm_entry. */
#define TRAMPOLINE_PHYS 0x8000
        .section .rodata
        .code16
        .globl trampoline_start, trampoline_end, trampoline_gdt_ptr
trampoline_start:
        cli
        cld
        mov     %cs, %ax
        mov     %ax, %ds
        lgdtl   trampoline_gdt_ptr - trampoline_start
        mov     %cr0, %eax
        or      $1, %eax
        mov     %eax, %cr0
        ljmpl   $0x18, $TRAMPOLINE_PHYS + (trampoline_pm32 - trampoline_start)
        .code32
trampoline_pm32:
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        mov     $PA(boot_enter_long_mode), %eax
        jmp     *%eax
        .align 8
trampoline_gdt_ptr:
        .word 0
        .long 0
trampoline_end:
        .code64
