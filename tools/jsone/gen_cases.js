// Writes `jsone batch` input lines for differential tests:
//   node gen_cases.js SPEC_JSON RANDOM_COUNT SEED > lines
// First every case of the specification suite (clock at the suite's time),
// then case mapping across scripts, then RANDOM_COUNT random templates built
// from every operator, builtin and expression form, with random contexts and
// clocks. Object keys are written in sorted order and are never integer-like,
// so JavaScript's key order (used by npm json-e) and sorted order (used by
// ours) agree.
// Known difference avoided here: npm json-e's $reverse and $mergeDeep mutate
// arrays that come from the context ($reverse reverses them, $mergeDeep
// removes the first item), which later uses in the same render see; ours
// leaves the context unchanged.
'use strict';
const fs = require('fs');

const [specPath, countArg, seedArg] = process.argv.slice(2);
const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
const SPEC_NOW = '2017-01-19T16:27:20.974Z';
const out = [];
for (const c of spec) {
  out.push(JSON.stringify({template: c.template, context: c.context, now: SPEC_NOW}));
}

// Case mapping across scripts: every code point of these ranges, upper- and
// lower-cased, plus words that end in capital sigma. Characters whose case
// was defined after Unicode 14 are left out: glibc's tables (which ours use)
// do not know them yet.
const CASE_RANGES = [[0xC0, 0x2AF], [0x370, 0x52F], [0x531, 0x58F], [0x10A0, 0x10FF],
  [0x13A0, 0x13FD], [0x1C80, 0x1CBF], [0x1E00, 0x1FFF], [0x2C00, 0x2D2F], [0xA640, 0xA69F],
  [0xA720, 0xA7CA], [0xAB70, 0xABBF], [0xFB00, 0xFB17], [0xFF21, 0xFF5A], [0x10400, 0x104FF],
  [0x10C80, 0x10CFF], [0x118A0, 0x118DF], [0x16E40, 0x16E7F], [0x1E900, 0x1E95F]];
const NEWER_CASES = new Set([0x19B, 0x264, 0x1C89, 0x1C8A]);
for (const [from, to] of CASE_RANGES) {
  let text = '';
  for (let c = from; c <= to; c++) {
    if (!NEWER_CASES.has(c)) text += String.fromCodePoint(c);
  }
  out.push(JSON.stringify({template: {$eval: '[lowercase(s), uppercase(s)]'},
                           context: {s: text}, now: SPEC_NOW}));
}
out.push(JSON.stringify({template: {$eval: '[lowercase(s), uppercase(s)]'},
                         context: {s: "ΟΔΥΣΣΕΥΣ ΣΑΣ. Σ ΑΣ'Α ΑΣ\u0301 ΑΣ1 \u0301Σ"}, now: SPEC_NOW}));

// mulberry32: a small seeded generator, so every run produces the same lines.
let seed = parseInt(seedArg || '1', 10) >>> 0;
function random() {
  seed = (seed + 0x6D2B79F5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = a => a[Math.floor(random() * a.length)];
const chance = p => random() < p;
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));

const CONTEXT = {
  a: 1, b: 2.5, zero: 0, neg: -3, big: 1e21, tiny: 1.5e-7, s: 'hello', t: 'wörld ☃😁',
  ws: '  padded\t', empty: '', n: null, T: true, F: false, arr: [1, 2, 3], strs: ['b', 'a', 'c'],
  nested: [[1, [2]], [3]], obj: {x: 1, y: 'two', z: [1]}, objs: [{k: 2, v: 'b'}, {k: 1, v: 'a'}],
  now: '2020-02-29T12:00:00.000Z', num: '42.5', date: '2021-06-01T00:00:00Z',
};
const NOWS = ['2017-01-19T16:27:20.974Z', '2000-01-01T00:00:00.000Z', '2024-02-29T23:59:59.999Z'];
const NAMES = Object.keys(CONTEXT).filter(k => k !== 'now');
const STRINGS = ['', 'a', 'abc', 'Hello World', '  x  ', 'ünï', '☃', '😁x', 'a,b,c', '1.5', '0x1F', '-7'];
const OFFSETS = ['1 day', '2 hours 3m', '-1y2mo', '+3 weeks', '10s', '1 yr 1 mo 1 w 1 d 1 h 1 min 1 sec',
  '0 seconds', '', '1s 1y', 'soon', '45 minutes', '400 days'];
