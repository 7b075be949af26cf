/* The PV domain builder: one or more domains from a multiboot module
 * (a 64-bit PV kernel ELF with Xen ELF notes).  Layout, as Xen's
 * builder: kernel image, p2m list, start_info, bootstrap page tables
 * (mapped read-only), boot stack, then the rest of the domain's memory,
 * all mapped contiguously from the image's lowest address. */
#include "boot.h"
#include "console.h"
#include "domain.h"
#include "emulate.h"
#include "descriptor.h"
#include "elf.h"
#include "flushtlb.h"
#include "page.h"
#include "lib.h"
#include "mm.h"
#include "pt.h"
#include "public/elfnote.h"
#include "sched.h"
#include "strategy.h"
#include "traps.h"
#include "vcpu_timer.h"
#include "x86.h"

static struct domain domain_pool[MAX_DOMAINS];
static struct vcpu vcpu_pool[MAX_DOMAINS][MAX_VCPUS];

struct elf_info {
    const uint8_t *image;
    size_t size;
    const Elf64_Ehdr *eh;
    uint64_t v_start, v_kend, entry, hypercall_page;
};

/* [off, off + len) lies inside the module, without overflow. */
static bool in_image(const struct elf_info *e, uint64_t off, uint64_t len)
{
    return off <= e->size && len <= e->size - off;
}

