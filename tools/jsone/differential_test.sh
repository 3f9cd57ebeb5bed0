#!/bin/bash
# Differential test: the whole JSON-e specification suite plus generated templates (all
# operators, builtins and expression forms, including many that fail) rendered by
# `jsone batch` and by the npm json-e package (npm_batch.js); compare.js requires the same
# result or the same error string on every line.
#
# Usage (from Bazel): differential_test.sh JSONE GEN_CASES NPM_BATCH COMPARE SPEC_JSON
# Needs node and BULWARK_NODE_MODULES (set by ./dev test); fails if either is missing.
set -euo pipefail

jsone="$1" gen_cases="$2" npm_batch="$3" compare="$4" spec="$5"
random_cases="${DIFFERENTIAL_RANDOM_CASES:-5000}"

if [[ -z "${BULWARK_NODE_MODULES:-}" || ! -d "${BULWARK_NODE_MODULES}/json-e" ]]; then
  echo "FAIL: BULWARK_NODE_MODULES must point at node_modules holding json-e" \
       "(./dev test sets it; by hand: --test_env=BULWARK_NODE_MODULES=\$PWD/tools/npm/node_modules)" >&2
  exit 1
fi
if ! command -v node >/dev/null; then
  echo "FAIL: node is not on PATH" >&2
  exit 1
fi

work="${TEST_TMPDIR:-$(mktemp -d)}"
status=0
for seed in 1 2; do
  node "$gen_cases" "$spec" "$random_cases" "$seed" > "$work/lines.txt"
  "$jsone" batch < "$work/lines.txt" > "$work/ours.txt"
  node "$npm_batch" < "$work/lines.txt" > "$work/npm.txt"
  echo "seed $seed:"
  node "$compare" "$work/lines.txt" "$work/ours.txt" "$work/npm.txt" || status=1
done
exit "$status"
