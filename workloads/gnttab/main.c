/* gnttab: Xen's grant tables (grant_table_op) from a PV guest that, as
 * XTF's tests do, grants its own pages to itself.  It sets up and maps
 * its table, maps a granted page (host mapping) and checks the mapping
 * and the entry's GTF_reading/GTF_writing flags, checks what the
 * mappings' references forbid (a page mapped writable through a grant
 * cannot be pinned as a page table, and can again once unmapped), copies
 * with GNTTABOP_copy, and checks Xen's refusals and their exact GNTST_*
 * codes: the XSA-224, XSA-227, XSA-234, XSA-255 and XSA-316 cases, bad
 * refs, handles, domains and addresses, batched ops with per-op status.
 * The hv audits every reference after each of these hypercalls.  Then
 * it measures the map + unmap round trip (map_unmap: two L1 entry
 * writes and, as Xen, one TLB flush before the unmap drops the
 * references) and a 4 KiB grant copy (copy_4k).  A strategy's cost
 * shows only in the hypercall entry and exit and the unmap's flush.
 * random=N [seed=S]: then N seeded random calls (random.c), audited.
 * peer=D: domain D (a second module, grant_to=<our domid>) has granted
 * us two entries: another domain's grants get Xen's statuses up to the
 * point where its frame would be taken, then GNTST_permission_denied
 * (asilab keeps grants within a domain); XSA-316's case, a map naming
 * the wrong domain, is GNTST_general_error as on Xen.
 * grant_to=D: only grant refs 20 (writable) and 21 (read-only) to D. */
#include "gnttab.h"

const char workload_name[] = "gnttab";
const char *const workload_args[] = { "random", "seed", "peer", "grant_to", NULL };

static long gnttab_op(unsigned int cmd, void *uop, unsigned int count)
{
    return HC(__HYPERVISOR_grant_table_op, cmd, uop, count, 0, 0);
}

static void expect(const char *what, long got, long want)
{
    if (got != want)
        guest_panic("gnttab: %s: got %ld, want %ld", what, got, want);
}

grant_entry_v1_t *gnttab;
uint64_t gnttab_mfn[2];
uint16_t domid;

static void grant(unsigned int ref, const void *page, uint16_t flags)
{
    gnttab[ref].domid = domid;
    gnttab[ref].frame = virt_to_mfn(page);
    __atomic_store_n(&gnttab[ref].flags, flags, __ATOMIC_RELEASE);
}

static int map(unsigned int ref, uint64_t host, uint32_t flags, grant_handle_t *h)
{
    struct gnttab_map_grant_ref op = { .host_addr = host, .flags = flags, .ref = ref,
                                       .dom = domid };
    expect("map_grant_ref rc", gnttab_op(GNTTABOP_map_grant_ref, &op, 1), 0);
    if (h)
        *h = op.handle;
    return op.status;
}

static int unmap(uint64_t host, uint64_t dev, grant_handle_t h)
{
    struct gnttab_unmap_grant_ref op = { .host_addr = host, .dev_bus_addr = dev, .handle = h };
    expect("unmap_grant_ref rc", gnttab_op(GNTTABOP_unmap_grant_ref, &op, 1), 0);
    return op.status;
}

static long pin_l1(const void *page)
{
    return mmuext1(MMUEXT_PIN_L1_TABLE, virt_to_mfn(page), 0);
}
static long unpin(const void *page)
{
    return mmuext1(MMUEXT_UNPIN_TABLE, virt_to_mfn(page), 0);
}

static void setup(void)
{
    struct gnttab_get_version gv = { .dom = DOMID_SELF };
    expect("get_version", gnttab_op(GNTTABOP_get_version, &gv, 1), 0);
    expect("initial version", gv.version, 1);
    struct gnttab_query_size qs = { .dom = DOMID_SELF };
    expect("query_size", gnttab_op(GNTTABOP_query_size, &qs, 1), 0);
    expect("query_size status", qs.status, GNTST_okay);
    expect("initial frames", qs.nr_frames, 1);
    expect("max frames", qs.max_nr_frames, 64);

    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 2,
                                     .frame_list = (uint64_t)gnttab_mfn };
    expect("setup_table", gnttab_op(GNTTABOP_setup_table, &st, 1), 0);
    expect("setup_table status", st.status, GNTST_okay);
    expect("setup_table count 2", gnttab_op(GNTTABOP_setup_table, &st, 2), -XEN_EINVAL);
    st.nr_frames = 65;
    expect("setup_table 65 frames", gnttab_op(GNTTABOP_setup_table, &st, 1), 0);
    expect("setup_table 65 frames status", st.status, GNTST_general_error);
    st.nr_frames = 1;
    st.dom = 100;
    expect("setup_table d100", gnttab_op(GNTTABOP_setup_table, &st, 1), 0);
    expect("setup_table d100 status", st.status, GNTST_bad_domain);
    expect("query_size again", gnttab_op(GNTTABOP_query_size, &qs, 1), 0);
    expect("frames after setup", qs.nr_frames, 2);

    /* Map the two frames like our own memory. */
    gnttab = page_alloc();
    page_alloc();
    for (unsigned int i = 0; i < 2; i++)
        expect("map a grant table frame", HYPERVISOR_update_va_mapping(
               (unsigned long)gnttab + i * PAGE_SIZE, (gnttab_mfn[i] << 12) | PTE_FLAGS_RW,
               UVMF_INVLPG), 0);
    expect("pin a grant table frame as L1",
           mmuext1(MMUEXT_PIN_L1_TABLE, gnttab_mfn[0], 0), -XEN_EINVAL);
}