static int elf_parse(struct elf_info *e)
{
    const Elf64_Ehdr *eh = (const void *)e->image;
    if (e->size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4) ||
        eh->e_ident[4] != 2 || eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC ||
        eh->e_phentsize != sizeof(Elf64_Phdr) || !in_image(e, eh->e_phoff,
        (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
        return -1;
    e->eh = eh;
    e->v_start = ~0UL;
    e->v_kend = 0;
    e->entry = eh->e_entry;
    e->hypercall_page = 0;
    const Elf64_Phdr *ph = (const void *)(e->image + eh->e_phoff);
    for (unsigned int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD) {
            if (!in_image(e, ph[i].p_offset, ph[i].p_filesz) ||
                ph[i].p_filesz > ph[i].p_memsz ||
                !guest_range_ok(ph[i].p_vaddr, ph[i].p_memsz) ||
                ph[i].p_vaddr + ph[i].p_memsz > GUEST_LOW_END)
                return -1;
            e->v_start = MIN(e->v_start, ph[i].p_vaddr & PAGE_MASK);
            e->v_kend = MAX(e->v_kend, ROUNDUP(ph[i].p_vaddr + ph[i].p_memsz, PAGE_SIZE));
        } else if (ph[i].p_type == PT_NOTE) {
            uint64_t off = ph[i].p_offset, end = off + ph[i].p_filesz;
            if (!in_image(e, off, ph[i].p_filesz))
                return -1;
            while (off + sizeof(Elf64_Nhdr) <= end) {
                const Elf64_Nhdr *nh = (const void *)(e->image + off);
                uint64_t name = off + sizeof(*nh);
                uint64_t desc = name + ROUNDUP(nh->n_namesz, 4);
                uint64_t next = desc + ROUNDUP(nh->n_descsz, 4);
                if (next > end)
                    break;
                if (nh->n_namesz == 4 && !memcmp(e->image + name, "Xen", 4) &&
                    nh->n_descsz == 8) {
                    uint64_t val = *(const uint64_t *)(e->image + desc);
                    if (nh->n_type == XEN_ELFNOTE_ENTRY)
                        e->entry = val;
                    else if (nh->n_type == XEN_ELFNOTE_HYPERCALL_PAGE)
                        e->hypercall_page = val;
                }
                off = next;
            }
        }
    }
    if (e->v_start == ~0UL || e->v_start < PAGE_SIZE || e->entry < e->v_start ||
        e->entry >= e->v_kend)
        return -1;
    if (e->hypercall_page && (e->hypercall_page & ~PAGE_MASK ||
        e->hypercall_page < e->v_start || e->hypercall_page >= e->v_kend))
        return -1;
    return 0;
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

static unsigned long count_tables(uint64_t va, uint64_t end, int shift)
{
    return ((end - 1) >> shift) - (va >> shift) + 1;
}

/* Where a module's vCPUs run: all on pCPU `first`, or with spread, vCPU
 * i of instance k on pCPU first + k * nr_vcpus + i (mod online CPUs). */
struct placement { unsigned int first; bool spread; };

static int build_one(struct domain *d, const struct elf_info *e, const char *args,
                     unsigned long nr_pages, unsigned int nr_vcpus,
                     unsigned int instance, struct placement where)
{
    uint64_t v_start = e->v_start;
    unsigned long kpages = (e->v_kend - v_start) >> PAGE_SHIFT;
    unsigned long p2m_pages = ROUNDUP(nr_pages * 8, PAGE_SIZE) >> PAGE_SHIFT;
    uint64_t v_end = v_start + nr_pages * PAGE_SIZE;
    unsigned long nr_pt = 1 + count_tables(v_start, v_end, 39) +
                          count_tables(v_start, v_end, 30) +
                          count_tables(v_start, v_end, 21);
    unsigned long p2m_pfn = kpages, si_pfn = p2m_pfn + p2m_pages;
    unsigned long pt_pfn = si_pfn + 1, stack_pfn = pt_pfn + nr_pt;
    unsigned long stack_pages = 4;

    if (stack_pfn + stack_pages + 16 > nr_pages || v_end > GUEST_LOW_END)
        return -1;
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
    }

    /* Kernel image. */
    const Elf64_Phdr *ph = (const void *)(e->image + e->eh->e_phoff);
    for (unsigned int i = 0; i < e->eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || !ph[i].p_memsz)
            continue;
        for (uint64_t off = 0; off < ph[i].p_filesz;) {
            uint64_t va = ph[i].p_vaddr + off;
            uint64_t n = MIN(ph[i].p_filesz - off, PAGE_SIZE - (va & ~PAGE_MASK));
            uint8_t *dst = mfn_to_virt(d->p2m[(va - v_start) >> PAGE_SHIFT]);
            memcpy(dst + (va & ~PAGE_MASK), e->image + ph[i].p_offset + off, n);
            off += n;
        }
    }
    if (e->hypercall_page)
        fill_hypercall_page(mfn_to_virt(d->p2m[(e->hypercall_page - v_start) >> PAGE_SHIFT]));

    /* p2m list for the guest. */
    for (unsigned long pfn = 0; pfn < nr_pages; pfn++) {
        uint64_t *pg = mfn_to_virt(d->p2m[p2m_pfn + pfn / 512]);
        pg[pfn % 512] = d->p2m[pfn];
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
     * validated as a page table or descriptor page. */
    *mfn_to_page(d->shared_info_mfn) = (struct page_info){
        .owner = d->domain_id, .pfn = nr_pages, .type = PGT_writable,
        .type_count = 1, .count = 1 };
    struct shared_info *si = mfn_to_virt(d->shared_info_mfn);
    for (unsigned int i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
        si->vcpu_info[i].evtchn_upcall_mask = 1;
    si->arch.max_pfn = nr_pages;

    /* Bootstrap page tables: L4 first, then whatever the walk needs. */
    current_build = d;
    pt_next_pfn = pt_pfn;
    pt_end_pfn = pt_pfn + nr_pt;
    mfn_t l4 = alloc_guest_pt();
    paddr_t l4pa = l4 << PAGE_SHIFT;
    for (unsigned long pfn = 0; pfn < nr_pages; pfn++) {
        uint64_t flags = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;
        if (pfn < pt_pfn || pfn >= pt_pfn + nr_pt)
            flags |= _PAGE_RW;
        if (pt_map_range(l4pa, v_start + pfn * PAGE_SIZE, d->p2m[pfn] << PAGE_SHIFT,
                         1, flags, alloc_guest_pt, PAGE_GUEST_TABLE))
            return -1;
    }
    /* Validate the whole tree as Xen's builder does: from here on the
     * frames' types and counts are what the tables say. */
    if (get_page_and_type(l4, d, PGT_l4)) {
        printk("hv: d%u: bootstrap page tables do not validate\n", d->domain_id);
        return -1;
    }

    /* start_info. */
    struct start_info *sinfo = mfn_to_virt(d->p2m[si_pfn]);
    strlcpy(sinfo->magic, "xen-3.0-x86_64", sizeof(sinfo->magic));
    sinfo->nr_pages = nr_pages;
    sinfo->shared_info = d->shared_info_mfn << PAGE_SHIFT;
    sinfo->flags = d->domain_id == 0 ? SIF_INITDOMAIN | SIF_PRIVILEGED : 0;
    sinfo->pt_base = v_start + pt_pfn * PAGE_SIZE;
    sinfo->nr_pt_frames = nr_pt;
    sinfo->mfn_list = v_start + p2m_pfn * PAGE_SIZE;
    strlcpy((char *)sinfo->cmd_line, args, sizeof(sinfo->cmd_line));
    sinfo->first_p2m_pfn = p2m_pfn;
    sinfo->nr_p2m_frames = p2m_pages;

    /* vCPUs: 0 runs from the entry point; the others wait for
     * VCPUOP_initialise + VCPUOP_up. */
    d->nr_vcpus = nr_vcpus;
    for (unsigned int i = 0; i < nr_vcpus; i++) {
        struct vcpu *v = &vcpu_pool[d->domain_id][i];
        memset(v, 0, sizeof(*v));
        v->vcpu_id = i;
        v->domain = d;
        pv_emul_vcpu_init(v);
        vcpu_time_init(v);
        v->processor = (where.first + (where.spread ? instance * nr_vcpus + i : 0))
                       % nr_cpus_online;
        v->runstate = RUNSTATE_offline;
        v->dirty_cpu = NO_CPU;
        *(uint16_t *)&v->fpu[0] = 0x37f;          /* FCW after FNINIT */
        *(uint32_t *)&v->fpu[24] = 0x1f80;        /* MXCSR default */
        d->vcpu[i] = v;
        if (strategy_vcpu_init(v) || descriptors_vcpu_init(v))
            return -1;
    }
    struct vcpu *v0 = d->vcpu[0];
    v0->user_regs.rip = e->entry;
    v0->user_regs.rsp = v_start + (stack_pfn + stack_pages) * PAGE_SIZE;
    v0->user_regs.rsi = v_start + si_pfn * PAGE_SIZE;
    v0->user_regs.cs = FLAT_KERNEL_CS64;
    v0->user_regs.ss = FLAT_KERNEL_SS64;
    v0->user_regs.rflags = X86_EFLAGS_IF | X86_EFLAGS_MBS;
    v0->flags = TF_kernel_mode;
    v0->guest_table = l4;
    v0->initialised = true;
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

void start_domains(void)
{
    for (unsigned int i = 0; i < nr_domains; i++)
        vcpu_up(domains[i]->vcpu[0]);
}

int construct_domains(const struct boot_module *mod, unsigned int *next_domid)
{
    char val[32], name[32], args[512];
    unsigned int nr_doms = 1, nr_vcpus = 1;
    unsigned long mem_mib = 4;
    struct placement where = { 0, false };
    struct elf_info e = { .image = __va(mod->start), .size = mod->end - mod->start };

    if (cmdline_get(mod->cmdline, "domains", val, sizeof(val)))
        nr_doms = simple_strtoul(val, NULL, 10);
    if (cmdline_get(mod->cmdline, "vcpus", val, sizeof(val)))
        nr_vcpus = simple_strtoul(val, NULL, 10);
    if (cmdline_get(mod->cmdline, "mem", val, sizeof(val)))
        mem_mib = simple_strtoul(val, NULL, 10);
    if (cmdline_get(mod->cmdline, "pcpu", val, sizeof(val)))
        where.first = simple_strtoul(val, NULL, 10);
    if (cmdline_get(mod->cmdline, "spread", val, sizeof(val)))
        where.spread = simple_strtoul(val, NULL, 10) != 0;
    if (!nr_doms || !nr_vcpus || nr_vcpus > MAX_VCPUS || !mem_mib || mem_mib > 64 ||
        nr_doms > MAX_DOMAINS - *next_domid) {
        printk("hv: module '%s': bad domains/vcpus/mem (max %d vcpus, 64 MiB, %d domains)\n",
               mod->cmdline, MAX_VCPUS, MAX_DOMAINS);
        return -1;
    }
    if (elf_parse(&e)) {
        printk("hv: module '%s' is not a 64-bit PV kernel ELF we accept\n", mod->cmdline);
        return -1;
    }
    basename_noext(mod->cmdline, name, sizeof(name));
    const char *rest = strchr(mod->cmdline, ' ');
    for (unsigned int k = 0; k < nr_doms; k++) {
        struct domain *d = &domain_pool[*next_domid];
        memset(d, 0, sizeof(*d));
        d->domain_id = (*next_domid)++;
        strlcpy(d->name, name, sizeof(d->name));
        d->is_driver = k == 0;
        snprintf(args, sizeof(args), "%s instance=%u", rest ? rest + 1 : "", k);
        domains[nr_domains++] = d;
        if (build_one(d, &e, args, mem_mib << 8, nr_vcpus, k, where))
            return -1;
        printk("hv: d%u: %s, %lu pages, %u vCPU(s) from pCPU %u, entry %#lx\n",
               d->domain_id, d->name, d->nr_pages, d->nr_vcpus,
               d->vcpu[0]->processor, e.entry);
    }
    return 0;
}
