/* The PV domain builder: one or more domains from a multiboot module (a
 * 64-bit PV kernel ELF with Xen ELF notes, read by elf_dominfo.c), laid
 * out as Xen's x86-64 PV builder (pv/dom0_build.c) lays out dom0:
 *   v_start = VIRT_BASE (pfn 0), the kernel image at its
 *   VIRT_BASE + p_paddr - PADDR_OFFSET, then page-aligned one after the
 *   other: the phys-to-machine list, start_info, for a domU the
 *   xenstore and console pages (libxenguest's alloc_magic_pages_pv
 *   order: start_info, xenstore, console), the bootstrap page tables
 *   (mapped read-only, the L4 pinned), one page of boot stack;
 *   v_end is the stack's end rounded up to 4 MiB with at least 512 KiB
 *   to spare.
 * pfn = (va - v_start) >> PAGE_SHIFT for all of [v_start, v_end); the
 * domain's pages beyond exist only in the p2m list (and the M2P).  The
 * guest's command line is the module's, less the image name, unchanged
 * (Xen's cmdline_cook); each of a module's domains= copies learns which
 * it is from the lab hypercall (asilab_info.instance).
 * Domain 0 (the first module's first domain) is dom0; every other is a
 * domU, with a console ring the hv backs (hv/pv/console_ring.c) in
 * start_info's console.domU.  Its xenstore page is laid out and zeroed
 * as libxenguest's but not offered (store_mfn and store_evtchn 0): there
 * is no xenstored (README). */
#include "boot.h"
#include "console.h"
#include "domain.h"
#include "domain_page.h"
#include "emulate.h"
#include "descriptor.h"
#include "elf.h"
#include "flushtlb.h"
#include "page.h"
#include "lib.h"
#include "m2p.h"
#include "mm.h"
#include "pt.h"
#include "public/elfnote.h"
#include "public/memory.h"
#include "sched.h"
#include "strategy.h"
#include "traps.h"
#include "vcpu_timer.h"
#include "x86.h"

static struct domain domain_pool[MAX_DOMAINS];
static struct vcpu vcpu_pool[MAX_DOMAINS][MAX_VCPUS];

/* The initial virtual address space (Xen's v* variables). */
struct layout {
    uint64_t v_start, vkern_start, vkern_end;
    uint64_t vphysmap_start, vstartinfo_start, vpt_start, vstack_end, v_end;
    uint64_t vxenstore_start, vconsole_start;   /* domU only, else 0 */
    unsigned long nr_pt_pages;
    unsigned long first_p2m_pfn;     /* Xen: pages of its initial chunk */
};

static unsigned long pfn_of(const struct layout *l, uint64_t va)
{
    return (va - l->v_start) >> PAGE_SHIFT;
}

/* Tables of 2^shift bytes each that [lo, hi) touches (Xen's NR()). */
static unsigned long count_tables(uint64_t lo, uint64_t hi, int shift)
{
    return ((hi - 1) >> shift) - (lo >> shift) + 1;
}

#define MIB (1UL << 20)

/* Xen's simultaneous equations for the page-table frames and v_end,
 * solved by the same search. */
