#!/bin/bash
# Side-by-side benchmark: the same batch lines rendered N times by the C++ renderer
# (`jsone batch --repeat N`, built with -c opt) and by npm json-e (`node npm_batch.js
# --repeat N`). Both time only the renders (JSON template and context in, rendered value
# out; input parsing excluded), alternate over several rounds, and check first that the
# two produce the same output. Prints the median ns/render of each and the speed-up.
#
# Usage: tools/jsone/bench_vs_npm.sh [ROUNDS] [SPEC_REPEAT] [TASK_REPEAT]
#   defaults 3 rounds; 200 passes over the spec suite (1,175 templates); 2,000 renders of
#   the decision task (libraries/jsone/testdata/decision_task.json), alone ("decision")
#   and with a 20 kB GitHub push event as its `event` ("push").
# Environment: BAZEL_OUTPUT_BASE (optional --output_base), BULWARK_NODE_MODULES (default
# tools/npm/node_modules).
set -euo pipefail

rounds="${1:-3}" spec_repeat="${2:-200}" task_repeat="${3:-2000}"
cd "$(dirname "$0")/../.."
bazel=(bazel ${BAZEL_OUTPUT_BASE:+--output_base="$BAZEL_OUTPUT_BASE"})
"${bazel[@]}" build -c opt //tools/jsone:jsone >/dev/null 2>&1 ||
  { echo "build failed: ${bazel[*]} build -c opt //tools/jsone:jsone" >&2; exit 1; }
jsone="$("${bazel[@]}" info -c opt bazel-bin 2>/dev/null)/tools/jsone/jsone"
export BULWARK_NODE_MODULES="${BULWARK_NODE_MODULES:-$PWD/tools/npm/node_modules}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The spec suite lives in ../shared (the @shared repository of WORKSPACE); its
# 1,175 cases are the first lines gen_cases.js writes.
node tools/jsone/gen_cases.js ../shared/testdata/json-e-specification.json 0 1 \
  > "$work/cases.jsonl"
head -n 1175 "$work/cases.jsonl" > "$work/spec.jsonl"
node -e 'const d = require(process.argv[1]); console.log(JSON.stringify(d));' \
  "$PWD/libraries/jsone/testdata/decision_task.json" > "$work/decision.jsonl"
# The same with a 20 kB GitHub push event as the context's `event`.
node -e 'const d = require(process.argv[1]); d.context.event = require(process.argv[2]);
         console.log(JSON.stringify(d));' \
  "$PWD/libraries/jsone/testdata/decision_task.json" \
  "$PWD/libraries/jsone/testdata/github_push_event.json" > "$work/push.jsonl"

ns_per_render() { sed -n 's/.*"ns_per_render":\([0-9.e+]*\).*/\1/p' "$1"; }
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "node $(node --version), json-e $(node -p "require('$BULWARK_NODE_MODULES/json-e/package.json').version")"
printf '%-14s %10s %14s %14s %9s\n' workload renders/run "C++ ns/render" "npm ns/render" speed-up
for workload in spec decision push; do
  lines="$work/$workload.jsonl"
  repeat="$spec_repeat"
  [[ "$workload" != spec ]] && repeat="$task_repeat"
  # Same results first: the benchmark must compare equal work.
  "$jsone" batch < "$lines" > "$work/ours.out"
  node tools/jsone/npm_batch.js < "$lines" > "$work/npm.out"
  node tools/jsone/compare.js "$lines" "$work/ours.out" "$work/npm.out" > "$work/compare.txt" ||
    { cat "$work/compare.txt"; exit 1; }
  : > "$work/ours.ns"; : > "$work/npm.ns"
  for ((round = 0; round < rounds; round++)); do
    "$jsone" batch --repeat "$repeat" < "$lines" > /dev/null 2> "$work/stats"
    ns_per_render "$work/stats" >> "$work/ours.ns"
    node tools/jsone/npm_batch.js --repeat "$repeat" < "$lines" > /dev/null 2> "$work/stats"
    ns_per_render "$work/stats" >> "$work/npm.ns"
  done
  ours="$(median < "$work/ours.ns")" npm="$(median < "$work/npm.ns")"
  renders=$(( $(wc -l < "$lines") * repeat ))
  printf '%-14s %10d %14.0f %14.0f %8.1fx\n' "$workload" "$renders" "$ours" "$npm" \
    "$(awk -v a="$npm" -v b="$ours" 'BEGIN {print a / b}')"
done
