/* Writes to read-only page tables (Xen's pv/ro-page-fault.c, ptwr):
 * with VMASST_TYPE_writable_pagetables enabled, a guest-kernel write
 * that faults on a read-only mapping of one of the domain's validated
 * L1 tables is emulated as an update of that entry, checked as
 * mmu_update checks one (get_page_from_l1e; Xen's ptwr_emulated_update),
 * and execution goes on after the instruction.  Naturally aligned 4- or
 * 8-byte stores inside the faulting page only; a 4-byte store is merged
 * into the whole entry.  The instructions emulated are those kernels
 * write PTEs with: mov r/m, reg (89), mov r/m, imm32 (C7 /0), xchg (87)
 * and lock cmpxchg (0F B1, %rax and ZF as the CPU gives them); anything
 * else, or an entry the checks refuse, leaves the #PF to the guest, as
 * Xen's X86EMUL_UNHANDLEABLE does. */
#include "domain.h"
#include "domain_page.h"
#include "emulate.h"
#include "lib.h"
#include "page.h"
#include "pvmm.h"
#include "traps.h"
#include "x86.h"
#include "x86_decode.h"

struct ptwr_insn {
    unsigned int len, bytes;
    enum { PTWR_MOV, PTWR_MOV_IMM, PTWR_XCHG, PTWR_CMPXCHG } kind;
    unsigned int reg;          /* ModRM.reg with REX.R */
    uint64_t imm;
};

/* Prefixes (REX, operand size, lock, segment), the opcode and a memory
 * ModRM with its SIB and displacement: just enough to know the length
 * and the source. */
static bool decode(const uint8_t *b, unsigned int n, struct ptwr_insn *in)
{
    unsigned int i = 0, rex = 0;
    bool opsize = false;
    for (; i < n; i++) {
        if (b[i] == 0x66)
            opsize = true;
        else if (b[i] == 0xf0 || b[i] == 0x2e || b[i] == 0x3e || b[i] == 0x26 ||
                 b[i] == 0x36 || b[i] == 0x64 || b[i] == 0x65)
            continue;
        else
            break;
    }
    if (i < n && (b[i] & 0xf0) == 0x40)
        rex = b[i++];
    if (i + 2 > n)
        return false;
    in->bytes = (rex & 8) ? 8 : opsize ? 2 : 4;
    if (b[i] == 0x89) {
        in->kind = PTWR_MOV;
    } else if (b[i] == 0xc7) {
        in->kind = PTWR_MOV_IMM;
    } else if (b[i] == 0x87) {
        in->kind = PTWR_XCHG;
    } else if (b[i] == 0x0f && b[i + 1] == 0xb1) {
        in->kind = PTWR_CMPXCHG;
        i++;
    } else {
        return false;
    }
    i++;
    if (i >= n)
        return false;
    uint8_t modrm = b[i++];
    unsigned int mod = modrm >> 6, rm = modrm & 7;
    in->reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
    if (mod == 3 || (in->kind == PTWR_MOV_IMM && (modrm & 0x38)))
        return false;
    if (rm == 4) {                                  /* SIB */
        if (i >= n)
            return false;
        if (mod == 0 && (b[i] & 7) == 5)
            i += 4;
        i++;
    }
    if (mod == 1)
        i += 1;
    else if (mod == 2 || (mod == 0 && rm == 5))
        i += 4;
    if (in->kind == PTWR_MOV_IMM) {
        if (i + 4 > n)
            return false;
        in->imm = (uint64_t)(int64_t)(int32_t)(b[i] | b[i + 1] << 8 | b[i + 2] << 16 |
                                               (uint32_t)b[i + 3] << 24);
        i += 4;
    }
    if (i > n || in->bytes == 2)
        return false;
    in->len = i;
    return true;
}

/* The L1 entry mapping va in v's current tables, with its table. */
static bool l1e_of(struct vcpu *v, unsigned long va, mfn_t *table, pte_t *e)
{
    mfn_t t = vcpu_guest_root(v);
    for (int level = 4; level > 1; level--) {
        const pte_t *tab = map_domain_page(t);
        pte_t x = tab[pt_index(va, level)];
        unmap_domain_page(tab);
        if (!(x & _PAGE_PRESENT) || (level < 4 && (x & _PAGE_PSE)))
            return false;
        t = pte_addr(x) >> PAGE_SHIFT;
    }
    *table = t;
    const pte_t *tab = map_domain_page(t);
    *e = tab[pt_index(va, 1)];
    unmap_domain_page(tab);
    return true;
}

bool pv_ro_page_fault(struct cpu_user_regs *regs, unsigned long cr2)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;
    uint8_t buf[X86_MAX_INSN_LEN];
    struct ptwr_insn in = { .len = 0 };
    mfn_t l1, pt;
    pte_t e;

    if (!guest_kernel_mode(v) || !(d->vm_assist & (1UL << VMASST_TYPE_writable_pagetables)) ||
        (regs->error_code & (PFEC_present | PFEC_write | PFEC_rsvd | PFEC_insn_fetch)) !=
            (PFEC_present | PFEC_write) || !guest_range_ok(cr2, 1))
        return false;
    unsigned int n = X86_MAX_INSN_LEN;
    while (n && copy_from_guest(buf, regs->rip, n))
        n--;                               /* the instruction may end a page */
    if (!n || !decode(buf, n, &in) || (cr2 & (in.bytes - 1)))
        return false;

    bool done = false;
    mm_lock(d);
    if (!l1e_of(v, cr2, &l1, &e) || (e & (_PAGE_PRESENT | _PAGE_RW)) != _PAGE_PRESENT)
        goto out;
    pt = pte_addr(e) >> PAGE_SHIFT;
    unsigned int idx = (cr2 & ~PAGE_MASK) / sizeof(pte_t);
    unsigned int shift = (cr2 & 7) * 8;
    pte_t *slot = guest_l1e_ptr(d, pt, idx);   /* d's, a validated L1 */
    if (!slot)
        goto out;
    pte_t old = ACCESS_ONCE(*slot);
    unmap_domain_page(slot);
    uint64_t *reg = decode_gpr(regs, in.reg);
    uint64_t mask = in.bytes == 8 ? ~0UL : 0xffffffffUL;
    uint64_t src = in.kind == PTWR_MOV_IMM ? in.imm : *reg;
    pte_t val = (old & ~(mask << shift)) | ((src & mask) << shift);
    uint64_t seen = (old >> shift) & mask;

    if (in.kind == PTWR_CMPXCHG && seen != (regs->rax & mask)) {
        if (in.bytes == 8)
            regs->rax = seen;
        else
            regs->rax = (uint32_t)seen;
        regs->rflags &= ~X86_EFLAGS_ZF;
        done = true;
        goto out;
    }
    int level;
    if (mod_pt_entry_ad(d, pt, idx, val, false, &level))
        goto out;                          /* refused: the guest's #PF */
    if (in.kind == PTWR_XCHG)
        *reg = in.bytes == 8 ? seen : (uint32_t)seen;
    if (in.kind == PTWR_CMPXCHG)
        regs->rflags |= X86_EFLAGS_ZF;
    done = true;
out:
    mm_unlock(d);
    if (done)
        regs->rip += in.len;
    return done;
}
