/* xen_version: every sub-op Xen 4.17 answers for a 64-bit PV guest, with
 * Xen's semantics (common/kernel.c) and Xen's default XSM policy
 * (xsm/dummy.h): version, platform_parameters and get_features for
 * everyone; extraversion, compile_info, capabilities, changeset,
 * pagesize and guest_handle for everyone; commandline and build_id only
 * for the control domain (dom0): others get "<denied>" and -EPERM, as on
 * Xen.  Unknown sub-ops: -ENOSYS, logged once. */
#include "boot.h"
#include "cpuid.h"
#include "domain.h"
#include "hypercall.h"
#include "lib.h"
#include "public/version.h"
#include "traps.h"

#define XEN_MAJOR 4
#define XEN_MINOR 17
BUILD_BUG_ON(ASILAB_XEN_VERSION != ((XEN_MAJOR << 16) | XEN_MINOR));
#define DENIED    "<denied>"

/* What asilab offers a PV guest in feature submap 0: only what holds.
 * gnttab_map_avail_bits: a host mapping carries the GNTMAP_guest_avail
 * bits in its entry's AVL bits (grant_table.c; Linux refuses to boot PV
 * without it).  Xen 4.17 also sets memory_op_vnode_supported for PV;
 * asilab has no XENMEM_get_vnumainfo (yet). */
static uint32_t features_submap0(const struct domain *d)
{
    uint32_t f = (1U << XENFEAT_direct_mapped) |            /* PV: not translated */
                 (1U << XENFEAT_mmu_pt_update_preserve_ad) |
                 (1U << XENFEAT_highmem_assist) |          /* MMUEXT_{CLEAR,COPY}_PAGE */
                 (1U << XENFEAT_gnttab_map_avail_bits);
    if (d->vm_assist & (1UL << VMASST_TYPE_pae_extended_cr3))
        f |= 1U << XENFEAT_pae_pgdir_above_4gb;   /* as Xen, for any guest */
    if (is_control_domain(d))
        f |= 1U << XENFEAT_dom0;
    return f;
}

/* The hv image's GNU build ID (the linker's .note.gnu.build-id). */
extern const char __note_gnu_build_id_start[], __note_gnu_build_id_end[];
struct elf_note { uint32_t namesz, descsz, type; };
#define NT_GNU_BUILD_ID 3

static int build_id(const void **p, unsigned int *len)
{
    const struct elf_note *n = (const void *)__note_gnu_build_id_start;
    size_t sz = __note_gnu_build_id_end - __note_gnu_build_id_start;

    if (sz < sizeof(*n) || n->type != NT_GNU_BUILD_ID || n->namesz < 4 ||
        sizeof(*n) + ROUNDUP(n->namesz, 4) + n->descsz > sz || !n->descsz)
        return -XEN_ENODATA;
    *p = (const char *)(n + 1) + ROUNDUP(n->namesz, 4);
    *len = n->descsz;
    return 0;
}

static long build_id_op(bool deny, unsigned long arg)
{
    struct xen_build_id hdr;
    const void *p;
    unsigned int sz;
    int rc;

    if (deny)
        return -XEN_EPERM;
    if (arg && copy_from_guest(&hdr, arg, sizeof(hdr)))
        return -XEN_EFAULT;
    if (arg && hdr.len == 0)
        return -XEN_EINVAL;
    if ((rc = build_id(&p, &sz)))
        return rc;
    if (!arg)
        return sz;                        /* the size only */
    if (sz > hdr.len)
        return -XEN_ENOBUFS;
    if (copy_to_guest(arg + offsetof(struct xen_build_id, buf), p, sz))
        return -XEN_EFAULT;
    return sz;
}

/* Copy a string into a zeroed buffer of n bytes and that to the guest. */
static long copy_str(unsigned long arg, const char *s, size_t n)
{
    char buf[1024];
    memset(buf, 0, n);
    strlcpy(buf, s, n);
    return copy_to_guest(arg, buf, n) ? -XEN_EFAULT : 0;
}

long do_xen_version(unsigned long cmd_arg, unsigned long arg, unsigned long a3,
                    unsigned long a4, unsigned long a5)
{
    static unsigned long unsupported[2];
    struct domain *d = current->domain;
    int cmd = cmd_arg;                              /* Xen's prototype: int */
    bool deny;

    if (likely(cmd == XENVER_version))              /* the null hypercall */
        return ASILAB_XEN_VERSION;
    switch (cmd) {                                  /* xsm_xen_version */
    case XENVER_platform_parameters:
    case XENVER_get_features:
    case XENVER_extraversion:
    case XENVER_compile_info:
    case XENVER_capabilities:
    case XENVER_changeset:
    case XENVER_pagesize:
    case XENVER_guest_handle:
        deny = false;
        break;
    default:
        deny = !is_control_domain(d);
    }

    switch (cmd) {
    case XENVER_extraversion:
        return copy_str(arg, deny ? DENIED : "-asilab", sizeof(xen_extraversion_t));
    case XENVER_compile_info: {
        struct xen_compile_info ci;
        memset(&ci, 0, sizeof(ci));
        strlcpy(ci.compiler, "gcc version " __VERSION__, sizeof(ci.compiler));
        strlcpy(ci.compile_by, "asilab", sizeof(ci.compile_by));
        strlcpy(ci.compile_date, __DATE__ " " __TIME__, sizeof(ci.compile_date));
        return copy_to_guest(arg, &ci, sizeof(ci)) ? -XEN_EFAULT : 0;
    }
    case XENVER_capabilities:
        /* Xen's arch_get_xen_caps: 64-bit PV only (no PV32, no HVM). */
        return copy_str(arg, "xen-3.0-x86_64 ", sizeof(xen_capabilities_info_t));
    case XENVER_changeset:
        /* Xen's answer when built outside a repository it recognises. */
        return copy_str(arg, "unavailable", sizeof(xen_changeset_info_t));
    case XENVER_platform_parameters: {
        struct xen_platform_parameters pp = { .virt_start = HYPERVISOR_VIRT_START };
        return copy_to_guest(arg, &pp, sizeof(pp)) ? -XEN_EFAULT : 0;
    }
    case XENVER_get_features: {
        struct xen_feature_info fi;
        if (copy_from_guest(&fi, arg, sizeof(fi)))
            return -XEN_EFAULT;
        if (fi.submap_idx != 0)
            return -XEN_EINVAL;
        fi.submap = features_submap0(d);
        return copy_to_guest(arg, &fi, sizeof(fi)) ? -XEN_EFAULT : 0;
    }
    case XENVER_pagesize:
        return arg ? -XEN_EINVAL : (long)PAGE_SIZE;
    case XENVER_guest_handle: {
        /* asilab's domains have no toolstack UUID: all zeroes, as dom0's. */
        xen_domain_handle_t h = { 0 };
        return copy_to_guest(arg, h, sizeof(h)) ? -XEN_EFAULT : 0;
    }
    case XENVER_commandline:
        if (deny)
            return copy_to_guest(arg, DENIED, sizeof(DENIED)) ? -XEN_EFAULT : 0;
        return copy_str(arg, saved_cmdline, sizeof(xen_commandline_t));
    case XENVER_build_id:
        return build_id_op(deny, arg);
    }
    log_unsupported_once(unsupported, "xen_version sub-op", (unsigned int)cmd);
    return -XEN_ENOSYS;
}
