#!/bin/bash
# Differential check of the resolver against Taskcluster's own trie (not part of CI: it needs a
# taskcluster checkout). For each seed, generates a random workload and the three benchmark
# workloads, expands them with scopes_tool (raw queries, and again with --normalized) and with
# node_resolver_bench.js, and compares.
#
#   bench/compare_with_upstream.sh SCOPES_TOOL TRIE_DIR [SEEDS]
#
# TRIE_DIR: services/auth/src of a taskcluster checkout (holding trie.js, scopesetbuilder.js).
set -euo pipefail
tool="$1"
trie_dir="$2"
seeds="${3:-300}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
compare() {
  "$tool" expand --workload "$1" > "$work/ours.txt" || true
  node "$here/node_resolver_bench.js" --trie-dir "$trie_dir" --workload "$1" > "$work/theirs.txt" || true
  if ! cmp -s "$work/ours.txt" "$work/theirs.txt"; then
    echo "DIFFERENT: $2"; diff "$work/ours.txt" "$work/theirs.txt" | head -5; exit 1
  fi
  # The same queries given pre-normalized (ExpandShared of an ExpandedScopes).
  "$tool" expand --workload "$1" --normalized > "$work/ours_normalized.txt" || true
  if ! cmp -s "$work/ours_normalized.txt" "$work/theirs.txt"; then
    echo "DIFFERENT (normalized input): $2"
    diff "$work/ours_normalized.txt" "$work/theirs.txt" | head -5
    exit 1
  fi
}
for kind in deployment chain large; do
  "$tool" workload --kind "$kind" > "$work/w.json"
  compare "$work/w.json" "$kind"
done
for seed in $(seq 1 "$seeds"); do
  "$tool" workload --kind random --seed "$seed" --size 10 > "$work/w.json"
  compare "$work/w.json" "random seed $seed"
done
echo "same as upstream: 3 benchmark workloads and $seeds random workloads (50 queries each)"
