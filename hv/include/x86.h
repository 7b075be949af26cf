/* x86-64 architectural definitions and inline accessors: control
 * registers, MSRs, CPUID, descriptor tables, port I/O. */
#ifndef ASILAB_X86_H
#define ASILAB_X86_H
#include "types.h"

#define X86_CR0_PE  (1UL << 0)
#define X86_CR0_MP  (1UL << 1)
#define X86_CR0_EM  (1UL << 2)
#define X86_CR0_TS  (1UL << 3)
#define X86_CR0_NE  (1UL << 5)
#define X86_CR0_WP  (1UL << 16)
#define X86_CR0_PG  (1UL << 31)
#define X86_CR4_TSD (1UL << 2)
#define X86_CR4_DE  (1UL << 3)
#define X86_CR4_PAE (1UL << 5)
#define X86_CR4_MCE (1UL << 6)
#define X86_CR4_PGE (1UL << 7)
#define X86_CR4_OSFXSR (1UL << 9)
#define X86_CR4_OSXMMEXCPT (1UL << 10)
#define X86_CR4_FSGSBASE (1UL << 16)
#define X86_CR4_OSXSAVE (1UL << 18)
#define X86_CR4_PCIDE (1UL << 17)
#define X86_CR4_SMEP (1UL << 20)

#define X86_EFLAGS_CF  (1UL << 0)
#define X86_EFLAGS_MBS (1UL << 1)
#define X86_EFLAGS_ZF  (1UL << 6)
#define X86_EFLAGS_TF  (1UL << 8)
#define X86_EFLAGS_IF  (1UL << 9)
#define X86_EFLAGS_DF  (1UL << 10)
#define X86_EFLAGS_IOPL (3UL << 12)
#define X86_EFLAGS_NT  (1UL << 14)
#define X86_EFLAGS_RF  (1UL << 16)
#define X86_EFLAGS_VM  (1UL << 17)
#define X86_EFLAGS_AC  (1UL << 18)
#define X86_EFLAGS_VIF (1UL << 19)
#define X86_EFLAGS_VIP (1UL << 20)
#define X86_EFLAGS_ID  (1UL << 21)

#define MSR_EFER          0xc0000080
#define MSR_STAR          0xc0000081
#define MSR_LSTAR         0xc0000082
#define MSR_CSTAR         0xc0000083
#define MSR_SYSCALL_MASK  0xc0000084
#define MSR_FS_BASE       0xc0000100
#define MSR_GS_BASE       0xc0000101
#define MSR_SHADOW_GS_BASE 0xc0000102
#define MSR_APIC_BASE     0x0000001b
#define MSR_IA32_TSC      0x00000010
#define MSR_IA32_UCODE_REV 0x0000008b      /* AMD: the patch level */
#define MSR_INTEL_PLATFORM_INFO 0x000000ce
#define MSR_INTEL_MISC_FEATURES_ENABLES 0x00000140
#define MSR_IA32_MISC_ENABLE 0x000001a0
#define MSR_IA32_CR_PAT   0x00000277
#define MSR_IA32_PERF_CAPABILITIES 0x00000345
#define EFER_SCE (1UL << 0)
#define EFER_LME (1UL << 8)
#define EFER_NXE (1UL << 11)

/* Exception vectors. */
#define TRAP_divide_error 0
#define TRAP_debug        1
#define TRAP_nmi          2
#define TRAP_int3         3
#define TRAP_overflow     4
#define TRAP_bounds       5
#define TRAP_invalid_op   6
#define TRAP_no_device    7
#define TRAP_double_fault 8
#define TRAP_invalid_tss 10
#define TRAP_no_segment  11
#define TRAP_stack_error 12
#define TRAP_gp_fault    13
#define TRAP_page_fault  14
#define TRAP_machine_check 18
#define TRAP_syscall     0x100   /* entry_vector flag: entered by SYSCALL */

/* Error code flags of #PF. */
#define PFEC_present (1U << 0)
#define PFEC_write   (1U << 1)
#define PFEC_user    (1U << 2)
#define PFEC_rsvd    (1U << 3)
#define PFEC_insn_fetch (1U << 4)
#define PFEC_user_mode PFEC_user
#define PFEC_write_access PFEC_write
/* #GP error code bits */
#define X86_XEC_EXT (1U << 0)
#define X86_XEC_IDT (1U << 1)