static const char *compute_layout(const struct elf_dom_parms *p, unsigned long nr_pages,
                                  bool domu, struct layout *l)
{
    if (p->virt_base & ~PAGE_MASK)
        return "VIRT_BASE is not page-aligned";
    if (p->virt_kend > ~0UL - 16 * MIB - nr_pages * sizeof(unsigned long))
        return "the image ends too close to the top of the address space";
    if (p->virt_kend - p->virt_base > nr_pages * PAGE_SIZE)  /* before the search */
        return "the domain's memory is too small for the kernel image";
    l->v_start = p->virt_base;
    l->vkern_start = p->virt_kstart;
    l->vkern_end = p->virt_kend;
    l->vphysmap_start = ROUNDUP(l->vkern_end, PAGE_SIZE);   /* no initrd */
    uint64_t vphysmap_end = l->vphysmap_start + nr_pages * sizeof(unsigned long);
    l->vstartinfo_start = ROUNDUP(vphysmap_end, PAGE_SIZE);
    l->vpt_start = ROUNDUP(l->vstartinfo_start + sizeof(struct start_info), PAGE_SIZE);
    l->vxenstore_start = l->vconsole_start = 0;
    if (domu) {
        l->vxenstore_start = l->vpt_start;
        l->vconsole_start = l->vxenstore_start + PAGE_SIZE;
        l->vpt_start = l->vconsole_start + PAGE_SIZE;
    }
    for (l->nr_pt_pages = 2;; l->nr_pt_pages++) {
        l->vstack_end = l->vpt_start + (l->nr_pt_pages + 1) * PAGE_SIZE;
        l->v_end = ROUNDUP(l->vstack_end, 4 * MIB);
        if (l->v_end - l->vstack_end < 512 * 1024)
            l->v_end += 4 * MIB;
        if (1 + count_tables(l->v_start, l->v_end, 39) + count_tables(l->v_start, l->v_end, 30) +
            count_tables(l->v_start, l->v_end, 21) <= l->nr_pt_pages)
            break;
    }
    if (!guest_range_ok(l->v_start, l->v_end - l->v_start))
        return "the initial mapping overlaps the hv's slots or is not canonical";
    unsigned long mapped = pfn_of(l, l->v_end);
    /* Xen allocates a 2^order chunk covering [v_start, v_end) and wants
     * nr_pages to hold it; asilab allocates frame by frame and wants the
     * mapped part only (README, deviations). */
    if (mapped > nr_pages)
        return "the domain's memory is too small for the kernel image";
    unsigned int order = 0;
    while ((1UL << order) < mapped)
        order++;
    l->first_p2m_pfn = MIN(nr_pages, 1UL << order);
    if (p->virt_hypercall != UNSET_ADDR &&
        (p->virt_hypercall < l->v_start || p->virt_hypercall >= l->v_end))
        return "invalid HYPERCALL_PAGE field in ELF notes";
    if (p->virt_hypercall != UNSET_ADDR && (p->virt_hypercall & ~PAGE_MASK))
        return "HYPERCALL_PAGE is not page-aligned";
    return NULL;
}

/* Which XENFEAT_* a kernel may require of us: none that a PV guest here
 * cannot have (supervisor mode, auto-translation, HVM callbacks; Xen's
 * builder refuses a required supervisor_mode_kernel), dom0 only for
 * domain 0. */
static uint32_t features_offered(const struct domain *d)
{
    return (1U << XENFEAT_writable_page_tables) | (1U << XENFEAT_writable_descriptor_tables) |
           (1U << XENFEAT_pae_pgdir_above_4gb) |
           (d->domain_id == 0 ? 1U << XENFEAT_dom0 : 0);
}

/* Write the 64-bit hypercall page: for each hypercall a 32-byte stub
 * that preserves %rcx/%r11 around SYSCALL; iret's stub pushes the
 * registers HYPERVISOR_iret expects and does not return. */
static void fill_hypercall_page(uint8_t *p)
{
    memset(p, 0xcc, PAGE_SIZE);
    for (unsigned int i = 0; i < PAGE_SIZE / 32; i++) {
        uint8_t *s = p + i * 32;
        s[0] = 0x51;                          /* push %rcx */
        s[1] = 0x41; s[2] = 0x53;             /* push %r11 */
        s[3] = 0xb8;                          /* mov $i, %eax */
        *(uint32_t *)&s[4] = i;
        s[8] = 0x0f; s[9] = 0x05;             /* syscall */
        s[10] = 0x41; s[11] = 0x5b;           /* pop %r11 */
        s[12] = 0x59;                         /* pop %rcx */
        s[13] = 0xc3;                         /* ret */
    }
    uint8_t *s = p + __HYPERVISOR_iret * 32;
    memset(s, 0xcc, 32);
    s[0] = 0x51;                              /* push %rcx */
    s[1] = 0x41; s[2] = 0x53;                 /* push %r11 */
    s[3] = 0x50;                              /* push %rax */
    s[4] = 0xb8;                              /* mov $iret, %eax */
    *(uint32_t *)&s[5] = __HYPERVISOR_iret;
    s[9] = 0x0f; s[10] = 0x05;                /* syscall */
}