/* A page granted to ourselves, mapped, written through, unmapped. */
static void host_map_cases(char *page, char *host, char *other)
{
    memset(page, 0x5a, PAGE_SIZE);
    grant(8, page, GTF_permit_access);
    struct gnttab_map_grant_ref op = { .host_addr = (uint64_t)host, .flags = GNTMAP_host_map,
                                       .ref = 8, .dom = domid };
    expect("map", gnttab_op(GNTTABOP_map_grant_ref, &op, 1), 0);
    expect("map status", op.status, GNTST_okay);
    expect("map dev_bus_addr", op.dev_bus_addr, virt_to_mfn(page) << 12);
    expect("entry flags while mapped", gnttab[8].flags,
           GTF_permit_access | GTF_reading | GTF_writing);
    expect("read through the grant mapping", host[123], 0x5a);
    host[100] = 0x77;
    expect("write through the grant mapping", page[100], 0x77);
    expect("the mapping's PTE", pte_read(host, 1) & 0x8000000000000fffUL,
           0x8000000000000067UL);          /* NX, D, A, U, RW, P */
    expect("unmap at an address mapping another frame", unmap((uint64_t)other, 0, op.handle),
           GNTST_general_error);
    expect("unmap", unmap((uint64_t)host, 0, op.handle), GNTST_okay);
    expect("entry flags after unmap", gnttab[8].flags, GTF_permit_access);
    expect("the PTE after unmap", pte_read(host, 1), 0);
    expect("unmap twice", unmap((uint64_t)host, 0, op.handle), GNTST_bad_handle);

    /* Read-only grants and mappings. */
    grant(12, page, GTF_permit_access | GTF_readonly);
    expect("map a read-only grant writable", map(12, (uint64_t)host, GNTMAP_host_map, NULL),
           GNTST_general_error);
    expect("entry flags after the refusal", gnttab[12].flags, GTF_permit_access | GTF_readonly);
    grant_handle_t h;
    expect("map a read-only grant read-only",
           map(12, (uint64_t)host, GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay);
    expect("read-only entry flags", gnttab[12].flags,
           GTF_permit_access | GTF_readonly | GTF_reading);
    expect("read-only PTE", pte_read(host, 1) & 0xfff, 0x65);
    expect("read through the read-only mapping", host[100], 0x77);
    expect("unmap read-only", unmap((uint64_t)host, 0, h), GNTST_okay);
    /* XENFEAT_gnttab_map_avail_bits: the guest's bits land in AVL (9-11) */
    expect("map with guest avail bits 5",
           map(12, (uint64_t)host, GNTMAP_host_map | GNTMAP_readonly |
               (5U << _GNTMAP_guest_avail0), &h), GNTST_okay);
    expect("avail bits in the PTE", pte_read(host, 1) & 0xfff, 0xa65);
    expect("unmap the avail-bits mapping", unmap((uint64_t)host, 0, h), GNTST_okay);
    gnttab[12].flags = 0;
}

/* What a grant mapping's references forbid, and that unmapping drops
 * exactly them (XSA-224: host + device mapping unmapped in two steps). */
static void reference_cases(uint64_t *q, char *host)
{
    make_readonly(q);                        /* no writable reference of ours */
    grant(9, q, GTF_permit_access);
    expect("pin the granted page (nothing maps it writable)", pin_l1(q), 0);
    expect("unpin", unpin(q), 0);

    grant_handle_t h;
    expect("map writable", map(9, (uint64_t)host, GNTMAP_host_map, &h), GNTST_okay);
    expect("pin while grant-mapped writable", pin_l1(q), -XEN_EINVAL);
    expect("unmap", unmap((uint64_t)host, 0, h), GNTST_okay);
    expect("pin after unmap", pin_l1(q), 0);
    expect("map a pinned L1 writable", map(9, (uint64_t)host, GNTMAP_host_map, NULL),
           GNTST_general_error);
    expect("entry flags after the refusal", gnttab[9].flags, GTF_permit_access);
    expect("map a pinned L1 read-only",
           map(9, (uint64_t)host, GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay);
    expect("unmap read-only", unmap((uint64_t)host, 0, h), GNTST_okay);
    expect("unpin", unpin(q), 0);

    /* XSA-224 */
    struct gnttab_map_grant_ref op = { .host_addr = (uint64_t)host, .ref = 9, .dom = domid,
                                       .flags = GNTMAP_host_map | GNTMAP_device_map };
    expect("map host + device", gnttab_op(GNTTABOP_map_grant_ref, &op, 1), 0);
    expect("map host + device status", op.status, GNTST_okay);
    expect("host unmap", unmap((uint64_t)host, 0, op.handle), GNTST_okay);
    expect("pin while device-mapped", pin_l1(q), -XEN_EINVAL);
    expect("device unmap at a wrong address", unmap(0, op.dev_bus_addr + PAGE_SIZE, op.handle),
           GNTST_bad_dev_addr);
    expect("device unmap", unmap(0, op.dev_bus_addr, op.handle), GNTST_okay);
    expect("device unmap twice", unmap(0, op.dev_bus_addr, op.handle), GNTST_bad_handle);
    expect("pin after both unmaps (XSA-224)", pin_l1(q), 0);
    expect("unpin", unpin(q), 0);
    expect("entry flags at the end", gnttab[9].flags, GTF_permit_access);
}

/* XSA-227: a PTE address that is not entry-aligned is refused, and the
 * entries around it are unchanged; an aligned one works. */
static void contains_pte_cases(char *page, char *victim)
{
    uint64_t ma = pte_maddr(victim, 1), old = pte_read(victim, 1);
    uint64_t next = pte_read(victim + PAGE_SIZE, 1);
    expect("contains_pte misaligned (XSA-227)",
           map(8, ma - 2, GNTMAP_host_map | GNTMAP_contains_pte, NULL), GNTST_general_error);
    expect("the PTE after the refusal", pte_read(victim, 1), old);
    expect("the next PTE after the refusal", pte_read(victim + PAGE_SIZE, 1), next);
    expect("contains_pte in a frame that is no L1",
           map(8, virt_to_mfn(page) << 12, GNTMAP_host_map | GNTMAP_contains_pte, NULL),
           GNTST_general_error);
    grant_handle_t h;
    expect("contains_pte aligned", map(8, ma, GNTMAP_host_map | GNTMAP_contains_pte, &h),
           GNTST_okay);
    expect("invlpg the victim", mmuext1(MMUEXT_INVLPG_LOCAL, (unsigned long)victim, 0), 0);
    expect("read through the contains_pte mapping", victim[100], 0x77);
    struct gnttab_unmap_grant_ref u = { .host_addr = ma, .handle = h };
    expect("unmap contains_pte", gnttab_op(GNTTABOP_unmap_grant_ref, &u, 1), 0);
    expect("unmap contains_pte status", u.status, GNTST_okay);
    expect("restore the victim", HYPERVISOR_update_va_mapping((unsigned long)victim, old,
                                                               UVMF_INVLPG), 0);
}

/* XSA-234: unmap_and_replace moves the PTE of one grant mapping to
 * another's address; unmapping the first at its old address, now mapped
 * read-only by hand, must fail and keep its writable reference. */
static void replace_cases(uint64_t *f1, char *f2, char *a, char *b)
{
    make_readonly(f1);
    grant(10, f1, GTF_permit_access);
    grant(11, f2, GTF_permit_access);
    grant_handle_t h1, h2;
    expect("map f1 writable at a", map(10, (uint64_t)a, GNTMAP_host_map, &h1), GNTST_okay);
    expect("map f2 read-only at b",
           map(11, (uint64_t)b, GNTMAP_host_map | GNTMAP_readonly, &h2), GNTST_okay);
    struct gnttab_unmap_and_replace ur = { .host_addr = (uint64_t)b, .new_addr = (uint64_t)a,
                                           .handle = h2 };
    expect("unmap_and_replace", gnttab_op(GNTTABOP_unmap_and_replace, &ur, 1), 0);
    expect("unmap_and_replace status", ur.status, GNTST_okay);
    expect("a after the replace", pte_read(a, 1), 0);
    expect("b maps f1 now", pte_read(b, 1) >> 12 & 0xffffffffffUL, virt_to_mfn(f1));
    expect("f2's entry released", gnttab[11].flags, GTF_permit_access);
    expect("map f1 read-only at a by hand", HYPERVISOR_update_va_mapping(
           (unsigned long)a, (virt_to_mfn(f1) << 12) | PTE_FLAGS_RO, UVMF_INVLPG), 0);
    expect("unmap f1 at a (XSA-234)", unmap((uint64_t)a, 0, h1), GNTST_general_error);
    expect("pin f1 (its writable reference stays)", pin_l1(f1), -XEN_EINVAL);
    expect("unmap f1 at b", unmap((uint64_t)b, 0, h1), GNTST_okay);
    expect("pin f1 after the unmap", pin_l1(f1), 0);
    expect("unpin f1", unpin(f1), 0);
    expect("unmap_and_replace a released handle",
           gnttab_op(GNTTABOP_unmap_and_replace, &ur, 1), 0);
    expect("unmap_and_replace a released handle status", ur.status, GNTST_bad_handle);
    expect("map f2 read-only at b again",
           map(11, (uint64_t)b, GNTMAP_host_map | GNTMAP_readonly, &h2), GNTST_okay);
    ur = (struct gnttab_unmap_and_replace){ .host_addr = (uint64_t)b,
                                            .new_addr = 0x7f0000000000UL, .handle = h2 };
    expect("unmap_and_replace from an address no L1 maps",
           gnttab_op(GNTTABOP_unmap_and_replace, &ur, 1), 0);
    expect("unmap_and_replace from nowhere status", ur.status, GNTST_general_error);
    expect("unmap f2", unmap((uint64_t)b, 0, h2), GNTST_okay);
}

/* Xen's refusals, with their exact codes. */
static void refusal_cases(char *page, char *host)
{
    expect("ref beyond the table", map(2048, (uint64_t)host, GNTMAP_host_map, NULL),
           GNTST_bad_gntref);
    expect("no host or device flag", map(8, (uint64_t)host, GNTMAP_readonly, NULL),
           GNTST_bad_gntref);
    struct gnttab_map_grant_ref op = { .host_addr = (uint64_t)host, .flags = GNTMAP_host_map,
                                       .ref = 8, .dom = 100 };
    expect("map rc, no such domain", gnttab_op(GNTTABOP_map_grant_ref, &op, 1), 0);
    expect("no such domain", op.status, GNTST_bad_domain);
    op.dom = DOMID_SELF;
    expect("map rc, DOMID_SELF", gnttab_op(GNTTABOP_map_grant_ref, &op, 1), 0);
    expect("DOMID_SELF in map", op.status, GNTST_bad_domain);
    /* XSA-316's shape: the entry grants another domain, not us. */
    grant(13, page, GTF_permit_access);
    gnttab[13].domid = domid + 1;
    expect("an entry granting another domain", map(13, (uint64_t)host, GNTMAP_host_map, NULL),
           GNTST_general_error);
    expect("its flags after the refusal", gnttab[13].flags, GTF_permit_access);
    expect("an invalid entry", map(14, (uint64_t)host, GNTMAP_host_map, NULL),
           GNTST_general_error);
    grant(13, page, GTF_permit_access | GTF_sub_page);
    expect("map a sub-page grant", map(13, (uint64_t)host, GNTMAP_host_map, NULL),
           GNTST_general_error);
    grant(13, page, GTF_permit_access);
    gnttab[13].frame = 0x100;                /* the hv's frame */
    expect("grant of a frame that is not ours", map(13, (uint64_t)host, GNTMAP_host_map, NULL),
           GNTST_bad_page);
    expect("entry flags after a bad page", gnttab[13].flags, GTF_permit_access);
    expect("a host address no L1 maps",
           map(8, 0x7f0000000000UL, GNTMAP_host_map, NULL), GNTST_general_error);
    expect("a host address in the hv",
           map(8, 0xffff830000000000UL, GNTMAP_host_map, NULL), GNTST_general_error);
    expect("entry flags after the refusals", gnttab[8].flags, GTF_permit_access);
    expect("unmap a handle never given", unmap((uint64_t)host, 0, 4000), GNTST_bad_handle);

    /* Batches: each op's status, the call itself succeeds. */
    struct gnttab_map_grant_ref ops[2] = {
        { .host_addr = (uint64_t)host, .flags = GNTMAP_host_map, .ref = 8, .dom = domid },
        { .host_addr = (uint64_t)host, .flags = GNTMAP_host_map, .ref = 4096, .dom = domid },
    };
    expect("batched map", gnttab_op(GNTTABOP_map_grant_ref, ops, 2), 0);
    expect("batched map status 0", ops[0].status, GNTST_okay);
    expect("batched map status 1", ops[1].status, GNTST_bad_gntref);
    struct gnttab_unmap_grant_ref uops[2] = {
        { .host_addr = (uint64_t)host, .handle = 4001 },
        { .host_addr = (uint64_t)host, .handle = ops[0].handle },
    };
    expect("batched unmap", gnttab_op(GNTTABOP_unmap_grant_ref, uops, 2), 0);
    expect("batched unmap status 0", uops[0].status, GNTST_bad_handle);
    expect("batched unmap status 1", uops[1].status, GNTST_okay);

    /* The hypercall's own refusals. */
    expect("negative count", gnttab_op(GNTTABOP_map_grant_ref, ops, -1), -XEN_EINVAL);
    expect("a batch over 4096 (no continuations)",
           gnttab_op(GNTTABOP_map_grant_ref, ops, 4097), -XEN_EINVAL);
    expect("continuation bits on map", gnttab_op(GNTTABOP_map_grant_ref | (1 << 12), ops, 1),
           -XEN_EINVAL);
    expect("ops in hv memory", gnttab_op(GNTTABOP_map_grant_ref,
           (void *)0xffff830000000000UL, 1), -XEN_EFAULT);
    expect("transfer", gnttab_op(GNTTABOP_transfer, ops, 1), -XEN_ENOSYS);
    expect("dump_table", gnttab_op(GNTTABOP_dump_table, ops, 1), -XEN_ENOSYS);
    expect("sub-op 13", gnttab_op(13, ops, 1), -XEN_ENOSYS);
    struct gnttab_get_version gv = { .dom = 100 };
    expect("get_version d100", gnttab_op(GNTTABOP_get_version, &gv, 1), -XEN_ESRCH);
    struct gnttab_swap_grant_ref sw = { .ref_a = 12, .ref_b = 13 };
    expect("swap_grant_ref", gnttab_op(GNTTABOP_swap_grant_ref, &sw, 1), 0);
    expect("swap_grant_ref status", sw.status, GNTST_okay);
    expect("swapped entry", gnttab[12].flags, GTF_permit_access);
    expect("swapped entry's frame", gnttab[12].frame, 0x100);
    gnttab[12].flags = gnttab[13].flags = 0;

    /* cache_flush (XSA-232: frames of no domain). */
    struct gnttab_cache_flush cf = { .a.dev_bus_addr = virt_to_mfn(page) << 12,
                                     .length = PAGE_SIZE, .op = GNTTAB_CACHE_CLEAN };
    expect("cache_flush own frame", gnttab_op(GNTTABOP_cache_flush, &cf, 1), 0);
    cf.op = GNTTAB_CACHE_INVAL;
    expect("cache_flush invalidate only", gnttab_op(GNTTABOP_cache_flush, &cf, 1),
           -XEN_EOPNOTSUPP);
    cf.op = GNTTAB_CACHE_CLEAN | GNTTAB_CACHE_INVAL;
    cf.a.dev_bus_addr = 0x100UL << 12;
    expect("cache_flush an hv frame (XSA-232)", gnttab_op(GNTTABOP_cache_flush, &cf, 1),
           -XEN_EPERM);
    cf.offset = 4096;
    expect("cache_flush offset 4096", gnttab_op(GNTTABOP_cache_flush, &cf, 1), -XEN_EINVAL);
}

/* GNTTABOP_copy between granted pages and our own frames. */
static void copy_cases(char *src, char *dst, uint64_t *pinned)
{
    grant(8, src, GTF_permit_access);
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        src[i] = (char)i;
    memset(dst, 0, PAGE_SIZE);
    struct gnttab_copy c = {
        .source = { .u.ref = 8, .domid = domid, .offset = 16 },
        .dest = { .u.gmfn = virt_to_mfn(dst), .domid = DOMID_SELF, .offset = 32 },
        .len = 100, .flags = GNTCOPY_source_gref,
    };
    expect("copy gref -> frame", gnttab_op(GNTTABOP_copy, &c, 1), 0);
    expect("copy status", c.status, GNTST_okay);
    for (unsigned int i = 0; i < 100; i++)
        expect("copied byte", dst[32 + i], (char)(16 + i));
    expect("byte after the copy", dst[132], 0);
    expect("entry flags after the copy", gnttab[8].flags, GTF_permit_access);

    grant(13, dst, GTF_permit_access);
    struct gnttab_copy b[6] = {
        { .source = { .u.gmfn = virt_to_mfn(src), .domid = DOMID_SELF },
          .dest = { .u.ref = 13, .domid = domid, .offset = 1000 }, .len = 24,
          .flags = GNTCOPY_dest_gref },
        { .source = { .u.gmfn = virt_to_mfn(src), .domid = DOMID_SELF, .offset = 4000 },
          .dest = { .u.gmfn = virt_to_mfn(dst), .domid = DOMID_SELF }, .len = 200 },
        { .source = { .u.gmfn = virt_to_mfn(src), .domid = domid },
          .dest = { .u.gmfn = virt_to_mfn(dst), .domid = DOMID_SELF }, .len = 8 },
        { .source = { .u.gmfn = virt_to_mfn(src), .domid = DOMID_SELF },
          .dest = { .u.gmfn = virt_to_mfn(pinned), .domid = DOMID_SELF }, .len = 8 },
        { .source = { .u.gmfn = 0x100, .domid = DOMID_SELF },
          .dest = { .u.gmfn = virt_to_mfn(dst), .domid = DOMID_SELF }, .len = 8 },
        { .source = { .u.ref = 8, .domid = 100 },
          .dest = { .u.gmfn = virt_to_mfn(dst), .domid = DOMID_SELF }, .len = 8,
          .flags = GNTCOPY_source_gref },
    };
    expect("pin the copy's forbidden target", pin_l1(pinned), 0);
    expect("batched copy", gnttab_op(GNTTABOP_copy, b, 6), 0);
    expect("copy frame -> gref", b[0].status, GNTST_okay);
    expect("copied to the grant", dst[1000], 0);
    expect("copied to the grant (end)", dst[1023], 23);
    expect("copy beyond the page", b[1].status, GNTST_bad_copy_arg);
    expect("copy from a frame named by our domid", b[2].status, GNTST_permission_denied);
    expect("copy into a page table", b[3].status, GNTST_general_error);
    expect("copy from the hv's frame", b[4].status, GNTST_bad_page);
    expect("copy from no such domain", b[5].status, GNTST_bad_domain);
    expect("the page table after the copies", pinned[0], 0);
    expect("unpin", unpin(pinned), 0);
    grant(13, dst, GTF_permit_access | GTF_readonly);
    expect("copy into a read-only grant", gnttab_op(GNTTABOP_copy, b, 1), 0);
    expect("copy into a read-only grant status", b[0].status, GNTST_general_error);
    gnttab[13].flags = 0;
}

/* v2, status frames, and XSA-255 (no switch back to v1 while a status
 * frame is mapped). */
static void version_cases(char *page, char *host, char *sframe)
{
    struct gnttab_set_version sv = { 3 };
    expect("set_version 3", gnttab_op(GNTTABOP_set_version, &sv, 1), -XEN_EINVAL);
    sv.version = 1;
    expect("set_version ignores the count", gnttab_op(GNTTABOP_set_version, &sv, 100000), 0);
    grant_handle_t h;
    expect("map before the switch", map(8, (uint64_t)host, GNTMAP_host_map, &h), GNTST_okay);
    sv.version = 2;
    expect("set_version 2 while mapped", gnttab_op(GNTTABOP_set_version, &sv, 1), -XEN_EBUSY);
    expect("unmap", unmap((uint64_t)host, 0, h), GNTST_okay);
    expect("set_version writes back the version", sv.version, 1);
    sv.version = 2;
    expect("set_version 2", gnttab_op(GNTTABOP_set_version, &sv, 1), 0);
    struct gnttab_get_version gv = { .dom = DOMID_SELF };
    expect("get_version", gnttab_op(GNTTABOP_get_version, &gv, 1), 0);
    expect("version", gv.version, 2);
    expect("entries cleared by the switch", gnttab[8].flags, 0);

    uint64_t status[2] = { 0, 0 };
    struct gnttab_get_status_frames gs = { .nr_frames = 2, .dom = DOMID_SELF,
                                           .frame_list = (uint64_t)status };
    expect("get_status_frames 2", gnttab_op(GNTTABOP_get_status_frames, &gs, 1), 0);
    expect("get_status_frames 2 status", gs.status, GNTST_general_error);
    gs.nr_frames = 1;
    expect("get_status_frames", gnttab_op(GNTTABOP_get_status_frames, &gs, 1), 0);
    expect("get_status_frames status", gs.status, GNTST_okay);
    expect("map the status frame read-only", HYPERVISOR_update_va_mapping(
           (unsigned long)sframe, (status[0] << 12) | PTE_FLAGS_RO, UVMF_INVLPG), 0);

    grant_entry_v2_t *g2 = (grant_entry_v2_t *)gnttab;
    const uint16_t *st = (const uint16_t *)sframe;
    g2[8].hdr.domid = domid;
    g2[8].full_page.frame = virt_to_mfn(page);
    __atomic_store_n(&g2[8].hdr.flags, GTF_permit_access, __ATOMIC_RELEASE);
    expect("map a v2 grant", map(8, (uint64_t)host, GNTMAP_host_map, &h), GNTST_okay);
    expect("v2 status while mapped", st[8], GTF_reading | GTF_writing);
    expect("v2 entry flags unchanged", g2[8].hdr.flags, GTF_permit_access);
    expect("read through the v2 mapping", host[100], 0x77);
    expect("unmap the v2 grant", unmap((uint64_t)host, 0, h), GNTST_okay);
    expect("v2 status after unmap", st[8], 0);

    sv.version = 1;
    expect("set_version 1 with a status frame mapped (XSA-255)",
           gnttab_op(GNTTABOP_set_version, &sv, 1), -XEN_EBUSY);
    expect("version after the refusal", sv.version, 2);
    expect("unmap the status frame", HYPERVISOR_update_va_mapping((unsigned long)sframe, 0,
                                                                  UVMF_INVLPG), 0);
    sv.version = 1;
    expect("set_version 1", gnttab_op(GNTTABOP_set_version, &sv, 1), 0);
    expect("get_version", gnttab_op(GNTTABOP_get_version, &gv, 1), 0);
    expect("version back", gv.version, 1);
    gs.nr_frames = 1;
    expect("get_status_frames in v1", gnttab_op(GNTTABOP_get_status_frames, &gs, 1), 0);
    expect("get_status_frames in v1 status", gs.status, GNTST_general_error);
}

/* Another domain's table (peer: see the header). */
static void peer_cases(uint16_t peer, char *page, char *host)
{
    struct gnttab_map_grant_ref op = { .host_addr = (uint64_t)host, .flags = GNTMAP_host_map,
                                       .ref = 20, .dom = peer };
    for (unsigned int i = 0; i < 1000; i++) {    /* until the peer has granted */
        expect("map the peer's grant", gnttab_op(GNTTABOP_map_grant_ref, &op, 1), 0);
        if (op.status != GNTST_general_error)
            break;
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    expect("the peer's writable grant", op.status, GNTST_permission_denied);
    op.ref = 21;
    expect("map rc", gnttab_op(GNTTABOP_map_grant_ref, &op, 1), 0);
    expect("the peer's read-only grant, writable", op.status, GNTST_general_error);
    op.flags |= GNTMAP_readonly;
    expect("map rc", gnttab_op(GNTTABOP_map_grant_ref, &op, 1), 0);
    expect("the peer's read-only grant, read-only", op.status, GNTST_permission_denied);
    op.ref = 22;
    expect("map rc", gnttab_op(GNTTABOP_map_grant_ref, &op, 1), 0);
    expect("an entry the peer did not grant", op.status, GNTST_general_error);
    op.ref = 5000;
    expect("map rc", gnttab_op(GNTTABOP_map_grant_ref, &op, 1), 0);
    expect("beyond the peer's table", op.status, GNTST_bad_gntref);
    /* XSA-316: our own grant, mapped naming the wrong domain. */
    grant(8, page, GTF_permit_access);
    op = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)host, .flags = GNTMAP_host_map,
                                        .ref = 8, .dom = peer };
    expect("map rc", gnttab_op(GNTTABOP_map_grant_ref, &op, 1), 0);
    expect("our grant named as the peer's (XSA-316)", op.status, GNTST_general_error);
    expect("our entry untouched", gnttab[8].flags, GTF_permit_access);

    struct gnttab_copy c[2] = {
        { .source = { .u.ref = 20, .domid = peer },
          .dest = { .u.gmfn = virt_to_mfn(page), .domid = DOMID_SELF }, .len = 8,
          .flags = GNTCOPY_source_gref },
        { .source = { .u.gmfn = virt_to_mfn(page), .domid = DOMID_SELF },
          .dest = { .u.ref = 21, .domid = peer }, .len = 8, .flags = GNTCOPY_dest_gref },
    };
    expect("copy with the peer", gnttab_op(GNTTABOP_copy, c, 2), 0);
    expect("copy from the peer's grant", c[0].status, GNTST_permission_denied);
    expect("copy into the peer's read-only grant", c[1].status, GNTST_general_error);

    uint64_t frames[1];
    struct gnttab_setup_table st = { .dom = peer, .nr_frames = 1,
                                     .frame_list = (uint64_t)frames };
    expect("setup_table of the peer", gnttab_op(GNTTABOP_setup_table, &st, 1), 0);
    expect("setup_table of the peer status", st.status, GNTST_permission_denied);
    struct gnttab_query_size qs = { .dom = peer };
    expect("query_size of the peer", gnttab_op(GNTTABOP_query_size, &qs, 1), 0);
    expect("query_size of the peer status", qs.status, GNTST_permission_denied);
    struct gnttab_get_version gv = { .dom = peer };
    expect("get_version of the peer", gnttab_op(GNTTABOP_get_version, &gv, 1), -XEN_EPERM);
}

/* grant_to=D: set up, grant refs 20 and 21 to D, and leave. */
static void grant_to(uint16_t to)
{
    uint64_t mfn;
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1,
                                     .frame_list = (uint64_t)&mfn };
    expect("setup_table", gnttab_op(GNTTABOP_setup_table, &st, 1), 0);
    expect("setup_table status", st.status, GNTST_okay);
    grant_entry_v1_t *t = page_alloc();
    expect("map the table", HYPERVISOR_update_va_mapping((unsigned long)t,
           (mfn << 12) | PTE_FLAGS_RW, UVMF_INVLPG), 0);
    char *page = page_alloc();
    t[20] = (grant_entry_v1_t){ .domid = to, .frame = virt_to_mfn(page) };
    t[21] = (grant_entry_v1_t){ .domid = to, .frame = virt_to_mfn(page) };
    __atomic_store_n(&t[21].flags, GTF_permit_access | GTF_readonly, __ATOMIC_RELEASE);
    __atomic_store_n(&t[20].flags, GTF_permit_access, __ATOMIC_RELEASE);
}