const BUILTINS = ['min', 'max', 'sqrt', 'ceil', 'floor', 'abs', 'range', 'lowercase', 'uppercase', 'str',
  'number', 'len', 'strip', 'lstrip', 'rstrip', 'split', 'join', 'fromNow', 'typeof', 'defined'];
const BINARY = ['+', '-', '*', '/', '**', '==', '!=', '<', '>', '<=', '>=', '&&', '||', 'in'];

function quote(s) {
  if (!s.includes("'")) return `'${s}'`;
  return `"${s}"`;
}

function literal() {
  switch (int(0, 5)) {
    case 0: return String(int(0, 20));
    case 1: return `${int(0, 9)}.${int(0, 99)}`;
    case 2: return quote(pick(STRINGS));
    case 3: return pick(['true', 'false', 'null']);
    case 4: return pick(OFFSETS.map(quote));
    default: return pick(NAMES);
  }
}

function expr(depth) {
  if (depth <= 0 || chance(0.25)) return chance(0.95) ? literal() : pick(['unknown', 'x', 'now']);
  const d = depth - 1;
  switch (int(0, 10)) {
    case 0: return `${pick(['-', '+', '!'])}${expr(d)}`;
    case 1: case 2: return `${expr(d)} ${pick(BINARY)} ${expr(d)}`;
    case 3: return `(${expr(d)})`;
    case 4: return `${pick(['obj', 'objs[0]', '{p: 1, "q r": [2]}', expr(d)])}.${pick(['x', 'y', 'k', 'p', 'missing'])}`;
    case 5: {
      const target = pick(['arr', 's', 't', 'strs', 'obj', 'nested', expr(d)]);
      const i = () => pick([String(int(-4, 4)), `${int(0, 3)}.5`, expr(d), "'x'"]);
      return pick([`${target}[${i()}]`, `${target}[${i()}:${i()}]`, `${target}[:${i()}]`, `${target}[${i()}:]`]);
    }
    case 6: case 7: {
      const args = Array.from({length: int(0, 3)}, () => expr(d));
      return `${pick(BUILTINS)}(${args.join(', ')})`;
    }
    case 8: return `[${Array.from({length: int(0, 3)}, () => expr(d)).join(', ')}]`;
    case 9: return `{${Array.from({length: int(0, 2)}, (_, i) => `${pick([`k${i}`, `'q ${i}'`, `"m${i}"`])}: ${expr(d)}`).join(', ')}}`;
    default: return chance(0.7) ? literal() : pick(['[1, ]', '(', 'a +', '1 ) 2', '"open', 'a.{', '[,1]', 'f(,)', '@', 'a = b', '']);
  }
}

function text(depth) {
  const parts = [];
  for (let i = int(0, 3); i > 0; i--) {
    parts.push(pick(['x', ' ', '-', '$', '$${esc}', `\${${expr(depth)}}`, `\${${pick(NAMES)}}`, chance(0.2) ? '${oops' : 'y']));
  }
  return parts.join('');
}

function sortedObject(entries) {
  const object = {};
  for (const [k, v] of entries.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) object[k] = v;
  return object;
}

function value(depth) {
  if (depth <= 0) return pick([1, 2.5, 'x', true, null, [], {}, -0.5]);
  return pick([int(-5, 5), pick(STRINGS), true, null,
    Array.from({length: int(0, 3)}, () => value(depth - 1)),
    sortedObject(Array.from({length: int(0, 2)}, (_, i) => [`v${i}`, value(depth - 1)]))]);
}

function each(names, body) { return [`each(${names.join(pick([',', ', ']))})`, body]; }

