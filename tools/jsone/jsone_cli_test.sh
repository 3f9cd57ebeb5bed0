#!/bin/bash
# Tests of the jsone command: render (result, error, nothing, --now, stdin), batch and
# batch --repeat, and usage errors.
# Usage (from Bazel): jsone_cli_test.sh JSONE
set -uo pipefail

jsone="$1"
work="${TEST_TMPDIR:-$(mktemp -d)}"
failures=0

check() {  # check NAME EXPECTED ACTUAL
  if [[ "$2" == "$3" ]]; then
    echo "ok   $1"
  else
    echo "FAIL $1"
    echo "  want: $2"
    echo "  got:  $3"
    failures=$((failures + 1))
  fi
}

cat > "$work/template.json" <<'JSON'
{"taskId": "${taskId}", "deadline": {"$fromNow": "1 day"}, "n": {"$eval": "2 ** 3 ** 2"},
 "$$keep": "x", "lit": "$${x}", "list": {"$map": {"$eval": "range(0, 2)"}, "each(i)": "p${i}"}}
JSON
echo '{"taskId": "abc"}' > "$work/context.json"

out="$("$jsone" render "$work/template.json" "$work/context.json" --now 2020-01-01T00:00:00.000Z)"
check "render prints indented JSON" '{
  "$keep": "x",
  "deadline": "2020-01-02T00:00:00.000Z",
  "list": [
    "p0",
    "p1"
  ],
  "lit": "${x}",
  "n": 512,
  "taskId": "abc"
}' "$out"

out="$(echo '{"$eval": "now"}' | "$jsone" render - --now 2021-05-05T05:05:05.505Z)"
check "render reads stdin; now defaults from --now" '"2021-05-05T05:05:05.505Z"' "$out"

echo '{"$if": "false", "then": 1}' > "$work/nothing.json"
check "render of nothing prints null" "null" "$("$jsone" render "$work/nothing.json")"

echo '{"a": [{"$eval": "payload.x"}]}' > "$work/bad.json"
err="$("$jsone" render "$work/bad.json" 2>&1 >/dev/null)"
code=$?
check "render error exit code" "1" "$code"
check "render error message" "InterpreterError at template.a[0]: unknown context value payload" "$err"

"$jsone" render >/dev/null 2>&1
check "usage error exit code" "2" "$?"
"$jsone" render "$work/missing.json" >/dev/null 2>&1
check "missing file exit code" "2" "$?"

printf '%s\n' '{"template": {"$eval": "x * 2"}, "context": {"x": 21}}' \
  '{"template": {"$eval": "x"}}' '{"template": {"$if": "false", "then": 1}}' > "$work/lines.txt"
out="$("$jsone" batch < "$work/lines.txt")"
check "batch writes one line per input" '{"result":42}
{"error":"InterpreterError: unknown context value x"}
{"result":null}' "$out"

"$jsone" batch --repeat 4 < "$work/lines.txt" > "$work/out.txt" 2> "$work/stats.txt"
check "batch --repeat keeps the output" "$out" "$(cat "$work/out.txt")"
check "batch --repeat reports renders" "1" \
  "$(grep -c '^{"ns_per_render":[0-9.e+]*,"renders":12}$' "$work/stats.txt")"

"$jsone" batch --repeat 0 < /dev/null >/dev/null 2>&1
check "batch --repeat 0 is a usage error" "2" "$?"

if (( failures > 0 )); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
