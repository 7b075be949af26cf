#!/bin/sh
# install-deps.sh: install the Debian 12 packages asilab needs, if any is
# missing (run as root; a no-op when everything is there).  Debian's Xen
# 4.17 (xen-hypervisor-4.17-amd64: /boot/xen-4.17-amd64.gz) is the real Xen
# the runner boots beside the model (--hv xen); only the hypervisor image,
# no toolstack, and nothing here boots the host into it.  GRUB's BIOS
# and UEFI modules and xorriso build `asilab image`'s ISO and PXE folder
# (the host's own boot loader is not touched); OVMF boots that ISO as a
# UEFI machine in boot.image_uefi.  SQLite keeps `asilab history`.
# LAVA's dispatcher, schema and client run and check `asilab lava`'s jobs
# (boot.lava_run runs two with lava-run; no LAVA server or worker is set up).
set -eu
pkgs="cmake ninja-build gcc g++ make pkg-config git qemu-system-x86 libjansson-dev
      libbenchmark-dev libbenchmark-tools python3-scipy gnuplot-nox
      xen-hypervisor-4.17-amd64 grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools ovmf
      libsqlite3-dev lava-dispatcher lava-common lavacli"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "asilab: missing packages:$missing; run as root or: apt-get install$missing" >&2
    exit 1
fi
echo "asilab: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
