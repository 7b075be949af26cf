#!/bin/sh
# gunzip.sh IN OUT: decompress IN into OUT, atomically (the build's copy of
# Debian's xen-4.17-amd64.gz as the ELF QEMU's multiboot loader boots).
set -eu
gzip -dc "$1" > "$2.tmp"
mv "$2.tmp" "$2"
