#!/bin/sh
# build-xen.sh SRC OUT [CONFIG_X=y|n ...]: build the Xen hypervisor of the
# source tree SRC (a checkout or export of xen.git, e.g. RELEASE-4.17.7)
# with Debian's configuration of its Xen 4.17 (/boot/xen-4.17-amd64.config,
# installed with xen-hypervisor-4.17-amd64; ASILAB_XEN_CONFIG=FILE for
# another) and the options given, and copy its multiboot ELF (xen/xen) to
# OUT, which `asilab run --hv xen=OUT` boots.  Name OUT after the build:
# xen-4.17-perfc.elf becomes the variant xen-4.17-perfc.
#
#   cmake/build-xen.sh ~/xen build/xen/xen-4.17-perfc.elf \
#       CONFIG_EXPERT=y CONFIG_PERF_COUNTERS=y
#
# (Xen's perf counters sit behind CONFIG_EXPERT.)  An option that does
# not end up in the final configuration (a typo, a missing dependency) is
# an error, not a build without it.  Installs what Xen's build needs
# (flex, bison, python3) from Debian when missing.  Takes a few minutes.
set -eu
if [ $# -lt 2 ]; then
    echo "usage: build-xen.sh SRC OUT [CONFIG_X=y|n ...]" >&2
    exit 2
fi
src=$1 out=$2
shift 2
config=${ASILAB_XEN_CONFIG:-/boot/xen-4.17-amd64.config}
[ -f "$src/xen/Makefile" ] || { echo "build-xen.sh: $src is not a Xen source tree (no xen/Makefile)" >&2; exit 2; }
[ -r "$config" ] || { echo "build-xen.sh: no $config (cmake/install-deps.sh installs xen-hypervisor-4.17-amd64)" >&2; exit 2; }
for o in "$@"; do
    case $o in
    CONFIG_[A-Z0-9_]*=y|CONFIG_[A-Z0-9_]*=n) ;;
    *) echo "build-xen.sh: bad option '$o': expected CONFIG_NAME=y or CONFIG_NAME=n" >&2; exit 2 ;;
    esac
done
missing=
for t in flex bison python3 gcc make; do
    command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
    [ "$(id -u)" = 0 ] || { echo "build-xen.sh: missing:$missing (run as root to install)" >&2; exit 1; }
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(echo "$missing" | sed 's/python3/python3-minimal/') >/dev/null
fi

cp "$config" "$src/xen/.config"
for o in "$@"; do
    name=${o%%=*} val=${o#*=}
    sed -i "/^$name=/d; /^# $name is not set/d" "$src/xen/.config"
    if [ "$val" = y ]; then echo "$name=y" >>"$src/xen/.config"
    else echo "# $name is not set" >>"$src/xen/.config"; fi
done
make -s -C "$src/xen" olddefconfig
for o in "$@"; do
    name=${o%%=*} val=${o#*=}
    if [ "$val" = y ]; then
        grep -qx "$name=y" "$src/xen/.config" ||
            { echo "build-xen.sh: $name=y did not stick (unknown, or a dependency is off)" >&2; exit 1; }
    else
        ! grep -qx "$name=y" "$src/xen/.config" ||
            { echo "build-xen.sh: $name=n did not stick (selected by another option)" >&2; exit 1; }
    fi
done
make -s -C "$src/xen" -j"$(nproc)" XEN_TARGET_ARCH=x86_64
mkdir -p "$(dirname "$out")"
cp "$src/xen/xen" "$out.tmp"
mv "$out.tmp" "$out"
echo "build-xen.sh: $out ($(sed -n 's/^# Xen\/x86 \(.*\) Configuration$/\1/p' "$src/xen/.config"), options: ${*:-none})"
