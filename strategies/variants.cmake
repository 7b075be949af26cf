# strategies/variants.cmake — the one table of what can be built: every
# strategy, every flavour with the strategies it composes with (and why
# not with the others), and what is built by default.  CMake builds the
# variants from it (cmake/variants.cmake refuses anything it does not
# allow, with the reason), writes build/variants.tsv for `asilab list`,
# and the README's variant table is generated from it
# (cmake -P cmake/variant_table.cmake; the test readme.variants keeps
# the two equal).  A variant is <strategy>[+flavour]..., flavours in
# this table's order.

# asilab_strategy(NAME "what it is")
asilab_strategy(shared_l4
  "the guest's L4 (hv slots stamped in) is the root in both modes: no isolation, the baseline")
asilab_strategy(per_pcpu_l4
  "Xen's XPTI: a per-pCPU restricted root in guest mode, the full L4 in the hv; CR3 switched on every entry and exit")
asilab_strategy(per_vcpu_l4
  "a per-vCPU root (shadow of the guest L4 plus hv slots, per-vCPU slot 260, only this pCPU's stack): no CR3 switch on entry and exit")
asilab_strategy(per_vcpu_l4_ku
  "a per-vCPU root per guest L4 (kernel and user, each as per_vcpu_l4's): a kernel/user toggle loads the other root, no recopy")
asilab_strategy(asi_pv_root
  "the ASI series' PV design: a per-pCPU root shadowing the running vCPU's guest L4 in both modes (its per-vCPU slot 260, only this pCPU's stack), recopied on a switch, a toggle to another L4 or FLUSH_ROOT_PGTBL")

# asilab_flavour(NAME WITH strategies... [NOT strategy "why"]... [DEFAULT] WHAT "what it does")
# DEFAULT: built alone with every strategy it composes with.
asilab_flavour(stackzero WITH shared_l4 per_pcpu_l4 per_vcpu_l4 per_vcpu_l4_ku asi_pv_root DEFAULT
  WHAT "zero the dead part of the hv stack on every non-lazy vCPU switch (the ASI series' patch 18)")
asilab_flavour(stashed_l1 WITH shared_l4 per_pcpu_l4 per_vcpu_l4 per_vcpu_l4_ku asi_pv_root DEFAULT
  WHAT "Xen 4.17's stashed L1 pointers for the GDT/LDT window's PTEs instead of the series' populate_perdomain_mapping (patch 04's baseline)")
asilab_flavour(pcid WITH per_pcpu_l4 per_vcpu_l4 per_vcpu_l4_ku asi_pv_root DEFAULT
  NOT shared_l4 "it runs on the guest's own L4 with global pages, as Xen with xpti=false, which Xen's default pcid=xpti leaves untagged"
  WHAT "Xen's pcid=xpti: guest kernel, guest user (and XPTI's restricted roots) get their own PCIDs, CR3 loads keep the TLB, flushes are INVPCIDs (where the CPU lacks PCID or INVPCID the image runs untagged and says pcid: unavailable)")

asilab_flavour(sparse WITH per_vcpu_l4 per_vcpu_l4_ku asi_pv_root DEFAULT
  NOT shared_l4 "its root is the guest's own L4, whose slot 260 is the domain's: a per-vCPU mapcache (patch 15) needs a per-vCPU slot-260 L3 (patch 14)"
  NOT per_pcpu_l4 "the hv runs on the guest's own L4, whose slot 260 is the domain's: a per-vCPU mapcache (patch 15) needs a per-vCPU slot-260 L3 (patch 14)"
  WHAT "a secret-free directmap: no guest frame and no pCPU's stack in it once the domains are built, guest frames reached through a per-vCPU mapcache in the vCPU's slot 260 (patch 15), global maps in slot 261")

# Flavours that compose with each other: all of these, unless a line
# below refuses a pair.  asilab_refuse(FLAVOUR FLAVOUR "why")
# (none yet: stackzero is about the stack, stashed_l1 about the window's
# PTEs, pcid about the TLB, sparse about the directmap; together they
# build with ASILAB_VARIANTS=all)