function template(depth) {
  if (depth <= 0) return chance(0.5) ? value(1) : text(1);
  const d = depth - 1;
  const e = () => expr(2);
  switch (int(0, 22)) {
    case 0: return value(2);
    case 1: return text(2);
    case 2: return Array.from({length: int(0, 3)}, () => template(d));
    case 3: return sortedObject(Array.from({length: int(1, 3)}, (_, i) =>
      [pick([`k${i}`, `$$k${i}`, `\${${pick(NAMES)}}${i}`, chance(0.2) ? `$bad${i}` : `b${i}`, `key ${i}`]), template(d)]));
    case 4: return {$eval: chance(0.95) ? e() : 7};
    case 5: return sortedObject([['$if', e()], ...(chance(0.8) ? [['then', template(d)]] : []),
      ...(chance(0.6) ? [['else', template(d)]] : [])]);
    case 6: return sortedObject([['$let', chance(0.9) ? sortedObject([['x', template(d)], ['y', {$eval: e()}]]) : {$eval: e()}],
      ['in', template(d)]]);
    case 7: return sortedObject([['$map', pick([{$eval: 'arr'}, {$eval: 'obj'}, {$eval: 'strs'}, {$eval: e()}])],
      each(pick([['x'], ['x', 'i'], ['v', 'k']]), template(d))]);
    case 8: return sortedObject([['$reduce', pick([{$eval: 'arr'}, {$eval: 'strs'}, {$eval: e()}])], ['initial', value(1)],
      each(pick([['acc', 'x'], ['acc', 'x', 'i']]), pick([{$eval: 'acc + x'}, template(d)]))]);
    case 9: return sortedObject([['$find', pick([{$eval: 'arr'}, {$eval: 'objs'}, {$eval: e()}])],
      each(pick([['x'], ['x', 'i']]), pick(['x > 1', 'x.k == 1', 'i == 2', e()]))]);
    case 10: return {$match: sortedObject([[e(), template(d)], [e(), template(d)]])};
    case 11: return {$switch: sortedObject([[e(), template(d)], [e(), template(d)], ...(chance(0.5) ? [['$default', template(d)]] : [])])};
    case 12: return {[pick(['$merge', '$mergeDeep'])]: pick([[{$eval: 'obj'}, {y: [2], w: template(d)}], {$eval: e()},
      [{a: {b: [1], c: 1}}, {a: {b: [2], d: 2}}]])};
    case 13: return {[pick(['$flatten', '$flattenDeep'])]: pick([{$eval: 'nested'}, [[1, [2, [3]]], template(d)], {$eval: e()}])};
    // npm json-e reverses in place, so `$reverse` of a context array would change the
    // context for the rest of its render; reverse a copy (ours never mutates the context).
    case 14: return {$reverse: pick([{$eval: 'arr[0:]'}, template(d)])};
    case 15: return chance(0.5) ? {$sort: pick([{$eval: 'strs'}, {$eval: 'arr'}, [3, 1, 2], {$eval: e()}])}
      : {$sort: {$eval: 'objs'}, 'by(o)': pick(['o.k', 'o.v', 'o', e()])};
    case 16: return {$json: template(d)};
    case 17: return sortedObject([['$fromNow', chance(0.8) ? pick(OFFSETS) : template(d)],
      ...(chance(0.5) ? [['from', pick(['2017-01-01T00:00:00.000Z', {$eval: 'date'}, '', 'garbage'])]] : [])]);
    case 18:  // Two operators, or undefined properties, now and then.
      if (chance(0.2)) return sortedObject([['$eval', e()], ['$if', e()]]);
      if (chance(0.2)) return sortedObject([['$map', [1]], ['each(x)', 1], ['extra', 2]]);
      return {$eval: e()};
    case 19: return {[`$${pick(['$', ''])}k`]: template(d)};
    case 20: return `\${${e()}}`;
    default: return {[`k${int(0, 9)}`]: template(d)};
  }
}

const count = parseInt(countArg || '0', 10);
for (let i = 0; i < count; i++) {
  const context = chance(0.01) ? pick([{'bad-key': 1}, [], {x: 1, lowercase: 2}]) : CONTEXT;
  out.push(JSON.stringify({template: template(int(1, 4)), context, now: pick(NOWS)}));
}
process.stdout.write(out.map(l => l + '\n').join(''));
