/* Assembly helpers and structure offsets shared by the hv's .S files
 * (checked against the C structures by BUILD_BUG_ONs in traps.c). */
#ifndef ASILAB_ASM_H
#define ASILAB_ASM_H
#define HV_VIRT_START_ASM 0xffff82d040000000
#define PA(x) ((x) - HV_VIRT_START_ASM)

#define STACK_SIZE_ASM      32768
#define UREGS_r15            0
#define UREGS_rax           80
#define UREGS_rcx           88
#define UREGS_error_code   120
#define UREGS_entry_vector 124
#define UREGS_rip          128
#define UREGS_cs           136
#define UREGS_rflags       144
#define UREGS_rsp          152
#define UREGS_ss           160
#define UREGS_es           168
#define UREGS_sizeof       200
#define CPUINFO_processor_id 200
#define CPUINFO_current_vcpu 208
#define CPUINFO_xen_cr3      216
#define CPUINFO_pv_cr3       224
#define CPUINFO_cr3_load_count 240
#define CPUINFO_sizeof       248
#define COUNTERS_sizeof      192   /* struct lab_pcpu_counters: 20 events * 8, to 64 */
#define TRAP_syscall_asm   0x100

#define FLAT_RING3_CS64_ASM 0xe033
#define FLAT_RING3_SS64_ASM 0xe02b
#endif