static struct domain *current_build;
static unsigned long pt_next_pfn, pt_end_pfn;

/* Page-table frames come from the domain's own bootstrap area. */
static uint64_t alloc_guest_pt(void)
{
    if (pt_next_pfn >= pt_end_pfn)
        return 0;
    return current_build->p2m[pt_next_pfn++];
}

/* Copy n bytes (src NULL: zeroes) to the domain's initial mapping at va. */
static void copy_to_domain(struct domain *d, const struct layout *l, uint64_t va,
                           const uint8_t *src, uint64_t n)
{
    while (n) {
        uint64_t chunk = MIN(n, PAGE_SIZE - (va & ~PAGE_MASK));
        uint8_t *dst = (uint8_t *)mfn_to_virt(d->p2m[pfn_of(l, va)]) + (va & ~PAGE_MASK);
        if (src) {
            memcpy(dst, src, chunk);
            src += chunk;
        } else {
            memset(dst, 0, chunk);
        }
        va += chunk;
        n -= chunk;
    }
}

/* Xen's elf_load_binary: each loadable segment at vkern_start + its
 * p_paddr - pstart, file bytes then zeroes; at most twice the image's
 * span copied in all, so a crafted ELF cannot make loading quadratic. */
static int load_image(struct domain *d, const struct elf_dom_parms *p, const struct layout *l)
{
    const Elf64_Phdr *ph = (const void *)(p->image + p->eh->e_phoff);
    uint64_t allow = 2 * (p->pend - p->pstart);
    for (unsigned int i = 0; i < p->eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & (PF_R | PF_W | PF_X)))
            continue;
        if (allow < ph[i].p_memsz)
            return -1;
        allow -= ph[i].p_memsz;
        uint64_t dest = l->vkern_start + (ph[i].p_paddr - p->pstart);
        copy_to_domain(d, l, dest, p->image + ph[i].p_offset, ph[i].p_filesz);
        copy_to_domain(d, l, dest + ph[i].p_filesz, NULL, ph[i].p_memsz - ph[i].p_filesz);
    }
    return 0;
}

/* Every page of the initial mapping, read-write but the page tables'. */
static int build_page_tables(struct domain *d, const struct layout *l, mfn_t *l4_out)
{
    unsigned long pt_pfn = pfn_of(l, l->vpt_start), mapped = pfn_of(l, l->v_end);
    current_build = d;
    pt_next_pfn = pt_pfn;
    pt_end_pfn = pt_pfn + l->nr_pt_pages;
    mfn_t l4 = alloc_guest_pt();
    for (unsigned long pfn = 0; pfn < mapped; pfn++) {
        uint64_t flags = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;
        if (pfn < pt_pfn || pfn >= pt_end_pfn)
            flags |= _PAGE_RW;
        if (pt_map_range(l4 << PAGE_SHIFT, l->v_start + pfn * PAGE_SIZE,
                         d->p2m[pfn] << PAGE_SHIFT, 1, flags, alloc_guest_pt,
                         PAGE_GUEST_TABLE))
            return -1;
    }
    /* Validate the whole tree as Xen's builder does: from here on the
     * frames' types and counts are what the tables say.  The L4 holds
     * the vCPU's base-pointer reference and, as Xen's, a pin. */
    if (get_page_and_type(l4, d, PGT_l4) || get_page_and_type(l4, d, PGT_l4)) {
        printk("hv: d%u: bootstrap page tables do not validate\n", d->domain_id);
        return -1;
    }
    mfn_to_page(l4)->flags |= PGF_pinned;
    *l4_out = l4;
    return 0;
}

