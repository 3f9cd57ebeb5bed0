// Generates cron_parser_vectors.json: what npm cron-parser 5.6.2 (the parser Taskcluster's hooks
// service uses) computes for a few hundred patterns, for differential_test.cc. It is run by hand,
// outside Bazel, against a scratch install of cron-parser (never vendored here):
//
//   mkdir /tmp/cronref && cd /tmp/cronref && npm init -y && npm install cron-parser@5.6.2
//   TZ=UTC node libraries/cron/testdata/generate_vectors.js /tmp/cronref/node_modules \
//     > libraries/cron/testdata/cron_parser_vectors.json
//
// Each pattern is parsed the way Taskcluster's nextDate does (`parse(pattern, {currentDate,
// utc: true})`, evaluated with TZ=UTC) from every reference time; two successive occurrences are
// recorded per reference, as Unix seconds. cron-parser gives up after 10,000 loop steps and then
// returns a date that does not match the pattern; when that happens the search is resumed from
// that date until a matching one is found, the true next occurrence is recorded, and the case is
// marked `loop_limit`. Patterns it rejects are recorded with its error message.
'use strict';
const path = require('path');

const modules = process.argv[2];
if (!modules) {
  console.error('usage: TZ=UTC node generate_vectors.js NODE_MODULES_WITH_CRON_PARSER');
  process.exit(2);
}
if (process.env.TZ !== 'UTC') {
  console.error('run with TZ=UTC: Taskcluster evaluates patterns in the process time zone');
  process.exit(2);
}
const {CronExpressionParser} = require(path.join(modules, 'cron-parser'));
const version = require(path.join(modules, 'cron-parser', 'package.json')).version;
if (version !== '5.6.2') {
  console.error(`expected cron-parser 5.6.2, found ${version}`);
  process.exit(2);
}

const references = [
  '2024-01-10T10:00:00.500Z',  // sub-second part dropped
  '2023-12-31T23:59:59.000Z',  // year end
  '2024-02-28T23:59:59.999Z',  // into a leap day
  '2024-02-29T00:00:00.000Z',  // exactly on many patterns' slots: strictly after
  '2025-02-28T12:00:00.000Z',  // common year
  '2100-02-27T00:00:00.000Z',  // century year that is not a leap year
  '2024-04-30T23:59:30.000Z',  // end of a 30-day month
  '2026-07-15T06:07:08.000Z',
];

// mulberry32: a fixed-seed generator so that the vectors are reproducible.
function rng(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20240229);
const pick = (list) => list[Math.floor(random() * list.length)];
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

// A field of distinct values: one item (wildcard, value, range, step) or a list of singles.
function field(lo, hi, {names, nameBase = 0, wildcardWeight = 3} = {}) {
  const value = () => {
    const v = int(lo, hi);
    if (names && v - nameBase < names.length && v >= nameBase && random() < 0.4) {
      const name = names[v - nameBase];
      return random() < 0.5 ? name : name.toLowerCase();
    }
    return String(v);
  };
  const kind = int(0, 9 + wildcardWeight);
  if (kind >= 10) return random() < 0.85 ? '*' : '?';
  switch (kind) {
    case 0:
    case 1:
      return value();
    case 2:
    case 3: {
      const n = int(2, 4);
      const seen = new Set();
      while (seen.size < n) seen.add(int(lo, hi));
      return [...seen].map(String).join(',');
    }
    case 4: {
      const a = int(lo, hi);
      const b = int(a, hi);
      return `${a}-${b}`;
    }
    case 5: {
      const a = int(lo, hi);
      const b = int(a, hi);
      return `${a}-${b}/${int(1, Math.max(1, b - a))}`;
    }
    case 6:
      return `*/${int(1, hi - lo + 2)}`;
    case 7:
      return `${int(lo, hi)}/${int(1, hi - lo)}`;
    case 8: {
      const a = int(lo, hi - 1);
      const b = int(a + 1, hi);
      return `${a}-${b},${b === hi ? lo : hi}`.split(',').filter((x, i, xs) => xs.indexOf(x) === i).join(',');
    }
    default:
      return value();
  }
}

function dayOfMonth() {
  const r = random();
  if (r < 0.08) return 'L';
  if (r < 0.14) return `${int(1, 27)},L`;
  return field(1, 31, {wildcardWeight: 5});
}

function dayOfWeek() {
  const r = random();
  if (r < 0.08) return `${pick(['1', '2', '3', '4', '5', '6', '0', '7', 'FRI', 'mon'])}L`;
  if (r < 0.16) return `${pick(['0', '1', '3', '5', '7', 'TUE', 'sat', '*'])}#${int(1, 5)}`;
  if (r < 0.2) return `${int(1, 4)}-${pick(['5', '6', '7'])}`;
  return field(0, 7, {names: DAYS, wildcardWeight: 8});
}