static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0,%0" : "=r"(v)); return v; }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2,%0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3,%0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4,%0" : "=r"(v)); return v; }
static inline void write_cr0(uint64_t v) { __asm__ volatile("mov %0,%%cr0" :: "r"(v) : "memory"); }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0,%%cr4" :: "r"(v) : "memory"); }
static inline void raw_write_cr3(uint64_t v) { __asm__ volatile("mov %0,%%cr3" :: "r"(v) : "memory"); }
/* INVPCID of `type` (hv/include/pcid.h's INVPCID_*) for pcid/addr. */
static inline void invpcid(unsigned long type, unsigned int pcid, unsigned long addr)
{
    struct { uint64_t pcid, addr; } desc = { pcid, addr };
    __asm__ volatile("invpcid %0, %1" :: "m"(desc), "r"(type) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
/* The boot CPU's vendor, from CPUID leaf 0 once at boot (setup.c);
 * Hygon counts as AMD, as in Xen. */
enum cpu_vendor { CPU_VENDOR_OTHER, CPU_VENDOR_INTEL, CPU_VENDOR_AMD };
extern enum cpu_vendor boot_cpu_vendor;

static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a,
                               uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
                     : "a"(leaf), "c"(sub));
}
static inline uint64_t rdtsc_ordered(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0,%1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1,%0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0,%1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0,%1" :: "a"(v), "Nd"(port)); }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1,%0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1,%0" : "=a"(v) : "Nd"(port)); return v; }
static inline void clts(void) { __asm__ volatile("clts" ::: "memory"); }
#define read_debugreg(n) ({ unsigned long _v;                               \
        __asm__ volatile("mov %%db" #n ",%0" : "=r"(_v)); _v; })
#define write_debugreg(n, v)                                                \
        __asm__ volatile("mov %0,%%db" #n :: "r"((unsigned long)(v)))
/* rdmsr that reports a #GP instead of taking it: 0 or -1. */
static inline int rdmsr_safe(uint32_t msr, uint64_t *val)
{
    uint32_t lo, hi;
    int rc = 0;
    __asm__ volatile("1: rdmsr\n2:\n"
                     ".section .fixup, \"ax\"\n"
                     "3: mov $-1, %2\n xor %0, %0\n xor %1, %1\n jmp 2b\n"
                     ".previous\n"
                     ".section .ex_table, \"a\"\n .quad 1b, 3b\n.previous"
                     : "=a"(lo), "=d"(hi), "+r"(rc) : "c"(msr));
    *val = lo | ((uint64_t)hi << 32);
    return rc;
}
/* wrmsr that reports a #GP instead of taking it: 0 or -1. */
static inline int wrmsr_safe(uint32_t msr, uint64_t v)
{
    int rc = 0;
    __asm__ volatile("1: wrmsr\n2:\n"
                     ".section .fixup, \"ax\"\n"
                     "3: mov $-1, %0\n jmp 2b\n"
                     ".previous\n"
                     ".section .ex_table, \"a\"\n .quad 1b, 3b\n.previous"
                     : "+r"(rc) : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
    return rc;
}
static inline void invlpg(unsigned long va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void local_irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void local_irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }

struct __packed desc_ptr {
    uint16_t limit;
    uint64_t base;
};
static inline void lgdt(const struct desc_ptr *p) { __asm__ volatile("lgdt %0" :: "m"(*p)); }
static inline void lidt(const struct desc_ptr *p) { __asm__ volatile("lidt %0" :: "m"(*p)); }
static inline void ltr(uint16_t sel) { __asm__ volatile("ltr %0" :: "r"(sel)); }
static inline void lldt(uint16_t sel) { __asm__ volatile("lldt %0" :: "r"(sel)); }

static inline bool is_canonical(uint64_t va)
{
    return ((int64_t)va >> 47) == 0 || ((int64_t)va >> 47) == -1;
}

#endif
