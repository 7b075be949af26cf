#!/bin/sh
# boot_test.sh NAME RUNNER_EXIT "ASILAB RUN ARGS" [CHECK_RECORDS ARGS...]
# Boots through the asilab runner under TCG icount into a scratch dir,
# requires the runner's exit status, then asserts over records.jsonl.
# The variable SAME_AS=NAME2 compares against another test's output.
set -u
name=$1 want=$2 args=$3
shift 3
out=${BOOT_TEST_DIR:?}/$name
rm -rf "$out"
# shellcheck disable=SC2086
"${ASILAB:?}" run $args --accel tcg --timeout 120 --out "$out" > "$out.log" 2>&1
rc=$?
if [ "$rc" != "$want" ]; then
    echo "boot_test $name: asilab exited $rc, expected $want"; cat "$out.log"; exit 1
fi
exec "${CHECK_RECORDS:?}" "$out/records.jsonl" "$@"
