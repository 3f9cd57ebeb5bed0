#!/bin/bash
# localconfig writes an audit keyring into a new auth.json, and adds one to an auth.json written
# before the audit chain was keyed, keeping everything else.
set -euo pipefail
bin="$TEST_SRCDIR/$TEST_WORKSPACE/tools/localconfig/localconfig"
dir="$TEST_TMPDIR/fresh"
mkdir -p "$dir"
"$bin" --dir="$dir" >/dev/null
python3 - "$dir/config/auth.json" <<'PY'
import base64, json, sys
c = json.load(open(sys.argv[1]))
keys = c["auditKeys"]
assert len(keys) == 1 and keys[0]["id"] == "local-audit-1", keys
assert len(base64.b64decode(keys[0]["key"], validate=True)) >= 32
assert keys[0]["key"] != c["tokenKeys"][0]["key"], "the audit key must be its own"
PY

old="$TEST_TMPDIR/old"
mkdir -p "$old/config"
python3 - "$dir/config/auth.json" "$old/config/auth.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
del c["auditKeys"]
json.dump(c, open(sys.argv[2], "w"))
PY
out=$("$bin" --dir="$old")
case "$out" in *"added an audit key"*) ;; *) echo "no notice: $out"; exit 1 ;; esac
python3 - "$dir/config/auth.json" "$old/config/auth.json" <<'PY'
import json, sys
fresh, upgraded = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert upgraded["auditKeys"][0]["id"] == "local-audit-1"
assert upgraded["tokenKeys"] == fresh["tokenKeys"], "existing secrets must be kept"
assert upgraded["staticClients"] == fresh["staticClients"]
PY
# Running again changes nothing.
before=$(cat "$old/config/auth.json")
"$bin" --dir="$old" >/dev/null
[ "$before" == "$(cat "$old/config/auth.json")" ] || { echo "auth.json changed on a re-run"; exit 1; }
echo PASS
