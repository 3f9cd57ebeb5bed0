// Compares the outputs of `jsone batch` and npm_batch.js line by line:
//   node compare.js INPUT_LINES OURS NPM
// Results must be equal JSON values; errors must be the same string, except where npm json-e
// fails with a JavaScript error of its own (TypeError, RangeError: not a JSON-e error), where
// ours must fail too. Exits 1 on any mismatch.
'use strict';
const fs = require('fs');

const read = f => fs.readFileSync(f, 'utf8').split('\n').filter((l, i, a) => i < a.length - 1 || l !== '');
const [inputs, ours, npm] = process.argv.slice(2).map(read);

function equal(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
        a.every((x, i) => equal(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return equal(ka, kb) && ka.every(k => equal(a[k], b[k]));
  }
  return a === b;
}

const jsoneError = /^(SyntaxError|InterpreterError|TemplateError|BuiltinError)( at template[^:]*)?: |^Error: String: /;

let identical = 0;
let npmInternal = 0;
const mismatches = [];
if (ours.length !== inputs.length || npm.length !== inputs.length) {
  console.log(`line counts differ: input ${inputs.length}, ours ${ours.length}, npm ${npm.length}`);
  process.exit(1);
}
for (let i = 0; i < inputs.length; i++) {
  const o = JSON.parse(ours[i]);
  const n = JSON.parse(npm[i]);
  if ('error' in n && !jsoneError.test(n.error)) {
    npmInternal++;
    if (!('error' in o)) mismatches.push({i, why: 'npm failed internally, ours did not', o, n});
    continue;
  }
  if (equal(o, n)) identical++;
  else mismatches.push({i, o, n});
}
console.log(`differential: ${inputs.length} lines, ${identical} identical, ` +
            `${npmInternal} where npm json-e threw a JavaScript error (ours also failed), ` +
            `${mismatches.length} mismatches`);
for (const m of mismatches.slice(0, 25)) {
  console.log(`--- line ${m.i + 1}${m.why ? ' (' + m.why + ')' : ''}\n  input: ${inputs[m.i]}\n` +
              `  ours:  ${JSON.stringify(m.o)}\n  npm:   ${JSON.stringify(m.n)}`);
}
process.exit(mismatches.length ? 1 : 0);