/* ---- measured ops ---- */

struct bench_ctx { char *host; };

static uint64_t map_unmap(void *ctx, unsigned long n)
{
    struct bench_ctx *b = ctx;
    struct gnttab_map_grant_ref m = { .host_addr = (uint64_t)b->host,
                                      .flags = GNTMAP_host_map, .ref = 8, .dom = domid };
    struct gnttab_unmap_grant_ref u = { .host_addr = (uint64_t)b->host };
    uint64_t t = TIMED_LOOP(n,
        gnttab_op(GNTTABOP_map_grant_ref, &m, 1);
        u.handle = m.handle;
        gnttab_op(GNTTABOP_unmap_grant_ref, &u, 1));
    if (n && (m.status || u.status))
        guest_panic("gnttab: map_unmap: status %d/%d", m.status, u.status);
    return t;
}

static uint64_t copy_4k(void *ctx, unsigned long n)
{
    struct gnttab_copy *c = ctx;
    uint64_t t = TIMED_LOOP(n, gnttab_op(GNTTABOP_copy, c, 1));
    if (n && c->status)
        guest_panic("gnttab: copy_4k: status %d", c->status);
    return t;
}

void workload_main(void)
{
    char val[24];
    domid = lab_info.domid;
    /* Arguments first, before anything is measured. */
    unsigned long n = 0, seed = 1, peer = ~0UL;
    if (arg_get("random", val, sizeof(val)) && (n = simple_strtoul(val, NULL, 10)) > 1000000)
        guest_panic("random=%s: 0..1000000 calls", val);
    if (arg_get("seed", val, sizeof(val)))
        seed = simple_strtoul(val, NULL, 10);
    if (arg_get("peer", val, sizeof(val)) &&
        ((peer = simple_strtoul(val, NULL, 10)) >= DOMID_SELF || peer == domid))
        guest_panic("peer=%s: another domain's id", val);
    if (arg_get("grant_to", val, sizeof(val))) {
        unsigned long to = simple_strtoul(val, NULL, 10);
        if (to >= DOMID_SELF)
            guest_panic("grant_to=%s: a domain id", val);
        grant_to(to);
        return;
    }
    /* The hv audits every reference after each hypercall of ours. */
    expect("audit before", HYPERVISOR_asilab_op(ASILAB_OP_audit, (void *)1UL), 0);
    setup();
    char *page = page_alloc(), *host = page_alloc(), *victim = page_alloc();
    page_alloc();                            /* victim's neighbour */
    uint64_t *q = page_alloc(), *f1 = page_alloc();
    char *f2 = page_alloc(), *a = page_alloc(), *b = page_alloc(), *dst = page_alloc();
    char *sframe = page_alloc();
    /* As on Xen, a grant map does not flush the TLB: addresses to map at
     * start unmapped (XTF's tests use never-mapped ones). */
    char *const unmapped[] = { host, a, b };
    for (unsigned int i = 0; i < ARRAY_SIZE(unmapped); i++)
        expect("unmap a host address", HYPERVISOR_update_va_mapping(
               (unsigned long)unmapped[i], 0, UVMF_INVLPG), 0);
    host_map_cases(page, host, victim);
    reference_cases(q, host);
    contains_pte_cases(page, victim);
    replace_cases(f1, f2, a, b);
    refusal_cases(page, host);
    memset(page, 0x77, PAGE_SIZE);
    version_cases(page, host, sframe);
    copy_cases(f2, dst, q);
    if (peer != ~0UL)
        peer_cases(peer, page, host);
    expect("audit after the cases", HYPERVISOR_asilab_op(ASILAB_OP_audit, (void *)0UL), 0);
    struct asilab_audit audit = { 0 };
    HYPERVISOR_asilab_op(ASILAB_OP_audit_result, &audit);
    if (!audit.audits || audit.failed || audit.violations)
        guest_panic("gnttab: %lu audits, %lu failed, %lu violations", audit.audits,
                    audit.failed, audit.violations);
    printf("gnttab: all cases passed, %lu audits clean\n", audit.audits);

    struct bench_ctx bc = { host };
    bench_op("map_unmap", map_unmap, &bc, 1);
    struct gnttab_copy c = {
        .source = { .u.ref = 8, .domid = domid },
        .dest = { .u.gmfn = virt_to_mfn(dst), .domid = DOMID_SELF },
        .len = PAGE_SIZE, .flags = GNTCOPY_source_gref,
    };
    grant(8, page, GTF_permit_access);
    bench_op("copy_4k", copy_4k, &c, 1);

    if (!n)
        return;
    HYPERVISOR_asilab_op(ASILAB_OP_audit, (void *)1UL);
    gnttab_random(n, seed);
    long now = HYPERVISOR_asilab_op(ASILAB_OP_audit, (void *)0UL);
    struct asilab_audit after = { 0 };
    HYPERVISOR_asilab_op(ASILAB_OP_audit_result, &after);
    if (now || after.failed || after.violations || after.audits < audit.audits + n)
        guest_panic("gnttab: random: %ld violations now; %lu audits, %lu failed, %lu violations",
                    now, after.audits, after.failed, after.violations);
    printf("gnttab: %lu random calls (seed %lu), %lu audits clean\n", n, seed,
           after.audits - audit.audits);
}
