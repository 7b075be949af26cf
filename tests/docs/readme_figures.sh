#!/bin/sh
# readme_figures.sh SRCDIR — the README's figure tables are the committed
# sample's lean medians (the result set .gitignore keeps), as
# bench/readme-figures.py writes them; and the check can fail: with one
# median changed in a copy of the sample it must report that row.
set -u
src=$1
set_dir=$(sed -n 's#^!/\(results/[^/]*\)/$#\1#p' "$src/.gitignore" | head -n 1)
[ -n "$set_dir" ] && [ -s "$src/$set_dir/results.json" ] || { echo "no committed sample named in .gitignore"; exit 1; }
/usr/bin/python3 "$src/bench/readme-figures.py" --check "$src/$set_dir/results.json" "$src/README.md" || {
    echo "regenerate with: bench/readme-figures.py $set_dir/results.json README.md"
    exit 1
}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$src/$set_dir/results.json" "$tmp/r.json" <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
for b in d['benchmarks']:
    if b['name'] == 'ctxsw/yield_same_domain/shared_l4':
        b['median'] += 1
json.dump(d, open(sys.argv[2], 'w'))
PY
if /usr/bin/python3 "$src/bench/readme-figures.py" --check "$tmp/r.json" "$src/README.md" >"$tmp/out"; then
    echo "the check passed a changed median"; exit 1
fi
grep -q '^+ | `shared_l4` | ' "$tmp/out" || { echo "the changed row was not reported"; cat "$tmp/out"; exit 1; }
echo "ok: README figure tables are the sample's, and a changed median is caught"