function randomPattern() {
  const fields = [
    field(0, 59, {wildcardWeight: 2}),
    field(0, 23, {wildcardWeight: 4}),
    dayOfMonth(),
    field(1, 12, {names: MONTHS, nameBase: 1, wildcardWeight: 8}),
    dayOfWeek(),
  ];
  if (random() < 0.35) fields.unshift(field(0, 59, {wildcardWeight: 2}));
  return fields.join(' ');
}

// Hand-picked patterns: every syntax element, cron-parser's quirks, and its errors.
const handPicked = [
  // Documentation examples and nicknames.
  '0 0 1 * * *', '0 0 9,21 * * 1-5', '0 0 12 * * 0,6', '@yearly', '@annually', '@monthly',
  '@weekly', '@daily', '@hourly', '@minutely', '@secondly', '@weekdays', '@weekends',
  // Basics, 5 and 6 fields.
  '* * * * *', '* * * * * *', '*/5 * * * *', '*/15 * * * * *', '0 * * * *', '30 2 * * *',
  '0 0 * * *', '59 23 31 12 *', '0 0 1 1 *', '1-10/2 * * * *', '5/20 * * * *', '0 */6 * * *',
  '0 0 */2 * *', '0 0 1 */3 *', '15,45 9-17 * * 1-5', '0 0 0 * * ?', '0 0 ? * *', '? ? ? ? ?',
  '00 000 01 01 *', '7 7 7 7 7', '0 30 4 1,15 * *', '10-20/3 0 0 * * *', '59 59 23 * * *',
  // Names.
  '0 0 * JAN *', '0 0 * jan-mar *', '0 0 * Jun,Dec *', '0 0 * JAN-DEC/3 *', '0 0 * * MON',
  '0 0 * * mon-fri', '0 0 * * SUN', '0 0 * * SAT,SUN', '0 0 * * Tue/2', '0 12 * FEB SUN',
  // Day of week 7 and ranges ending at 7 (which also add Sunday), steps.
  '0 0 * * 7', '0 0 * * 0,7', '0 0 * * 5-7', '0 0 * * 1-7', '0 0 * * 0-7', '0 0 * * 7-7',
  '0 0 * * 0-0', '0 0 * * */2', '0 0 * * 2/2', '0 0 * * 1/2', '0 0 * * 2-7/3', '0 0 * * 0-7/2',
  '0 0 * * */3', '0 0 * * 3/2', '0 0 * * 1-5/2',
  // Day of month and day of week together (OR when both are restricted; `*` and `?` only are
  // wildcards).
  '0 0 1 * 1', '0 0 13 * 5', '0 0 1-7 * 1', '0 0 1-31 * 1', '0 0 */1 * 1', '0 0 15 * */1',
  '0 0 ? * MON', '0 0 1 * ?', '0 0 L * 5', '0 0 1,15 * SAT', '0 0 29 2 1', '0 0 31 * 0',
  // L in day of month.
  '0 0 L * *', '0 0 1,L * *', '0 0 L 2 *', '0 0 15,L * *', '0 0 0 L 4,6,9,11 *',
  // nL in day of week.
  '0 0 * * 5L', '0 0 * * 0L', '0 0 * * 7L', '0 0 * * FRIL', '0 0 * * 1,5L', '0 0 * * 5L,6L',
  '0 0 * 2 1L', '0 0 15 * 5L', '0 0 L * 5L',
  // # (nth weekday of the month): applies to every matching day, also with a day of month.
  '0 0 * * 5#2', '0 0 * * 1#1', '0 0 * * 0#5', '0 0 * * 7#3', '0 0 * * FRI#3', '0 0 * * *#2',
  '0 0 * * ?#3', '0 0 1 * 5#2', '0 0 * 2 1#5', '0 0 * 2 0#5', '0 0 13 * 5#2', '0 0 * * 5#02',
  '0 0 29 2 1#5', '0 0 L * 1#5',
  // Rare dates (leap days, patterns cron-parser needs more than its loop limit for).
  '0 0 29 2 *', '0 0 0 29 2 *', '0 0 29 2 *', '0 0 30 1-12 *', '0 0 31 * *', '0 0 31 1-3 *',
  '0 0 * 2 5#5', '0 0 29 2 0',
  // Duplicates of 0 that cron-parser tolerates.
  '0,0 * * * *', '*,0 * * * *', '0 0 * * 7,0', '0 0 * * 5-7,0', '0 0 * * 0,7,SUN',
  // Errors.
  '', '* * * * * * *', '0 0 0 0 0 0 0', '60 * * * *', '0 24 * * *', '0 0 0 * *', '0 0 32 * *',
  '0 0 * 0 *', '0 0 * 13 *', '0 0 * * 8', '*/0 * * * *', '0 0 * * 5/0', '0 0 * * 5/',
  '/5 * * * *', '1,,2 * * * *', ',1 * * * *', '1, * * * *', '1,1 * * * *', '1-5,3 * * * *',
  '0 0 L,L * *', '0 0 * * 5L,5L', '5-1 * * * *', '0 0 0/7 * *', '0 0 L-2 * *', '0 0 1W * *',
  '0 0 LW * *', '0 0 * * 1W', 'X * * * *', '0 0 * FOO *', '0 0 * * FRIDAY', '0 0 * * 5#6',
  '0 0 * * 5#0', '0 0 * * #2', '0 0 * * 5#', '0 0 * * 5#2,1', '0 0 * * 5#2-3', '0 0 * * 5#2#3',
  '0 0 * * 1-5#2', '0 0 30 2 *', '0 0 31 4 *', '0 0 30,31 2 *', '0 0 * * L', '0 0 * * 1,L',
  '0 0 * L *', 'L * * * *', '0 0 1/0 * *', '1/2/3 * * * *', '0 0 * * SUN-SAT/0', '@DAILY',
  ' @daily', '@reboot', '@', '0 0 * * ? ?', '0 0 * * * * *', '0 0 1,L,L * *',
  // Accepted by cron-parser, rejected here on purpose (see schedule.h).
  'H 0 * * *', 'H/5 * * * *', '0 H(0-5) * * *', '5 4 3', '* * * *', '*-5 * * * *',
  '1-2-3 * * * *', '1/5-2 * * * *', '0 0 * MON *', '0 0 * JANFEB *', '0 0 * * JAN', '0 0 5L * *',
  '0 0 5L-7 * *', '0 0 * * 15L', '0 0 * * 05L', '0 0 * * 5L-6', '0 0 * * 5L#2', '0 0 * * L#2',
  '0 0 * * 5#+2', '0 0 * * */MON', '0 0 31 4,6 *', '0 0 31 2,4 *', '0,0,1,1 * * * *',
  '0 0 * * 6-7,5-7',
];

