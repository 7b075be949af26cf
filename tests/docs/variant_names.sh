#!/bin/sh
# variant_names.sh SRCDIR — the configure's variant check (cmake/variants.cmake
# over strategies/variants.cmake): good names pass, each kind of bad one
# stops with its reason; the default and the 'all' sets are what the table
# says.
set -u
src=$1 fails=0
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT
# (CMake wraps its messages: compared with runs of blanks and newlines as one space)
want() {   # want NAME RC TEXT
    cmake -DNAME="$1" -P "$src/tests/docs/check_variant.cmake" >"$tmp" 2>&1; rc=$?
    out=$(tr -s ' \n' '  ' <"$tmp")
    if [ "$2" = 0 ] && [ $rc != 0 ] || [ "$2" != 0 ] && [ $rc = 0 ]; then
        echo "$1: exit $rc"; echo "$out"; fails=1; return
    fi
    case $out in *"$3"*) ;; *) echo "$1: lacks '$3':"; echo "$out"; fails=1 ;; esac
}
want per_pcpu_l4 0 "ok per_pcpu_l4 "
want per_vcpu_l4+stackzero+stashed_l1 0 "ok per_vcpu_l4 stackzero,stashed_l1"
want nope_l4 1 "variant 'nope_l4': no strategy 'nope_l4' (strategies: shared_l4, per_pcpu_l4, per_vcpu_l4, per_vcpu_l4_ku, asi_pv_root)"
want shared_l4+sparkle 1 "variant 'shared_l4+sparkle': no flavour 'sparkle' (flavours: stackzero, stashed_l1, pcid, sparse)"
want shared_l4+stackzero+stackzero 1 "flavour 'stackzero' given twice"
want shared_l4+stashed_l1+stackzero 1 "flavours in the table's order"
want shared_l4+pcid 1 "variant 'shared_l4+pcid': pcid does not compose with shared_l4: it runs on the guest's own L4 with global pages"
want per_pcpu_l4+stackzero+pcid 0 "ok per_pcpu_l4 stackzero,pcid"
want shared_l4+sparse 1 "variant 'shared_l4+sparse': sparse does not compose with shared_l4: its root is the guest's own L4, whose slot 260 is the domain's"
want per_pcpu_l4+sparse 1 "variant 'per_pcpu_l4+sparse': sparse does not compose with per_pcpu_l4: the hv runs on the guest's own L4"
want asi_pv_root+pcid+sparse 0 "ok asi_pv_root pcid,sparse"
want asi_pv_root+sparse+pcid 1 "flavours in the table's order"
want @default 0 "ok shared_l4 shared_l4+stackzero shared_l4+stashed_l1 per_pcpu_l4 per_pcpu_l4+stackzero per_pcpu_l4+stashed_l1 per_pcpu_l4+pcid per_vcpu_l4 per_vcpu_l4+stackzero per_vcpu_l4+stashed_l1 per_vcpu_l4+pcid per_vcpu_l4+sparse per_vcpu_l4_ku per_vcpu_l4_ku+stackzero per_vcpu_l4_ku+stashed_l1 per_vcpu_l4_ku+pcid per_vcpu_l4_ku+sparse asi_pv_root asi_pv_root+stackzero asi_pv_root+stashed_l1 asi_pv_root+pcid asi_pv_root+sparse"
want @all 0 "ok shared_l4 shared_l4+stackzero shared_l4+stashed_l1 shared_l4+stackzero+stashed_l1 per_pcpu_l4 per_pcpu_l4+stackzero per_pcpu_l4+stashed_l1 per_pcpu_l4+stackzero+stashed_l1 per_pcpu_l4+pcid per_pcpu_l4+stackzero+pcid per_pcpu_l4+stashed_l1+pcid per_pcpu_l4+stackzero+stashed_l1+pcid per_vcpu_l4 per_vcpu_l4+stackzero per_vcpu_l4+stashed_l1 per_vcpu_l4+stackzero+stashed_l1 per_vcpu_l4+pcid per_vcpu_l4+stackzero+pcid per_vcpu_l4+stashed_l1+pcid per_vcpu_l4+stackzero+stashed_l1+pcid per_vcpu_l4+sparse per_vcpu_l4+stackzero+sparse per_vcpu_l4+stashed_l1+sparse per_vcpu_l4+stackzero+stashed_l1+sparse per_vcpu_l4+pcid+sparse per_vcpu_l4+stackzero+pcid+sparse per_vcpu_l4+stashed_l1+pcid+sparse per_vcpu_l4+stackzero+stashed_l1+pcid+sparse per_vcpu_l4_ku per_vcpu_l4_ku+stackzero per_vcpu_l4_ku+stashed_l1 per_vcpu_l4_ku+stackzero+stashed_l1 per_vcpu_l4_ku+pcid per_vcpu_l4_ku+stackzero+pcid per_vcpu_l4_ku+stashed_l1+pcid per_vcpu_l4_ku+stackzero+stashed_l1+pcid per_vcpu_l4_ku+sparse per_vcpu_l4_ku+stackzero+sparse per_vcpu_l4_ku+stashed_l1+sparse per_vcpu_l4_ku+stackzero+stashed_l1+sparse per_vcpu_l4_ku+pcid+sparse per_vcpu_l4_ku+stackzero+pcid+sparse per_vcpu_l4_ku+stashed_l1+pcid+sparse per_vcpu_l4_ku+stackzero+stashed_l1+pcid+sparse asi_pv_root asi_pv_root+stackzero asi_pv_root+stashed_l1 asi_pv_root+stackzero+stashed_l1 asi_pv_root+pcid asi_pv_root+stackzero+pcid asi_pv_root+stashed_l1+pcid asi_pv_root+stackzero+stashed_l1+pcid asi_pv_root+sparse asi_pv_root+stackzero+sparse asi_pv_root+stashed_l1+sparse asi_pv_root+stackzero+stashed_l1+sparse asi_pv_root+pcid+sparse asi_pv_root+stackzero+pcid+sparse asi_pv_root+stashed_l1+pcid+sparse asi_pv_root+stackzero+stashed_l1+pcid+sparse"
[ $fails = 0 ] && echo "ok: variant names"
exit $fails
