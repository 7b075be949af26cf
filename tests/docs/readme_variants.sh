#!/bin/sh
# readme_variants.sh SRCDIR — the README's variant tables are the ones
# cmake/variant_table.cmake generates from strategies/variants.cmake (the
# lines between "<!-- variants -->" and "<!-- /variants -->").
set -u
src=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cmake -DOUT="$tmp/want.md" -P "$src/cmake/variant_table.cmake" || exit 1
sed -n '/^<!-- variants -->$/,/^<!-- \/variants -->$/p' "$src/README.md" | sed '1d;$d' >"$tmp/have.md"
[ -s "$tmp/have.md" ] || { echo "README.md has no <!-- variants --> block"; exit 1; }
if ! cmp -s "$tmp/want.md" "$tmp/have.md"; then
    echo "README.md's variant tables differ from strategies/variants.cmake; regenerate with:"
    echo "  cmake -DOUT=FILE -P cmake/variant_table.cmake"
    diff "$tmp/want.md" "$tmp/have.md"
    exit 1
fi
echo "ok: README variant tables"
