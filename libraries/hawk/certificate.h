// File: libraries/hawk/certificate.h
//
// Taskcluster temporary credentials, certificate version 1 (auth.md §4.3 step
// 4 and §4.4): creation exactly as taskcluster-client's
// createTemporaryCredentials makes them (named and unnamed), and the
// server-side checks of a certificate received in ext.
//
// A certificate is {version: 1, scopes, start, expiry (ms since the epoch),
// seed (two slugids, 44 characters), signature, issuer (named credentials
// only)}. The signature is base64(HMAC-SHA256(issuer's accessToken, text)),
// where text is these lines joined by "\n": "version:1", ["clientId:<name>",
// "issuer:<issuer>",] "seed:<seed>", "start:<ms>", "expiry:<ms>", "scopes:",
// then one line per scope. The temporary access token is
// base64url-without-padding(HMAC-SHA256(issuer's accessToken, seed)).
//
//   TemporaryCredentialsOptions options;
//   options.start = now;
//   options.expiry = now + absl::Hours(1);
//   options.scopes = {"queue:*"};
//   BULWARK_ASSIGN_OR_RETURN(
//       Credentials temp, CreateTemporaryCredentials(root, options, random));
//
// Verification is split in two, so that nothing about the issuer's scopes is
// revealed to a caller that has not proven it holds the key (authenticator.h):
//  - CheckCertificate: the checks that need no scopes (shape, times, the
//    clientId rule of unnamed certificates, the signature), returning the
//    temporary key and expiry;
//  - CheckCertificateScopes: the issuer may create the name (named
//    credentials; a name under static/ is refused whatever the scopes, so no
//    one can pass for the deployment's own clients) and holds every
//    certificate scope.
//
// Thread-safety: pure functions (CreateTemporaryCredentials uses the Random it
// is given). Errors: CreateTemporaryCredentials returns INVALID_ARGUMENT for
// issuer credentials that are themselves temporary or lack a clientId or
// accessToken, expiry before start, a span over 31 days, an invalid scope, or
// a name equal to the issuer. The checks return UNAUTHENTICATED with
// Taskcluster's messages ("ext.certificate.version must be 1", ...), listed in
// the .cc file.

#ifndef BULWARK_LIBRARIES_HAWK_CERTIFICATE_H_
#define BULWARK_LIBRARIES_HAWK_CERTIFICATE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "libraries/crypto/random.h"
#include "libraries/hawk/credentials.h"
#include "nlohmann/json.hpp"

namespace bulwark::hawk {

// The longest a certificate may last (expiry - start).
inline constexpr absl::Duration kMaxCertificateSpan = absl::Hours(31 * 24);
// How far start may lie in the future, and expiry in the past, when a
// certificate is used.
inline constexpr absl::Duration kCertificateSlack = absl::Minutes(5);

struct TemporaryCredentialsOptions {
  absl::Time start;
  absl::Time expiry;
  std::vector<std::string> scopes;
  // Non-empty for named temporary credentials: the Hawk id they are used under.
  // The issuer then needs the scope auth:create-client:<name>.
  std::string name;
};

// Credentials whose certificate is signed by `issuer` (permanent credentials).
// The result's client_id is the name, or the issuer's clientId for unnamed
// credentials; its certificate is JSON text with the fields in
// taskcluster-client's order. `issuer.authorized_scopes` is not part of the
// certificate and is not copied.
absl::StatusOr<Credentials> CreateTemporaryCredentials(const Credentials& issuer,
                                                       const TemporaryCredentialsOptions& options,
                                                       Random& random);

// The signature text of a certificate (the lines above, joined by "\n").
std::string CertificateSignatureText(absl::string_view name, absl::string_view issuer,
                                     absl::string_view seed, absl::string_view start,
                                     absl::string_view expiry,
                                     absl::Span<const std::string> scopes);

// base64url-without-padding(HMAC-SHA256(issuer_token, seed)).
std::string TemporaryAccessToken(absl::string_view issuer_token, absl::string_view seed);

// What a certificate grants, once CheckCertificate accepted it.
struct CheckedCertificate {
  // The Hawk key of requests made with these credentials.
  std::string access_token;
  absl::Time expiry;
  // As listed in the certificate (unexpanded).
  std::vector<std::string> scopes;
};

// The checks of a certificate that need no scopes, in Taskcluster's order.
// `certificate` is ext.certificate (any JSON value that is truthy in
// JavaScript); `credential_name` is the Hawk id and `issuer_id` the client
// whose `issuer_token` signs it (equal for unnamed credentials). `now` is the
// current time.
absl::StatusOr<CheckedCertificate> CheckCertificate(const nlohmann::json& certificate,
                                                    absl::string_view credential_name,
                                                    absl::string_view issuer_id,
                                                    absl::string_view issuer_token, absl::Time now);

// The scope checks of an accepted certificate against the issuer's expanded
// scopes.
absl::Status CheckCertificateScopes(const CheckedCertificate& certificate,
                                    absl::string_view credential_name, absl::string_view issuer_id,
                                    absl::Span<const std::string> issuer_scopes);

}  // namespace bulwark::hawk

#endif  // BULWARK_LIBRARIES_HAWK_CERTIFICATE_H_
