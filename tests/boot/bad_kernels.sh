#!/bin/sh
# bad_kernels.sh HV.elf LAYOUT.elf DIR: the domain builder refuses a PV
# kernel as Xen's does.  Each case is layout.elf (as dom0) with one ELF
# note patched in place (same length): XEN_VERSION, LOADER, a required
# feature Xen does not know, a required feature a PV domain cannot have
# (supervisor_mode_kernel), SUPPORTED_FEATURES without dom0, a
# PADDR_OFFSET that puts the image below VIRT_BASE.  The hv must name
# the reason and panic (never boot it); the unpatched image must pass.
set -u
hv=$1 good=$2 dir=$3 fails=0
mkdir -p "$dir"

boot() {
    timeout 60 qemu-system-x86_64 -nodefaults -machine pc -cpu max -m 256M -smp 1 \
        -accel tcg -icount shift=0,sleep=off -display none -no-reboot -serial stdio \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$hv" \
        -append mode=deterministic -initrd "$1" </dev/null 2>&1
}

# patch NAME FROM TO: copy of the good image with the first FROM (a Perl
# regex over the bytes, e.g. a note's name + value) replaced by TO.
patch() {
    off=$(grep -obUaP "$2" "$good" | head -1 | cut -d: -f1)
    [ -n "$off" ] || { echo "$1: pattern not found in $good"; fails=1; return 1; }
    cp "$good" "$dir/$1.elf"
    printf "$3" | dd of="$dir/$1.elf" bs=1 seek="$off" conv=notrunc status=none
}

# case NAME FROM TO MESSAGE
case_() {
    patch "$1" "$2" "$3" || return
    out=$(boot "$dir/$1.elf mem=8")
    case $out in
    *"$4"*"hv panic: cannot build domains"*) echo "$1: refused ($4)" ;;
    *) echo "$1: not refused with '$4':"; echo "$out" | tail -5; fails=1 ;;
    esac
}

out=$(boot "$good mem=8,$good mem=4")          # as the catalog boots it
case $out in *'"type":"end","status":"pass"'*) echo "unpatched: boots" ;;
*) echo "unpatched image does not pass:"; echo "$out" | tail -5; fails=1 ;; esac

case_ xen_version 'Xen\x00xen-3\.0\x00' 'Xen\000xen-2.0' 'XEN_VERSION is not xen-3.0'
case_ loader 'Xen\x00generic\x00' 'Xen\000generiX' 'only images for the generic loader'
case_ unknown_required 'no_such_feature' '!o_such_feature' \
    'FEATURES requires a feature Xen does not know'
case_ supervisor_mode 'pae_pgdir_above_4gb\|no_such_feature' \
    '!supervisor_mode_kernel|xxxxxxxxxxx' 'requires a feature this domain is not offered'
case_ no_dom0 'Xen\x00\x00\x08\x00\x00' 'Xen\000\000\000\000\000' \
    'does not support dom0 operation'
case_ paddr_offset 'Xen\x00\x00\x00\x00\x01\x00\x00\x00\x00' 'Xen\000\000\000\000\002' \
    'ELF start or entries are out of bounds'
exit $fails
