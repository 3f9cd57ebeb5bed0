// File: libraries/hawk/authenticator.h
//
// Authenticator: the credential pipeline of Taskcluster's signaturevalidator
// (auth.md §4.2-4.3) for Hawk over gRPC (ARCHITECTURE §2), with Taskcluster's
// messages, plus replay protection. The auth service runs it for
// AuthenticateRequest, TestAuthenticate and its own methods.
//
//   Authenticator::Dependencies deps;
//   deps.clients = &loader;
//   deps.expand = [&](absl::Span<const std::string> s) {
//     return resolver.Expand(s);
//   };
//   deps.clock = &Clock::Real();
//   deps.nonces = nonce_cache.get();
//   BULWARK_ASSIGN_OR_RETURN(auto authenticator,
//                            Authenticator::Create({}, std::move(deps)));
//   BULWARK_ASSIGN_OR_RETURN(
//       AuthResult result,
//       authenticator->AuthenticateGrpc("/bulwark.queue.v1.Queue/CreateTask",
//                                       authority, authorization));
//
// A request without an authorization header is anonymous ("no-auth"):
// scopes = expand([assume:anonymous]), expires = now + 15 minutes. Otherwise,
// in order:
//  1. Parse the header (header.h): a header over 4096 characters fails with
//     code INVALID_ARGUMENT, every other failure with UNAUTHENTICATED. id, ts,
//     nonce and mac are required ("Bad Request: Missing attributes").
//  2. Parse ext ("Failed to parse ext"). A truthy ext.certificate.issuer must
//     be a string ("ext.certificate.issuer must be a string") other than the
//     Hawk id ("... must differ from the supplied clientId"); it names the
//     issuer, whose key signs, and the Hawk id is then the credential's name.
//  3. Load the issuer (the Hawk id for permanent and unnamed temporary
//     credentials): "Client with clientId '<id>' not found", "... is
//     disabled", "Client with clientId: '<id>' has expired".
//  4. A truthy ext.certificate: CheckCertificate (certificate.h): shape,
//     start <= now + 5 min, expiry >= now - 5 min, span <= 31 days, the
//     clientId rule, the signature (constant time). The key becomes the
//     temporary access token; expires = min(client, certificate).
//  5. The MAC, with that key, compared in constant time ("Unauthorized: Bad
//     mac").
//  6. The certificate's scope checks (CheckCertificateScopes):
//     auth:create-client:<name> for named credentials, and the issuer's
//     expanded scopes satisfy every certificate scope. Scopes become the
//     certificate's scopes.
//  7. A present ext.authorizedScopes (even a falsy one: "", 0, false, null,
//     which Taskcluster ignores): an array ("ext.authorizedScopes must be
//     an array") of valid scopes ("... must be an array of valid scopes"),
//     satisfied by expand(scopes + assume:anonymous) ("Supplied credentials
//     do not satisfy authorizedScopes; ..."); scopes become authorizedScopes.
//  8. Scopes = expand(scopes + assume:anonymous).
//  9. |ts - now| <= clock skew ("Unauthorized: Stale timestamp"; ts must be
//     decimal digits).
// 10. The (id, ts, nonce) triple was not accepted before within the window
//     ("Unauthorized: replayed request", followed by the cache's reason in
//     parentheses when it gave one); it is then recorded until ts + skew. The
//     call's deadline bounds the wait for a shared cache.
//
// Deliberate differences from Taskcluster, none of which changes the outcome
// of a request whose MAC and certificate signature are valid:
//  - Taskcluster checks the certificate's scopes (6) before its signature, and
//    6-7 before the MAC, so anyone who knows a clientId can learn, without its
//    key, whether that client holds any scope they name (a forged certificate
//    naming it as issuer), and read its whole expanded scope set (the
//    authorizedScopes failure message). Here nothing that depends on a
//    client's scopes is revealed before the signature and the MAC are
//    verified.
//  - A non-numeric ts is stale (hawk's NaN comparison lets it through); ext
//    must be a JSON object; a certificate signature of another length fails
//    with the usual message.
//  - Steps 9-10 are new (replay) or configurable (the skew; Taskcluster fixes
//    15 minutes).
//  - Bewits (signed URLs) do not exist on gRPC and are not supported.
//
// Thread-safety: Authenticate is const and thread-safe when the dependencies
// are. Errors: Create returns INVALID_ARGUMENT for a missing dependency or a
// non-positive skew. Authenticate reports authentication failures in
// AuthResult, never as a Status; a non-OK Status means a dependency failed
// (the loader's or nonce cache's error, e.g. UNAVAILABLE, or RESOURCE_EXHAUSTED
// from a replay cache full of live nonces, passed through; a
// dependency error that would read as an authentication outcome,
// UNAUTHENTICATED or INVALID_ARGUMENT, is reported as INTERNAL).

#ifndef BULWARK_LIBRARIES_HAWK_AUTHENTICATOR_H_
#define BULWARK_LIBRARIES_HAWK_AUTHENTICATOR_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "libraries/clock/clock.h"
#include "libraries/hawk/client_loader.h"
#include "libraries/hawk/nonce_cache.h"
#include "libraries/hawk/request.h"

namespace bulwark::hawk {

// The role every caller holds (auth.md §4.3 step 6).
inline constexpr absl::string_view kAnonymousRole = "assume:anonymous";

// Role expansion: the sorted, normalized expansion of `scopes`, the inputs
// included (Resolver::Expand). Must be thread-safe. The authenticator relies on
// expansion distributing over union: for a client whose loaded scopes are
// already expanded (and normalized), the final scopes are merge(client scopes,
// expand([assume:anonymous])), which saves re-expanding the client's whole set
// on every request.
using ScopeExpander = std::function<std::vector<std::string>(absl::Span<const std::string> scopes)>;

struct AuthResult {
  enum class Outcome { kSuccess, kFailed, kNoAuth };
  Outcome outcome = Outcome::kFailed;

