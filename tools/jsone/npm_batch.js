// The `jsone batch` protocol (tools/jsone/batch.h) implemented with the npm json-e package,
// for differential tests and side-by-side benchmarks:
//   node npm_batch.js [--repeat N] < lines > results
// Needs BULWARK_NODE_MODULES (the node_modules directory holding json-e).
'use strict';
const path = require('path');
const readline = require('readline');

const modules = process.env.BULWARK_NODE_MODULES;
if (!modules) {
  console.error('npm_batch.js: BULWARK_NODE_MODULES is not set');
  process.exit(2);
}
const jsone = require(path.join(modules, 'json-e'));

let repeat = 0;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--repeat') repeat = parseInt(args[++i], 10);
  else { console.error(`npm_batch.js: unknown argument ${args[i]}`); process.exit(2); }
}

// json-e reads the clock through `new Date()`; freeze it at the line's `now`.
const RealDate = Date;
function freezeClock(ms) {
  global.Date = class extends RealDate {
    constructor(...a) { if (a.length === 0) super(ms); else super(...a); }
    static now() { return ms; }
  };
}

function renderOnce(input) {
  try {
    const result = jsone(input.template, input.context);
    return {result: result === undefined ? null : result};
  } catch (err) {
    return {error: String(err)};
  }
}

const lines = [];
readline.createInterface({input: process.stdin, crlfDelay: Infinity})
  .on('line', line => lines.push(line))
  .on('close', () => {
    let renders = 0;
    let totalNs = 0;
    const out = [];
    for (const line of lines) {
      let input;
      try {
        input = JSON.parse(line);
      } catch (err) {
        out.push(JSON.stringify({error: 'input: each line must be a JSON object with a "template"'}));
        continue;
      }
      if (input.context === undefined) input.context = {};
      freezeClock(input.now === undefined ? RealDate.now() : new RealDate(input.now).getTime());
      if (repeat > 0) {
        const start = process.hrtime.bigint();
        for (let i = 0; i < repeat; i++) renderOnce(input);
        totalNs += Number(process.hrtime.bigint() - start);
        renders += repeat;
      }
      out.push(JSON.stringify(renderOnce(input)));
      global.Date = RealDate;
    }
    process.stdout.write(out.map(l => l + '\n').join(''));
    if (repeat > 0) {
      console.error(JSON.stringify({renders, ns_per_render: renders ? totalNs / renders : 0}));
    }
  });
