#!/usr/bin/env bash
# Renders deploy/k8s/base with kubectl kustomize and checks the properties the deployment
# promises: every service has a 2-replica Deployment that mounts only its own Secrets (its
# configuration and its cert-manager certificate), runs as non-root on a read-only root
# filesystem with TLS gRPC readiness probes, a migration Job, an egress policy allowing exactly
# the service-to-service edges of ARCHITECTURE §1, and an ingress policy admitting exactly the
# services whose egress reaches it (plus labelled API clients); and for the chain of trust, that
# only the privileged signing worker reaches the verifier (and is admitted by it), that it runs
# with --verify-task-type, and that only the verifier mounts its attestation signing keyring.
set -euo pipefail
command -v kubectl >/dev/null || { echo "FAIL: kubectl is needed to render the manifests"; exit 1; }
dir=$(dirname "$0")/base
# kustomize ignores symlinks, and Bazel's runfiles are symlinks: render from a real copy.
if [ -n "${TEST_TMPDIR:-}" ]; then
  cp -rL "$dir" "$TEST_TMPDIR/base"
  dir="$TEST_TMPDIR/base"
fi
out=$(kubectl kustomize "$dir")
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }
# Splits the rendered stream into documents and prints the one of kind $1 named $2.
doc() { awk -v kind="$1" -v name="$2" 'BEGIN{RS="\n---\n"} ($0 "\n") ~ "\nkind: " kind "\n" && ($0 "\n") ~ "\n  name: " name "\n"' <<<"$out"; }
# The rules of a rendered NetworkPolicy ($1) in section $2 (egress or ingress), one line each,
# sorted: "peers=[<peer>,...] ports=[<port>/<protocol>,...]", a peer being its selectors'
# key=value pairs joined by "+" (pod: podSelector labels, ns: namespaceSelector, ipBlock: ...),
# "any" for a rule without peers or ports. Every field of a peer shows, so any added selector,
# ipBlock, open rule or port changes the line.
rules() {
  awk -v sect="$2" '
    function add(list, item) { return list == "" ? item : list "," item }
    function flush_port() { if (port != "") ports = add(ports, port "/" proto); port = ""; proto = "TCP" }
    function flush_peer() { if (peer != "") peers = add(peers, peer); peer = "" }
    function sorted(list,   n, a, i, j, t, r) {
      n = split(list, a, ",")
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
      r = ""; for (i = 1; i <= n; i++) r = add(r, a[i]); return r
    }
    function flush_rule() {
      if (inrule) {
        flush_port(); flush_peer()
        print "peers=[" (peers == "" ? "any" : sorted(peers)) "] ports=[" (ports == "" ? "any" : sorted(ports)) "]"
      }
      inrule = 0; peers = ""; ports = ""; peer = ""; port = ""; proto = "TCP"; field = ""
    }
    $0 ~ "^  " sect ":" { insect = 1; next }
    insect && /^  ?[a-zA-Z]/ { flush_rule(); insect = 0 }
    !insect { next }
    /^  - / { flush_rule(); inrule = 1; sub(/^  - /, "    ") }
    /^    [a-zA-Z]+:/ {
      flush_port(); flush_peer(); field = $1; sub(/:$/, "", field)
      if ($2 == "[]") field = field "-none"
      next
    }
    /^    - / {
      sub(/^    - /, "      ")
      if (field == "ports") flush_port(); else flush_peer()
    }
    field == "ports" && /^      port:/ { port = $2 }
    field == "ports" && /^      protocol:/ { proto = $2 }
    field == "ports" && /^      endPort:/ { port = port "-" $2 }
    (field == "to" || field == "from") && /^      [a-zA-Z]+:/ {
      ctx = $1; sub(/:$/, "", ctx)
      ctx = ctx == "podSelector" ? "pod" : ctx == "namespaceSelector" ? "ns" : ctx
      if (NF > 1) { v = $0; sub(/^ *[a-zA-Z]+: */, "", v); peer = peer (peer == "" ? "" : "+") ctx "=" v }
      next
    }
    (field == "to" || field == "from") && /^        +[^ ].*: / {
      k = $1; sub(/:$/, "", k); v = $0; sub(/^ *[^ ]+: */, "", v); gsub(/"/, "", v)
      if (k != "matchLabels") peer = peer (peer == "" ? "" : "+") ctx ":" k "=" v
    }
    END { flush_rule() }
  ' <<<"$1" | sort
}
declare -A calls=([auth]="" [queue]="auth" [hooks]="auth queue" [verifier]="auth queue hooks")
for svc in auth queue hooks verifier; do
  d=$(doc Deployment "bulwark-$svc")
  check "$svc: Deployment exists" '[ -n "$d" ]'
  check "$svc: 2 replicas" 'grep -q "replicas: 2" <<<"$d"'
  check "$svc: non-root" 'grep -q "runAsNonRoot: true" <<<"$d"'
  check "$svc: read-only root filesystem" 'grep -q "readOnlyRootFilesystem: true" <<<"$d"'
  check "$svc: TLS gRPC readiness probe (healthcheck with the CA)" \
    'grep -A6 "readinessProbe:" <<<"$d" | grep -q "healthcheck" && grep -A6 "readinessProbe:" <<<"$d" | grep -q -- "--ca=/etc/bulwark-tls/ca.crt"'
  # Clean shutdown (issue 14 item 6): preStop waits while the endpoint goes away, the server's
  # lame duck and drain follow, and the grace period covers all three.
  pre=$(grep -A3 "preStop:" <<<"$d" | grep -oE "seconds: [0-9]+" | grep -oE "[0-9]+" || true)
  lame=$(grep -oE -- "--lame-duck=[0-9]+s" <<<"$d" | grep -oE "[0-9]+" || true)
  drain=$(grep -oE -- "--drain-deadline=[0-9]+s" <<<"$d" | grep -oE "[0-9]+" || echo 10)
  grace=$(grep -oE "terminationGracePeriodSeconds: [0-9]+" <<<"$d" | grep -oE "[0-9]+" || echo 30)
  check "$svc: preStop sleep (found ${pre:-none})" '[ -n "$pre" ] && [ "$pre" -ge 1 ]'
  check "$svc: --lame-duck set (found ${lame:-none})" '[ -n "$lame" ] && [ "$lame" -ge 1 ]'
  check "$svc: grace ${grace}s covers preStop + lame duck + drain" \
    '[ -n "$pre" ] && [ -n "$lame" ] && [ "$grace" -gt $((pre + lame + drain)) ]'
  # The verifier's attestation signing keyring is a Secret of its own (issue 16).
  own="^bulwark-$svc(-tls)?$"; [ "$svc" != verifier ] || own="^bulwark-verifier(-tls|-attestation)?$"
  secrets=$( { grep -E "^ *secretName: " <<<"$d"; grep -A1 "secretKeyRef:" <<<"$d" | grep "name:"; } | sed 's/.*: //' | grep -vE "$own" | sort -u || true)
  check "$svc: uses only its own Secret (found: ${secrets:-none other})" '[ -z "$secrets" ]'
  check "$svc: migration Job" '[ -n "$(doc Job "bulwark-$svc-migrate")" ]'
  policy=$(doc NetworkPolicy "bulwark-$svc-egress")
  allowed=$(grep -oE "app.kubernetes.io/name: bulwark-[a-z]+" <<<"$policy" | sed 's/.*bulwark-//' | { grep -v "^$svc$" || true; } | sort | tr '\n' ' ' | sed 's/ $//')
  want=$(tr ' ' '\n' <<<"${calls[$svc]}" | { grep -v '^$' || true; } | sort | tr '\n' ' ' | sed 's/ $//')
  check "$svc: egress to exactly [${want}] (found [${allowed}])" '[ "$allowed" = "$want" ]'
  # TLS: a cert-manager Certificate from the deployment's CA, usable for mutual TLS, mounted
  # and passed to the service.
  cert=$(doc Certificate "bulwark-$svc-tls")
  check "$svc: Certificate from Issuer bulwark-ca" \
    'grep -q "secretName: bulwark-$svc-tls" <<<"$cert" && grep -A2 "issuerRef:" <<<"$cert" | grep -q "name: bulwark-ca"'
  check "$svc: certificate names the service and allows client auth" \
    'grep -q "commonName: $svc\$" <<<"$cert" && grep -q "client auth" <<<"$cert" && grep -q "server auth" <<<"$cert"'
  check "$svc: mounts its certificate Secret" 'grep -q "secretName: bulwark-$svc-tls" <<<"$d"'
  check "$svc: serves TLS with CA (BULWARK_TLS_CERT/KEY/CA)" \
    'grep -q "name: BULWARK_TLS_CERT" <<<"$d" && grep -q "name: BULWARK_TLS_KEY" <<<"$d" && grep -q "name: BULWARK_TLS_CA" <<<"$d" && ! grep -q -- "--plaintext" <<<"$d"'
done
# Ingress matches egress: each service admits exactly the pods whose egress policy reaches it.
for svc in auth queue hooks verifier; do
  want=""
  for caller in auth queue hooks verifier worker-ci worker-signing; do
    policy=$(doc NetworkPolicy "bulwark-$caller-egress")
    if grep -A3 -- "- podSelector:" <<<"$policy" | grep -q "app.kubernetes.io/name: bulwark-$svc\$"; then
      want="$want $caller"
    fi
  done
  want=$(tr ' ' '\n' <<<"$want" | { grep -v '^$' || true; } | sort | tr '\n' ' ' | sed 's/ $//')
  ingress=$(doc NetworkPolicy "bulwark-$svc-ingress")
  check "$svc: ingress policy exists" 'grep -q -- "- Ingress" <<<"$ingress"'
  # The rules only (the policy's own podSelector names the service itself).
  allowed=$(rules "$ingress" ingress | grep -oE "app.kubernetes.io/name=bulwark-[a-z-]+" | sed 's/.*bulwark-//' | sort -u | tr '\n' ' ' | sed 's/ $//')
  check "$svc: ingress from exactly [${want}] (found [${allowed}])" '[ "$allowed" = "$want" ]'
done
auth=$(doc Deployment bulwark-auth)
check "auth: AuthenticateRequest only for queue, hooks and verifier certificates" \
  'grep -A1 "name: BULWARK_TLS_CLIENT_NAMES" <<<"$auth" | grep -q "value: queue,hooks,verifier"'
# Partitioned replay protection: auth replicas reach each other, by pod IP, on auth's port.
check "auth: replicas reach each other (egress and ingress bulwark-auth on 50051)" \
  'rules "$(doc NetworkPolicy bulwark-auth-egress)" egress | grep -qx "peers=\[pod:app.kubernetes.io/name=bulwark-auth\] ports=\[50051/TCP\]" && rules "$(doc NetworkPolicy bulwark-auth-ingress)" ingress | grep "pod:app.kubernetes.io/name=bulwark-auth[],]" | grep -q "ports=\[50051/TCP\]"'
check "auth: BULWARK_REPLICA_ADDRESS is the pod IP on 50051" \
  'grep -A1 "name: BULWARK_REPLICA_ADDRESS" <<<"$auth" | grep -q "value: \$(POD_IP):50051" && grep -A3 "name: POD_IP" <<<"$auth" | grep -q "fieldPath: status.podIP"'
check "CA: Issuer bulwark-ca signs with the CA Secret" \
  'grep -A1 "^  ca:" <<<"$(doc Issuer bulwark-ca)" | grep -q "secretName: bulwark-ca"'
check "CA: Certificate bulwark-ca is a CA" 'grep -q "isCA: true" <<<"$(doc Certificate bulwark-ca)"' 
# The verifier's policy is data: a ConfigMap it mounts and names in BULWARK_POLICY.
d=$(doc Deployment bulwark-verifier)
check "verifier: policy ConfigMap exists" '[ -n "$(doc ConfigMap bulwark-verifier-policy)" ]'
check "verifier: mounts the policy ConfigMap" 'grep -A1 "configMap:" <<<"$d" | grep -q "name: bulwark-verifier-policy"'
check "verifier: BULWARK_POLICY names the mounted file" 'grep -A1 "name: BULWARK_POLICY" <<<"$d" | grep -q "/etc/bulwark-policy/policy.json"'
# The workers (ci: worker.yaml; the privileged signing worker: worker-signing.yaml): each its own
# Secret (credentials and signing key) and nothing else; root only with the capabilities to run
# tasks as another user; no ingress.
for w in ci signing; do
  d=$(doc Deployment "bulwark-worker-$w")
  check "worker-$w: Deployment exists" '[ -n "$d" ]'
  secrets=$(grep -E "^ *secretName: " <<<"$d" | sed 's/.*: //' | sort -u | tr '\n' ' ' | sed 's/ $//')
  check "worker-$w: mounts only its own Secrets (found [$secrets])" \
    '[ "$secrets" = "bulwark-worker-$w bulwark-worker-$w-tls" ]'
  check "worker-$w: verifies the services it dials against the deployment's CA" \
    'grep -q -- "--tls-ca=/etc/bulwark-tls/ca.crt" <<<"$d"'
  check "worker-$w: admits no ingress" \
    'grep -q -- "- Ingress" <<<"$(doc NetworkPolicy "bulwark-worker-$w-ingress")" && [ -z "$(rules "$(doc NetworkPolicy "bulwark-worker-$w-ingress")" ingress)" ]'
  check "worker-$w: tasks run as an unprivileged user" 'grep -q -- "--task-user=nobody" <<<"$d"'
  check "worker-$w: all capabilities dropped but the task-switching ones" \
    'grep -q "drop: \[\"ALL\"\]" <<<"$d" || grep -A1 "drop:" <<<"$d" | grep -q ALL'
  check "worker-$w: no privilege escalation, read-only root" \
    'grep -q "allowPrivilegeEscalation: false" <<<"$d" && grep -q "readOnlyRootFilesystem: true" <<<"$d"'
  check "worker-$w: gRPC readiness probe on its health port" 'grep -A1 "readinessProbe:" <<<"$d" | grep -q "grpc:"'
  check "worker-$w: not labelled an API client (the verifier would admit it)" \
    '! grep -q "bulwark.dev/api-client" <<<"$d"'
  worker_secret=$(doc Secret "bulwark-worker-$w")
  check "worker-$w: its Secret holds its credentials and signing key only" \
    '[ "$(grep -cE "^  [a-z.-]+:" <<<"$(sed -n "/^stringData:/,\$p" <<<"$worker_secret")")" = 2 ]'
done
dns="peers=[any] ports=[53/TCP,53/UDP]"
queue_rule="peers=[pod:app.kubernetes.io/name=bulwark-queue] ports=[50052/TCP]"
verifier_rule="peers=[pod:app.kubernetes.io/name=bulwark-verifier] ports=[50054/TCP]"
# The ci worker: DNS and the queue, and never the verifier (only a privileged pool verifies).
ci_egress=$(rules "$(doc NetworkPolicy bulwark-worker-ci-egress)" egress)
check "worker-ci: egress to exactly DNS and the queue (found: $(tr '\n' ';' <<<"$ci_egress"))" \
  '[ "$ci_egress" = "$(printf "%s\n" "$dns" "$queue_rule" | sort)" ]'
check "worker-ci: egress does not admit the verifier" \
  '[ -n "$ci_egress" ] && ! grep -qE "bulwark-verifier|50054|ports=\[any\]" <<<"$ci_egress"'
d=$(doc Deployment bulwark-worker-ci)
check "worker-ci: does not verify (no --verify-task-type)" '! grep -q -- "--verify-task-type" <<<"$d"'
# The signing worker: a privileged pool; DNS, the queue and the verifier, nothing else.
signing_egress=$(rules "$(doc NetworkPolicy bulwark-worker-signing-egress)" egress)
check "worker-signing: egress to exactly DNS, the queue and the verifier (found: $(tr '\n' ';' <<<"$signing_egress"))" \
  '[ "$signing_egress" = "$(printf "%s\n" "$dns" "$queue_rule" "$verifier_rule" | sort)" ]'
d=$(doc Deployment bulwark-worker-signing)
check "worker-signing: pool proj-demo/signing" 'grep -q -- "--worker-pool=proj-demo/signing$" <<<"$d"'
check "worker-signing: runs with --verify-task-type=signing" 'grep -q -- "- --verify-task-type=signing$" <<<"$d"'
check "worker-signing: dials the verifier's Service (verifier:50054)" \
  'grep -q -- "- --verifier=verifier:50054$" <<<"$d" && grep -q "port: 50054" <<<"$(doc Service verifier)"'
check "worker-signing: its client holds verifier:verify-task:signing" \
  'grep -q "verifier:verify-task:signing" <<<"$(doc Secret bulwark-worker-signing)"'
check "worker-signing: a Certificate from Issuer bulwark-ca" \
  'grep -A2 "issuerRef:" <<<"$(doc Certificate bulwark-worker-signing-tls)" | grep -q "name: bulwark-ca"'
# The verifier admits the signing worker by its pod label, labelled API clients, and nobody else
# (not the ci worker).
verifier_ingress=$(rules "$(doc NetworkPolicy bulwark-verifier-ingress)" ingress)
check "verifier: ingress admits the signing worker (found: $(tr '\n' ';' <<<"$verifier_ingress"))" \
  'grep -qx "peers=\[pod:app.kubernetes.io/name=bulwark-worker-signing\] ports=\[50054/TCP\]" <<<"$verifier_ingress"'
check "verifier: ingress does not admit the ci worker" \
  '[ -n "$verifier_ingress" ] && ! grep -qE "bulwark-worker-ci|peers=\[any\]" <<<"$verifier_ingress"'
check "verifier: ingress admits only the signing worker and labelled API clients" \
  '[ "$verifier_ingress" = "$(printf "%s\n" "peers=[pod:app.kubernetes.io/name=bulwark-worker-signing] ports=[50054/TCP]" "peers=[ns={}+pod:bulwark.dev/api-client=true] ports=[50054/TCP]" | sort)" ]'
# The verifier's policy trusts a key for each worker pool, the signing pool's included.
policy_json=$(doc ConfigMap bulwark-verifier-policy)
worker_keys=$(sed -n '/"workerKeys": \[/,/^ *\],\{0,1\}$/p' <<<"$policy_json")
for pool in proj-demo/decision proj-demo/ci proj-demo/signing; do
  check "verifier: policy's workerKeys has a key for $pool (a REPLACE placeholder to fill)" \
    'grep -qF "\"pools\": [\"$pool\"]" <<<"$worker_keys"'
done
check "verifier: policy lets signing tasks run only in proj-demo/signing" \
  'grep -qF "\"signing\": {\"pools\": [\"proj-demo/signing\"]}" <<<"$policy_json"'
# The attestation signing keyring (issue 16): a Secret of the verifier's, mounted by it alone and
# named by BULWARK_ATTESTATION_KEYS (--attestation-keys).
check "verifier: attestation Secret holds attestation-keys.json" \
  'grep -q "^  attestation-keys.json:" <<<"$(doc Secret bulwark-verifier-attestation)"'
users=$(awk 'BEGIN{RS="\n---\n"} /bulwark-verifier-attestation/ && !/\nkind: Secret\n/ {
  k = $0; sub(/.*\nkind: /, "", k); sub(/\n.*/, "", k); n = $0; sub(/.*\nmetadata:\n([^\n]*\n)*  name: /, "", n); sub(/\n.*/, "", n); print k "/" n }' <<<"$out" | sort -u | tr '\n' ' ' | sed 's/ $//')
check "only the verifier mounts the attestation Secret (found [$users])" '[ "$users" = "Deployment/bulwark-verifier" ]'
d=$(doc Deployment bulwark-verifier)
# The volume of Secret $2 in Deployment $1, and where that volume is mounted.
volume_of() {
  awk -v secret="$2" '
    function done() { if (hit && name != "") print name; name = ""; hit = 0 }
    /^      volumes:/ { on = 1; next }
    on && /^      [a-zA-Z]/ { done(); on = 0 }
    !on { next }
    /^      - / { done() }
    /^      [- ] name: / { name = $NF }
    /^ +secretName: / && $2 == secret { hit = 1 }
    END { done() }' <<<"$1"
}
mount_of() {
  awk -v volume="$2" '
    function done() { if (name == volume && path != "") print path; name = ""; path = "" }
    /^ +- mountPath: / { done(); path = $NF; next }
    /^ +name: / && path != "" { name = $NF }
    /^ +- / { done() }
    END { done() }' <<<"$(sed -n "/volumeMounts:/,/^      [a-zA-Z]/p" <<<"$1")"
}
att_volume=$(volume_of "$d" bulwark-verifier-attestation)
att_dir=$(mount_of "$d" "${att_volume:-none}")
check "verifier: BULWARK_ATTESTATION_KEYS names the keyring in the mounted Secret (volume ${att_volume:-none} at ${att_dir:-none})" \
  '[ -n "$att_dir" ] && grep -A1 "name: BULWARK_ATTESTATION_KEYS" <<<"$d" | grep -q "value: $att_dir/attestation-keys.json"'

# Invariant 3: only auth's Secret carries token keys and static clients.
check "only auth holds config.json" '[ "$(grep -c "config.json:" <<<"$out")" = 1 ]'
exit $fail
