#!/bin/bash
# The scopes_tool interface: expand output, role validation errors, the bench line, algebra.
set -euo pipefail
tool="$1"
work="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*"; exit 1; }

cat > "$work/w.json" <<'JSON'
{"roles": [{"roleId": "a*", "scopes": ["A<..>X", "assume:b"]}, {"roleId": "b", "scopes": ["B"]}],
 "queries": [["assume:abc"], ["x", "assume:a*"], []]}
JSON
out="$("$tool" expand --workload "$work/w.json")"
expected='["AbcX","B","assume:abc","assume:b"]
["A*","B","assume:a*","assume:b","x"]
[]'
[[ "$out" == "$expected" ]] || fail "expand printed: $out"
out="$("$tool" expand --workload "$work/w.json" --normalized)"
[[ "$out" == "$expected" ]] || fail "expand --normalized printed: $out"

cat > "$work/cycle.json" <<'JSON'
{"roles": [{"roleId": "abc", "scopes": ["assume:ab*"]}], "queries": [["assume:abc"]]}
JSON
set +e
out="$("$tool" expand --workload "$work/cycle.json")"
status=$?
set -e
[[ $status -eq 1 ]] || fail "a cycle must exit 1, got $status"
[[ "$out" == "{\"error\":\"Roles may not contain dependency cycles, found: 'assume:abc' -> 'assume:abc'\"}" ]] ||
  fail "cycle printed: $out"

out="$("$tool" expand --workload "$work/w.json" --bench)"
[[ "$out" =~ ^\{\"roles\":2,\"queries\":3,\"build_ms\":[0-9.e-]+,\"expand_all_ms\":[0-9.e-]+,\"expand_ns_per_query\":[0-9]+,\"expand_all_strings_ms\":[0-9.e-]+,\"expand_all_normalized_ms\":[0-9.e-]+,\"update_one_role_ms\":[0-9.e-]+\}$ ]] ||
  fail "bench printed: $out"

out="$(printf '%s\n' '{"op":"normalize","scopes":["b","a*","ab"]}' 'not json' '{"op":"nope"}' | "$tool" algebra)"
expected='{"result":["a*","b"]}
{"error":"invalid JSON"}
{"error":"unknown op"}'
[[ "$out" == "$expected" ]] || fail "algebra printed: $out"

"$tool" workload --kind deployment > "$work/d.json"
lines="$("$tool" expand --workload "$work/d.json" | wc -l)"
[[ "$lines" -eq 361 ]] || fail "deployment workload expanded to $lines lines"
echo PASS