/* Where a module's vCPUs run: all on pCPU `first`, or with spread, vCPU
 * i of instance k on pCPU first + k * nr_vcpus + i (mod online CPUs). */
struct placement { unsigned int first; bool spread; };

static int build_one(struct domain *d, const struct elf_dom_parms *p, const char *cmdline,
                     unsigned long nr_pages, unsigned int nr_vcpus,
                     struct placement where)
{
    struct layout l;
    bool domu = !is_control_domain(d);
    const char *why = compute_layout(p, nr_pages, domu, &l);
    if (!why && (p->f_required & ~features_offered(d)))
        why = "the kernel requires a feature this domain is not offered";
    if (!why && d->domain_id == 0 && p->supported_features_note &&
        !(p->f_supported & (1U << XENFEAT_dom0)))
        why = "the kernel does not support dom0 operation";
    if (why) {
        printk("hv: d%u: %s\n", d->domain_id, why);
        return -1;
    }

    /* The domain's pages: pfn i is p2m[i]; the M2P says so from now on. */
    unsigned long p2m_pages = ROUNDUP(nr_pages * 8, PAGE_SIZE) >> PAGE_SHIFT;
    unsigned long hv_p2m = frames_alloc(&hv_frames, p2m_pages, 1);
    if (hv_p2m == ~0UL)
        return -1;
    d->p2m = mfn_to_virt(hv_p2m);
    d->nr_pages = nr_pages;
    for (unsigned long pfn = 0; pfn < nr_pages; pfn++) {
        mfn_t mfn = alloc_frame();
        if (!mfn)
            return -1;
        d->p2m[pfn] = mfn;
        *mfn_to_page(mfn) = (struct page_info){ .owner = d->domain_id, .pfn = pfn };
        set_gpfn_from_mfn(mfn, pfn);
    }

