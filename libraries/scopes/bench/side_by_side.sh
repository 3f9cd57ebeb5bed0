#!/bin/bash
# Side-by-side timing of the resolver and of Taskcluster's own (services/auth/src/trie.js, through
# node_resolver_bench.js) on the same workload files, in one run: for each round and each
# workload, `scopes_tool expand --bench` then the node bench, alternating; at the end, per
# workload, the median over the rounds of each figure and the ratios upstream / ours. Not part of
# CI (it needs a taskcluster checkout and takes minutes).
#
#   bench/side_by_side.sh SCOPES_TOOL TRIE_DIR ROUNDS WORKLOAD.json...
#
# TRIE_DIR: services/auth/src of a taskcluster checkout. Prints one JSON line per measurement as
# it goes (to stderr) and a Markdown table (to stdout).
set -euo pipefail
tool="$1"
trie_dir="$2"
rounds="$3"
shift 3
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for round in $(seq 1 "$rounds"); do
  for w in "$@"; do
    name="$(basename "$w" .json)"
    ours="$("$tool" expand --workload "$w" --bench)"
    theirs="$(node "$here/node_resolver_bench.js" --trie-dir "$trie_dir" --workload "$w" --bench)"
    echo "{\"round\":$round,\"workload\":\"$name\",\"ours\":$ours,\"upstream\":$theirs}" |
      tee -a "$work/results.jsonl" >&2
  done
done
node - "$work/results.jsonl" <<'JS'
const fs = require('fs');
const lines = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map(l => JSON.parse(l));
const median = xs => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = x => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(2));
const names = [...new Set(lines.map(l => l.workload))];
console.log('| workload | roles | queries | build ours / upstream | ratio | expand all ours / upstream | ratio | update one role ours / upstream |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const n of names) {
  const rs = lines.filter(l => l.workload === n);
  const m = (side, key) => median(rs.map(r => r[side][key]));
  const b = [m('ours', 'build_ms'), m('upstream', 'build_ms')];
  const e = [m('ours', 'expand_all_ms'), m('upstream', 'expand_all_ms')];
  const u = [m('ours', 'update_one_role_ms'), m('upstream', 'update_one_role_ms')];
  console.log(`| ${n} | ${rs[0].ours.roles} | ${rs[0].ours.queries} | ${fmt(b[0])} ms / ${fmt(b[1])} ms | ` +
    `${(b[1] / b[0]).toFixed(1)}× | ${fmt(e[0])} ms / ${fmt(e[1])} ms | ${(e[1] / e[0]).toFixed(1)}× | ` +
    `${fmt(u[0])} ms / ${fmt(u[1])} ms |`);
}
console.log(`\nmedians of ${Math.max(...lines.map(l => l.round))} alternating rounds`);
JS
