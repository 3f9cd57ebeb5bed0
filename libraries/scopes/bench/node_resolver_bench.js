#!/usr/bin/env node
// Runs Taskcluster's own role resolver (services/auth/src/trie.js of a taskcluster checkout) on a
// scopes_tool workload file, with the same interface as `scopes_tool expand`:
//
//   node node_resolver_bench.js --trie-dir DIR --workload FILE [--bench]
//
// DIR holds upstream's trie.js and scopesetbuilder.js (e.g. services/auth/src of a checkout made
// with `git archive HEAD services/auth/src | tar -x`). Nothing of upstream is kept in this
// repository: the two files are copied at run time into a temporary directory next to a link to
// taskcluster-lib-scopes from BULWARK_NODE_MODULES (default: tools/npm/node_modules).
//
// Without --bench: one JSON line per query, the expansion as upstream's
// ScopeResolver.buildResolver(...)(scopes) returns it (uncached), or {"error": ...} and exit 1.
// With --bench: {"roles","queries","build_ms","expand_all_ms","expand_ns_per_query",
// "update_one_role_ms"}, each the best of several rounds after warm-up; upstream has no
// incremental update, so update_one_role_ms is a full rebuild after changing one role.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const {performance} = require('perf_hooks');

const args = process.argv.slice(2);
const flag = name => args.includes(name);
const option = name => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const ASSUME_LIKE = /^(?:(?:|a|as|ass|assu|assum|assume)\*$|assume:)/;

async function loadUpstream(trieDir) {
  const nodeModules = process.env.BULWARK_NODE_MODULES ||
    path.join(__dirname, '..', '..', '..', 'tools', 'npm', 'node_modules');
  const lib = path.join(nodeModules, 'taskcluster-lib-scopes');
  if (!fs.existsSync(lib)) throw new Error(`taskcluster-lib-scopes not found in ${nodeModules}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-tc-trie-'));
  for (const f of ['trie.js', 'scopesetbuilder.js']) {
    fs.copyFileSync(path.join(trieDir, f), path.join(dir, f));
  }
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type": "module"}\n');
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(lib, path.join(dir, 'node_modules', 'taskcluster-lib-scopes'));
  fs.symlinkSync(path.join(nodeModules, 'fast-json-stable-stringify'),
    path.join(dir, 'node_modules', 'fast-json-stable-stringify'));
  const trie = await import(path.join(dir, 'trie.js'));
  const ScopeSetBuilder = (await import(path.join(dir, 'scopesetbuilder.js'))).default;
  return {trie, ScopeSetBuilder};
}

// The resolver as ScopeResolver.buildResolver assembles it (without its LRU cache).
function makeResolver({trie, ScopeSetBuilder}, roles) {
  const rules = roles.map(({roleId, scopes}) => ({pattern: `assume:${roleId}`, scopes}));
  const root = trie.optimize(trie.withPrefix(trie.build(rules), 'assume:'));
  return scopes => {
    const inputs = ScopeSetBuilder.normalizeScopeSet([...scopes]);
    const result = new ScopeSetBuilder();
    for (const s of inputs.filter(s => ASSUME_LIKE.test(s))) {
      trie.execute(root, s.startsWith('assume:') ? s.slice(7) : '*', result);
    }
    return ScopeSetBuilder.mergeScopeSets(result.scopes(), inputs);
  };
}

function best(rounds, fn) {
  let min = Infinity;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    fn();
    min = Math.min(min, performance.now() - start);
  }
  return min;
}

async function main() {
  const trieDir = option('--trie-dir');
  const workloadFile = option('--workload');
  if (!trieDir || !workloadFile) {
    console.error('usage: node_resolver_bench.js --trie-dir DIR --workload FILE [--bench]');
    process.exit(2);
  }
  const upstream = await loadUpstream(trieDir);
  const {roles, queries} = JSON.parse(fs.readFileSync(workloadFile, 'utf8'));
  let resolve;
  try {
    resolve = makeResolver(upstream, roles);
  } catch (err) {
    console.log(JSON.stringify({error: err.message}));
    process.exit(1);
  }
  if (!flag('--bench')) {
    for (const q of queries) console.log(JSON.stringify(resolve(q)));
    return;
  }
  for (let i = 0; i < 3; i++) queries.forEach(makeResolver(upstream, roles));  // warm-up
  const rounds = 10;
  const buildMs = best(rounds, () => makeResolver(upstream, roles));
  const buildAndExpandMs = best(rounds, () => {
    const r = makeResolver(upstream, roles);
    queries.forEach(q => r(q));
  });
  // Measure expansion alone on a prepared resolver (upstream precomputes everything at build).
  const resolver = makeResolver(upstream, roles);
  const expandOnlyMs = best(rounds, () => queries.forEach(q => resolver(q)));
  const changed = roles.map(r => ({...r}));
  const k = Math.floor(roles.length / 2);
  changed[k] = {...changed[k], scopes: [...changed[k].scopes, 'bench:extra-scope']};
  const updateMs = best(rounds, () => makeResolver(upstream, changed));
  console.log(JSON.stringify({
    roles: roles.length,
    queries: queries.length,
    build_ms: +buildMs.toFixed(3),
    expand_all_ms: +expandOnlyMs.toFixed(3),
    expand_ns_per_query: Math.round(expandOnlyMs * 1e6 / Math.max(1, queries.length)),
    update_one_role_ms: +updateMs.toFixed(3),
    build_and_expand_all_ms: +buildAndExpandMs.toFixed(3),
  }));
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
