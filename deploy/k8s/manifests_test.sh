#!/usr/bin/env bash
# Renders deploy/k8s/base with kubectl kustomize and checks the properties the deployment
# promises: every service has a 2-replica Deployment that mounts only its own Secrets (its
# configuration and its cert-manager certificate), runs as non-root on a read-only root
# filesystem with TLS gRPC readiness probes, a migration Job, an egress policy allowing exactly
# the service-to-service edges of ARCHITECTURE §1, and an ingress policy admitting exactly the
# services whose egress reaches it (plus labelled API clients).
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
  secrets=$( { grep -E "^ *secretName: " <<<"$d"; grep -A1 "secretKeyRef:" <<<"$d" | grep "name:"; } | sed 's/.*: //' | grep -vE "^bulwark-$svc(-tls)?$" | sort -u || true)
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
  for caller in auth queue hooks verifier worker-ci; do
    policy=$(doc NetworkPolicy "bulwark-$caller-egress")
    if grep -A3 -- "- podSelector:" <<<"$policy" | grep -q "app.kubernetes.io/name: bulwark-$svc\$"; then
      want="$want $caller"
    fi
  done
  want=$(tr ' ' '\n' <<<"$want" | { grep -v '^$' || true; } | sort | tr '\n' ' ' | sed 's/ $//')
  ingress=$(doc NetworkPolicy "bulwark-$svc-ingress")
  check "$svc: ingress policy exists" 'grep -q -- "- Ingress" <<<"$ingress"'
  allowed=$(grep -oE "app.kubernetes.io/name: bulwark-[a-z-]+" <<<"$ingress" | sed 's/.*bulwark-//' | { grep -v "^$svc$" || true; } | sort | tr '\n' ' ' | sed 's/ $//')
  check "$svc: ingress from exactly [${want}] (found [${allowed}])" '[ "$allowed" = "$want" ]'
done
auth=$(doc Deployment bulwark-auth)
check "auth: AuthenticateRequest only for queue, hooks and verifier certificates" \
  'grep -A1 "name: BULWARK_TLS_CLIENT_NAMES" <<<"$auth" | grep -q "value: queue,hooks,verifier"'
check "CA: Issuer bulwark-ca signs with the CA Secret" \
  'grep -A1 "^  ca:" <<<"$(doc Issuer bulwark-ca)" | grep -q "secretName: bulwark-ca"'
check "CA: Certificate bulwark-ca is a CA" 'grep -q "isCA: true" <<<"$(doc Certificate bulwark-ca)"' 
# The verifier's policy is data: a ConfigMap it mounts and names in BULWARK_POLICY.
d=$(doc Deployment bulwark-verifier)
check "verifier: policy ConfigMap exists" '[ -n "$(doc ConfigMap bulwark-verifier-policy)" ]'
check "verifier: mounts the policy ConfigMap" 'grep -A1 "configMap:" <<<"$d" | grep -q "name: bulwark-verifier-policy"'
check "verifier: BULWARK_POLICY names the mounted file" 'grep -A1 "name: BULWARK_POLICY" <<<"$d" | grep -q "/etc/bulwark-policy/policy.json"'
# The worker: its own Secret (credentials and signing key) and nothing else; root only with the
# capabilities to run tasks as another user; egress to the queue alone (no database, no auth).
d=$(doc Deployment bulwark-worker-ci)
check "worker: Deployment exists" '[ -n "$d" ]'
secrets=$(grep -E "^ *secretName: " <<<"$d" | sed 's/.*: //' | sort -u | tr '\n' ' ' | sed 's/ $//')
check "worker: mounts only its own Secrets (found [$secrets])" \
  '[ "$secrets" = "bulwark-worker-ci bulwark-worker-ci-tls" ]'
check "worker: verifies the queue against the deployment's CA" \
  'grep -q -- "--tls-ca=/etc/bulwark-tls/ca.crt" <<<"$d"'
check "worker: admits no ingress" '[ -n "$(doc NetworkPolicy bulwark-worker-ci-ingress)" ]'
check "worker: tasks run as an unprivileged user" 'grep -q -- "--task-user=nobody" <<<"$d"'
check "worker: all capabilities dropped but the task-switching ones" \
  'grep -q "drop: \[\"ALL\"\]" <<<"$d" || grep -A1 "drop:" <<<"$d" | grep -q ALL'
check "worker: no privilege escalation, read-only root" \
  'grep -q "allowPrivilegeEscalation: false" <<<"$d" && grep -q "readOnlyRootFilesystem: true" <<<"$d"'
check "worker: gRPC readiness probe on its health port" 'grep -A1 "readinessProbe:" <<<"$d" | grep -q "grpc:"'
policy=$(doc NetworkPolicy bulwark-worker-ci-egress)
allowed=$(grep -oE "app.kubernetes.io/name: [a-z-]+" <<<"$policy" | sed 's/.*: //' | { grep -v "^bulwark-worker-ci$" || true; } | sort | tr '\n' ' ' | sed 's/ $//')
check "worker: egress to exactly [bulwark-queue] (found [$allowed])" '[ "$allowed" = "bulwark-queue" ]'
worker_secret=$(doc Secret bulwark-worker-ci)
check "worker: its Secret holds its credentials and signing key only" \
  '[ "$(grep -cE "^  [a-z.-]+:" <<<"$(sed -n "/^stringData:/,\$p" <<<"$worker_secret")")" = 2 ]'

# Invariant 3: only auth's Secret carries token keys and static clients.
check "only auth holds config.json" '[ "$(grep -c "config.json:" <<<"$out")" = 1 ]'
exit $fail