function parse(pattern, currentDate) {
  return CronExpressionParser.parse(pattern, {currentDate, utc: true});
}

// The first occurrence strictly after `from` (a Date), resuming past cron-parser's loop limit.
// Returns [date, hitLoopLimit], or [null, true] when nothing matches in 2,000 years.
function trueNext(pattern, from) {
  let expression = parse(pattern, from);
  let date = expression.next();
  let limited = false;
  while (!expression.includesDate(date.toDate())) {
    limited = true;
    if (date.getFullYear() - from.getUTCFullYear() > 2000) return [null, true];
    expression = parse(pattern, date.toDate());
    date = expression.next();
  }
  return [date.toDate(), limited];
}

function vectorFor(pattern) {
  try {
    parse(pattern, new Date(references[0]));
  } catch (err) {
    return {pattern, error: err.message};
  }
  const next = [];
  let loopLimit = false;
  try {
    for (const reference of references) {
      const [first, limitedFirst] = trueNext(pattern, new Date(reference));
      if (first === null) return {pattern, never: true};
      const [second, limitedSecond] = trueNext(pattern, first);
      if (second === null) return {pattern, never: true};
      loopLimit = loopLimit || limitedFirst || limitedSecond;
      next.push([first.getTime() / 1000, second.getTime() / 1000]);
    }
  } catch (err) {
    return {pattern, error_on_next: err.message};
  }
  const result = {pattern, next};
  if (loopLimit) result.loop_limit = true;
  return result;
}

const cases = [];
const seen = new Set();
const add = (pattern) => {
  if (seen.has(pattern)) return false;
  seen.add(pattern);
  cases.push(vectorFor(pattern));
  return true;
};
handPicked.forEach(add);
let randomCount = 0;
while (randomCount < 260) {
  const pattern = randomPattern();
  const before = cases.length;
  if (!add(pattern)) continue;
  const added = cases[before];
  // Random patterns stay in the grammar both sides accept: drop ones cron-parser rejects or
  // that never fire (each such kind is covered by the hand-picked list).
  if (added.error || added.error_on_next || added.never) {
    cases.pop();
    continue;
  }
  randomCount++;
}

const lines = cases.map((c) => '    ' + JSON.stringify(c));
process.stdout.write(
    '{\n' +
    `  "comment": ${JSON.stringify(
        'Generated by generate_vectors.js (this directory) from npm cron-parser 5.6.2 with ' +
        'TZ=UTC; next holds, per reference, the first two occurrences strictly after it ' +
        '(Unix seconds). Do not edit by hand.')},\n` +
    `  "references": ${JSON.stringify(references)},\n` +
    '  "cases": [\n' + lines.join(',\n') + '\n  ]\n}\n');