    /* Per-domain L3 (slot 260) and shared_info. */
    d->perdomain_l3 = alloc_frame();
    evtchn_init(d);
    d->shared_info_mfn = alloc_frame();
    if (!d->perdomain_l3 || !d->shared_info_mfn)
        return -1;
    /* The hv writes shared_info on the guest's behalf (event bits, the
     * saved CR2, upcall masks): like Xen's share_xen_page_with_guest it
     * holds a permanent writable type reference, so it can never be
     * validated as a page table or descriptor page; it has no pfn. */
    *mfn_to_page(d->shared_info_mfn) = (struct page_info){
        .owner = d->domain_id, .pfn = nr_pages, .type = PGT_writable,
        .type_count = 1, .count = 1, .flags = PGF_xenheap };
    set_gpfn_from_mfn(d->shared_info_mfn, INVALID_M2P_ENTRY);
    struct shared_info *si = mfn_to_virt(d->shared_info_mfn);
    for (unsigned int i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
        si->vcpu_info[i].evtchn_upcall_mask = 1;     /* and nothing else, as Xen */

    mfn_t l4;
    if (build_page_tables(d, &l, &l4))
        return -1;
    if (load_image(d, p, &l)) {
        printk("hv: d%u: the segments copy more than twice the image\n", d->domain_id);
        return -1;
    }
    if (p->virt_hypercall != UNSET_ADDR)
        fill_hypercall_page(mfn_to_virt(d->p2m[pfn_of(&l, p->virt_hypercall)]));

    /* start_info, then the guest's phys-to-machine list. */
    struct start_info *sinfo = mfn_to_virt(d->p2m[pfn_of(&l, l.vstartinfo_start)]);
    memset(sinfo, 0, PAGE_SIZE);
    strlcpy(sinfo->magic, "xen-3.0-x86_64", sizeof(sinfo->magic));
    sinfo->nr_pages = nr_pages;
    sinfo->shared_info = d->shared_info_mfn << PAGE_SHIFT;
    sinfo->flags = d->domain_id == 0 ? SIF_INITDOMAIN | SIF_PRIVILEGED : 0;
    sinfo->pt_base = l.vpt_start;
    sinfo->nr_pt_frames = l.nr_pt_pages;
    sinfo->mfn_list = l.vphysmap_start;
    sinfo->first_p2m_pfn = l.first_p2m_pfn;
    sinfo->nr_p2m_frames = 0;
    for (unsigned long pfn = 0; pfn < nr_pages; pfn++) {
        uint64_t *pg = mfn_to_virt(d->p2m[pfn_of(&l, l.vphysmap_start) + pfn / 512]);
        pg[pfn % 512] = d->p2m[pfn];
    }
    strlcpy((char *)sinfo->cmd_line, cmdline, sizeof(sinfo->cmd_line));
    if (domu) {
        memset(mfn_to_virt(d->p2m[pfn_of(&l, l.vxenstore_start)]), 0, PAGE_SIZE);
        if (console_ring_init(d, d->p2m[pfn_of(&l, l.vconsole_start)])) {
            printk("hv: d%u: cannot set up its console ring\n", d->domain_id);
            return -1;
        }
        sinfo->console.domU.mfn = d->console_mfn;
        sinfo->console.domU.evtchn = d->console_port;
    }

    /* vCPUs: 0 runs from the entry point; the others wait for
     * VCPUOP_initialise + VCPUOP_up. */
    d->nr_vcpus = nr_vcpus;
    for (unsigned int i = 0; i < nr_vcpus; i++) {
        struct vcpu *v = &vcpu_pool[d->domain_id][i];
        memset(v, 0, sizeof(*v));
        v->vcpu_id = i;
        v->domain = d;
        v->vcpu_info = &((struct shared_info *)mfn_to_virt(d->shared_info_mfn))->vcpu_info[i];
        pv_emul_vcpu_init(v);
        vcpu_time_init(v);
        v->processor = (where.first + (where.spread ? d->instance * nr_vcpus + i : 0))
                       % nr_cpus_online;
        v->runstate = RUNSTATE_offline;
        v->dirty_cpu = NO_CPU;
        *(uint16_t *)&v->fpu[0] = 0x37f;          /* FCW after FNINIT */
        *(uint32_t *)&v->fpu[24] = 0x1f80;        /* MXCSR default */
        d->vcpu[i] = v;
        if (strategy_vcpu_init(v) || mapcache_vcpu_init(v) || descriptors_vcpu_init(v))
            return -1;
    }
    struct vcpu *v0 = d->vcpu[0];
    v0->user_regs.rip = p->virt_entry;
    v0->user_regs.rsp = l.vstack_end;
    v0->user_regs.rsi = l.vstartinfo_start;
    v0->user_regs.cs = FLAT_KERNEL_CS64;
    v0->user_regs.ss = FLAT_KERNEL_SS64;
    v0->user_regs.rflags = X86_EFLAGS_IF | X86_EFLAGS_MBS;
    v0->flags = TF_kernel_mode;
    v0->guest_table = l4;
    v0->initialised = true;
    printk("hv: d%u: %#lx-%#lx mapped (kernel %#lx-%#lx, p2m %#lx, start_info %#lx, "
           "page tables %#lx+%lu, stack end %#lx), entry %#lx\n", d->domain_id,
           l.v_start, l.v_end, l.vkern_start, l.vkern_end, l.vphysmap_start,
           l.vstartinfo_start, l.vpt_start, l.nr_pt_pages, l.vstack_end, p->virt_entry);
    if (domu)
        printk("hv: d%u: console ring %#lx (mfn %#lx), port %u\n", d->domain_id,
               l.vconsole_start, d->console_mfn, d->console_port);
    return 0;             /* start_domains() wakes vCPU 0 once all exist */
}

static const char *basename_noext(const char *path, char *buf, size_t n)
{
    const char *b = path;
    for (const char *p = path; *p && *p != ' '; p++)
        if (*p == '/')
            b = p + 1;
    size_t len = 0;
    while (b[len] && b[len] != ' ' && b[len] != '.')
        len++;
    len = MIN(len, n - 1);
    memcpy(buf, b, len);
    buf[len] = 0;
    return buf;
}

/* Xen's cmdline_cook for a multiboot loader that puts the image name
 * first: leading blanks, the name and the blanks after it go. */
static const char *cmdline_cook(const char *p)
{
    while (*p == ' ')
        p++;
    while (*p && *p != ' ')
        p++;
    while (*p == ' ')
        p++;
    return p;
}

void start_domains(void)
{
    for (unsigned int i = 0; i < nr_domains; i++)
        vcpu_up(domains[i]->vcpu[0]);
}

/* Xen's dom0_mem=<size>[,max:<size>...] on the hv command line, for a
 * dom0 module without mem= (a kernel whose command line must not carry
 * the lab's mem=, e.g. Linux, which reads mem= itself): the first
 * amount, with Xen's parse_size_and_unit units (K, M, G; none: KiB), in
 * whole MiB; 0 (refused below) if it is not one. */
static unsigned long dom0_mem_mib(const char *v)
{
    const char *end;
    unsigned long n = simple_strtoul(v, &end, 10);
    switch (*end) {
    case 'G': case 'g': return n << 10;
    case 'M': case 'm': return n;
    case 'K': case 'k': case ',': case 0: return n >> 10;
    default: return 0;
    }
}

int construct_domains(const struct boot_module *mod, unsigned int *next_domid)
{
    char val[32], name[32];
    unsigned int nr_doms = 1, nr_vcpus = 1;
    unsigned long mem_mib = 4;
    struct placement where = { 0, false };
    struct elf_dom_parms parms;
    const char *why;

    if (cmdline_get(mod->cmdline, "domains", val, sizeof(val)))
        nr_doms = simple_strtoul(val, NULL, 10);
    if (cmdline_get(mod->cmdline, "vcpus", val, sizeof(val)))
        nr_vcpus = simple_strtoul(val, NULL, 10);
    if (cmdline_get(mod->cmdline, "mem", val, sizeof(val)))
        mem_mib = simple_strtoul(val, NULL, 10);
    else if (*next_domid == 0 && cmdline_get(saved_cmdline, "dom0_mem", val, sizeof(val)))
        mem_mib = dom0_mem_mib(val);
    if (cmdline_get(mod->cmdline, "pcpu", val, sizeof(val)))
        where.first = simple_strtoul(val, NULL, 10);
    if (cmdline_get(mod->cmdline, "spread", val, sizeof(val)))
        where.spread = simple_strtoul(val, NULL, 10) != 0;
    if (!nr_doms || !nr_vcpus || nr_vcpus > MAX_VCPUS || !mem_mib || mem_mib > MAX_DOMAIN_MIB ||
        nr_doms > MAX_DOMAINS - *next_domid) {
        printk("hv: module '%s': bad domains/vcpus/mem (max %d vcpus, %d MiB, %d domains)\n",
               mod->cmdline, MAX_VCPUS, MAX_DOMAIN_MIB, MAX_DOMAINS);
        return -1;
    }
    if (elf_xen_parse(__va(mod->start), mod->end - mod->start, &parms, &why)) {
        printk("hv: module '%s' is not a 64-bit PV kernel we accept: %s\n",
               mod->cmdline, why);
        return -1;
    }
    basename_noext(mod->cmdline, name, sizeof(name));
    for (unsigned int k = 0; k < nr_doms; k++) {
        struct domain *d = &domain_pool[*next_domid];
        memset(d, 0, sizeof(*d));
        d->domain_id = (*next_domid)++;
        d->instance = k;
        strlcpy(d->name, name, sizeof(d->name));
        d->is_driver = k == 0;
        domains[nr_domains++] = d;
        if (build_one(d, &parms, cmdline_cook(mod->cmdline), mem_mib << 8, nr_vcpus, where))
            return -1;
        printk("hv: d%u: %s, %lu pages, %u vCPU(s) from pCPU %u\n",
               d->domain_id, d->name, d->nr_pages, d->nr_vcpus, d->vcpu[0]->processor);
    }
    return 0;
}
