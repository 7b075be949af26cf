/* __start_xen: the boot CPU's way from the multiboot hand-off to the
 * first guest: console, memory map, frame allocator, page tables, CPU
 * tables, LAPIC, secondary CPUs, calibration, domains, scheduler. */
#include "apic.h"
#include "boot.h"
#include "console.h"
#include "i387.h"
#include "iomem.h"
#include "domain.h"
#include "domain_page.h"
#include "flushtlb.h"
#include "lab.h"
#include "lib.h"
#include "mm.h"
#include "sched.h"
#include "strategy.h"
#include "traps.h"
#include "x86.h"

struct boot_module boot_modules[MAX_MODULES];
unsigned int nr_boot_modules;
char saved_cmdline[1024];
struct e820entry boot_e820[E820_MAX];
unsigned int nr_boot_e820;

void frames_boot_init(void);
void frame_table_init(unsigned long highest_mfn);
void paging_init(void);
void acpi_find_cpus(void);
void __start_xen(uint32_t magic, uint32_t mbi_pa);

/* Keep the loader's map for dom0 (insertion by address). */
static void save_e820(const struct e820entry *m)
{
    if (!m->size || nr_boot_e820 == E820_MAX)
        return;
    unsigned int i = nr_boot_e820++;
    for (; i && boot_e820[i - 1].addr > m->addr; i--)
        boot_e820[i] = boot_e820[i - 1];
    boot_e820[i] = *m;
}

static void memory_init(const struct boot_info *bi)
{
    unsigned long highest = 0;
    struct e820entry m;

    if (!bi->mmap_len)
        panic("the loader gave no memory map");
    frames_boot_init();
    for (uint32_t off = 0; boot_mmap_next(bi, &off, &m);) {
        save_e820(&m);
        if (m.type == E820_RAM && m.addr + m.size > m.addr) {
            paddr_t end = MIN(m.addr + m.size, (paddr_t)MAX_FRAMES << PAGE_SHIFT);
            frames_add_range(&hv_frames, m.addr, end);
            if (end > m.addr)
                highest = MAX(highest, (end >> PAGE_SHIFT) - 1);
        }
    }
    /* Low memory (BIOS data, the AP trampoline), the image, modules. */
    frames_reserve_range(&hv_frames, 0, 0x100000);
    frames_reserve_range(&hv_frames, virt_to_maddr(_start), virt_to_maddr(_end));
    for (unsigned int i = 0; i < nr_boot_modules; i++)
        frames_reserve_range(&hv_frames, boot_modules[i].start, boot_modules[i].end);
    frame_table_init(highest);
    printk("hv: %lu MiB usable RAM, %lu frames free\n",
           (highest + 1) >> 8, hv_frames.free);
}

/* crash=pf|ud on the hv command line: fault on purpose, so tests can
 * check the crash dump and the exit code the IDT handlers give. */
static void selftest_crash(const char *cmdline)
{
    char what[8];
    if (!cmdline_get(cmdline, "crash", what, sizeof(what)))
        return;
    printk("hv: crashing on purpose (crash=%s)\n", what);
    if (!strcmp(what, "pf"))
        __asm__ volatile("movq $0, (%0)" :: "r"(0x10UL) : "memory"); /* slot 0: unmapped */
    else if (!strcmp(what, "ud"))
        __asm__ volatile("ud2");
    panic("unknown crash=%s", what);
}

enum cpu_vendor boot_cpu_vendor;

/* Xen's loader_is_grub2: "GRUB " then anything but a 0 (GRUB Legacy
 * says "GNU GRUB 0.97"). */
static bool loader_is_grub2(const char *name)
{
    const char *p = strstr(name, "GRUB ");
    return p && p[5] != '0';
}