  // kSuccess: the Hawk id (the credential's name for named temporary
  // credentials).
  std::string client_id;
  // kSuccess: the client whose key signed (differs from client_id only for
  // named temporary credentials).
  std::string issuer;
  // kSuccess, kNoAuth: final, expanded, sorted and normalized.
  std::vector<std::string> scopes;
  // kSuccess: min(client, certificate) expiry; kNoAuth: now + 15 minutes.
  absl::Time expires;
  // kSuccess: the payload hash the caller signed, or empty.
  std::string hash;
  // kSuccess: the authorizedScopes the caller restricted itself to, as sent.
  std::optional<std::vector<std::string>> authorized_scopes;
  // kSuccess: whether a certificate (temporary credentials) was used.
  bool temporary = false;

  // kFailed: why, in Taskcluster's words.
  std::string message;
  // kFailed: INVALID_ARGUMENT for a malformed request (header over 4096
  // characters, invalid authority), UNAUTHENTICATED otherwise.
  absl::StatusCode failure_code = absl::StatusCode::kUnauthenticated;

  bool ok() const { return outcome != Outcome::kFailed; }
  // OK unless kFailed; then failure_code with `message`.
  absl::Status status() const;
};

class Authenticator {
 public:
  struct Options {
    // Allowed difference between a request's ts and now, either way.
    absl::Duration clock_skew = absl::Minutes(15);
  };
  // Borrowed; each must outlive the Authenticator. `nonces` may be null (no
  // replay check).
  struct Dependencies {
    const ClientLoader* clients = nullptr;
    ScopeExpander expand;
    const Clock* clock = nullptr;
    NonceCache* nonces = nullptr;
  };

  static absl::StatusOr<std::unique_ptr<Authenticator>> Create(Options options,
                                                               Dependencies dependencies);

  absl::StatusOr<AuthResult> Authenticate(const Request& request) const;

  // Authenticate for a gRPC call: method POST, resource = the method path, host
  // and port from the authority (ParseAuthority; an invalid one fails with
  // INVALID_ARGUMENT "Bad Request: Invalid Host header" when a header is
  // present). An empty authorization is no-auth.
  // `deadline` (the call's) bounds the client lookup. `payload_hash` and
  // `payload_hash_required` as in Request (step 5b).
  // `on_verified`, when given, runs on the calling thread with the result once steps 1-9 have
  // succeeded, before step 10 (the auth service notes the client's use there: a request refused
  // as a replay still carried a valid signature); it must not call back into the Authenticator.
  using OnVerified = std::function<void(const AuthResult&)>;
  absl::StatusOr<AuthResult> AuthenticateGrpc(
      absl::string_view method_path, absl::string_view authority, absl::string_view authorization,
      absl::Time deadline = absl::InfiniteFuture(),
      std::optional<std::string> payload_hash = std::nullopt, bool payload_hash_required = false,
      const OnVerified& on_verified = nullptr) const;

  // AuthenticateGrpc with the answer handed to `done`: steps 1-9 run on the calling thread, and
  // step 10 through the nonce cache's RecordAsync, so that the thread need not wait for a shared
  // store; `done` runs exactly once, on this thread or on the cache's (it must not block). The
  // same answers as AuthenticateGrpc.
  using Done = absl::AnyInvocable<void(absl::StatusOr<AuthResult>) &&>;
  void AuthenticateGrpcAsync(absl::string_view method_path, absl::string_view authority,
                             absl::string_view authorization, absl::Time deadline,
                             std::optional<std::string> payload_hash, bool payload_hash_required,
                             Done done, const OnVerified& on_verified = nullptr) const;

 private:
  // Step 10's question, asked after steps 1-9 succeeded.
  struct Replay {
    std::string id, ts, nonce;
    absl::Time now, forget_after, deadline;
  };
  struct Verified {
    AuthResult result;
    std::optional<Replay> replay;  // none without a nonce cache
  };

  Authenticator(Options options, Dependencies dependencies)
      : options_(options), deps_(std::move(dependencies)) {}

  AuthResult NoAuth() const;
  // expand(scopes + assume:anonymous); `expanded` says `scopes` is a client's
  // expansion.
  std::vector<std::string> ExpandWithAnonymous(absl::Span<const std::string> scopes,
                                               bool expanded) const;
  // A gRPC call's Request in `request`, or its answer when there is nothing to
  // verify (no-auth, an invalid authority).
  std::optional<AuthResult> GrpcRequest(absl::string_view method_path, absl::string_view authority,
                                        absl::string_view authorization, absl::Time deadline,
                                        std::optional<std::string> payload_hash,
                                        bool payload_hash_required, Request& request) const;
  // Authenticate, with `on_verified` (AuthenticateGrpc).
  absl::StatusOr<AuthResult> AuthenticateWith(const Request& request,
                                              const OnVerified& on_verified) const;
  // Steps 1-9 of the pipeline; UNAUTHENTICATED / INVALID_ARGUMENT are
  // authentication failures, anything else a dependency failure.
  absl::StatusOr<Verified> Verify(const Request& request) const;
  absl::StatusOr<std::shared_ptr<const ClientRecord>> LoadClient(absl::string_view client_id,
                                                                 absl::Time deadline,
                                                                 absl::Time now) const;

  const Options options_;
  const Dependencies deps_;
};

}  // namespace bulwark::hawk

#endif  // BULWARK_LIBRARIES_HAWK_AUTHENTICATOR_H_