static void identify_boot_cpu(void)
{
    uint32_t a, b, c, d;
    cpuid_count(0, 0, &a, &b, &c, &d);
    if (b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e)        /* GenuineIntel */
        boot_cpu_vendor = CPU_VENDOR_INTEL;
    else if ((b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163) || /* AuthenticAMD */
             (b == 0x6f677948 && d == 0x6e65476e && c == 0x656e6975))   /* HygonGenuine */
        boot_cpu_vendor = CPU_VENDOR_AMD;
}

void __start_xen(uint32_t magic, uint32_t mbi_pa)
{
    static struct boot_info bi;
    char mode[32];

    console_init();
    printk("\nasilab hv: variant %s, rev %s\n", asilab_variant, asilab_git_rev);
    multiboot_parse(magic, mbi_pa, &bi);
    const char *cmdline = bi.cmdline, *loader = bi.loader;
    /* Xen's cmdline_cook: without the image name a multiboot v1 loader
     * (QEMU, GRUB legacy) puts first; GRUB 2 puts none (Xen's
     * loader_is_grub2).  Module command lines keep theirs: the first
     * word names the domain, so an image's grub.cfg repeats the name. */
    const char *cooked = cmdline;
    while (*cooked == ' ')
        cooked++;
    if (!loader_is_grub2(loader)) {
        while (*cooked && *cooked != ' ')
            cooked++;
        while (*cooked == ' ')
            cooked++;
    }
    strlcpy(saved_cmdline, cooked, sizeof(saved_cmdline));
    lab_mode = ASILAB_MODE_DETERMINISTIC;
    if (cmdline_get(cmdline, "mode", mode, sizeof(mode))) {
        if (!strcmp(mode, "timing"))
            lab_mode = ASILAB_MODE_TIMING;
        else if (strcmp(mode, "deterministic"))
            panic("bad mode=%s on the hv command line", mode);
    }

    /* on_exit=reboot: reset the machine when the run ends (an image's
     * chain of boots); on_exit=halt: halt it; either says the exit code
     * on the console first, for a log read back later (hv_exit). */
    if (cmdline_get(cmdline, "on_exit", mode, sizeof(mode))) {
        if (!strcmp(mode, "reboot"))
            hv_exit_reboot = true;
        else if (!strcmp(mode, "halt"))
            hv_exit_halt = true;
        else
            panic("bad on_exit=%s on the hv command line (halt or reboot)", mode);
    }

    /* domu_console_io=0: console_io writes from a domU get -EPERM, as on
     * a release Xen (default 1: a debug build's CONFIG_VERBOSE_DEBUG). */
    if (cmdline_get(cmdline, "domu_console_io", mode, sizeof(mode)))
        domu_console_io = strcmp(mode, "0") != 0;

    memory_init(&bi);
    acpi_find_cpus();          /* while the boot directmap covers 4 GiB */
    iomem_init();
    paging_init();
    domain_page_init();        /* before strategies copy idle_pg_table's tables */
    percpu_traps_init(0);
    identify_boot_cpu();
    fpu_init();
    sched_init_cpu(0);
    pcpus[0].online = true;
    nr_cpus_online = 1;
    apic_init();               /* maps the LAPIC: before strategies copy tables */
    pcpus[0].apic_id = apic_id();
    tlb_features_init();
    strategy_cpu_init(&pcpus[0]);
    tlb_cpu_init();
    smp_boot_cpus();
    printk("hv: %u CPU(s) online, %u module(s)\n", nr_cpus_online, nr_boot_modules);
    selftest_crash(cmdline);

    lab_platform_check();
    lab_calibrate();

    if (!nr_boot_modules)
        panic("no workload modules (-initrd)");
    unsigned int next_domid = 0;
    for (unsigned int i = 0; i < nr_boot_modules; i++)
        if (construct_domains(&boot_modules[i], &next_domid))
            panic("cannot build domains from module %u (%s)", i,
                  boot_modules[i].cmdline);
    domain_page_domains_built();

    start_domains();
    raise_softirq(0, SCHEDULE_SOFTIRQ);
    exit_to_guest();
}
