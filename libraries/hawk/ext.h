// File: libraries/hawk/ext.h
//
// Taskcluster's Hawk `ext`: base64 of a JSON object that may carry
// `certificate` (temporary credentials, auth.md §4.4) and `authorizedScopes`
// (a restriction of the request's scopes). Unknown fields are ignored by the
// verifier, for forward compatibility.
//
//   // "" when there is nothing to send:
//   BULWARK_ASSIGN_OR_RETURN(std::string ext, BuildExt(credentials));
//   BULWARK_ASSIGN_OR_RETURN(nlohmann::json parsed, DecodeExt(ext));
//
// Thread-safety: pure functions.
// Errors: DecodeExt returns UNAUTHENTICATED "Failed to parse ext" when `ext`
// is not base64 (the standard or the URL-safe alphabet, padding optional) of
// UTF-8 JSON text whose value is an object. (Taskcluster accepts any JSON
// value there; a non-object carries neither field, and `null` crashes its
// validator, so Bulwark refuses non-objects.) BuildExt returns
// INVALID_ARGUMENT when the certificate is not JSON text of an object, or an
// authorized scope is not a valid scope (so a client cannot silently send
// wider requests than it asked for, Taskcluster issue #9031).

#ifndef BULWARK_LIBRARIES_HAWK_EXT_H_
#define BULWARK_LIBRARIES_HAWK_EXT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libraries/hawk/credentials.h"
#include "nlohmann/json.hpp"

namespace bulwark::hawk {

// base64(JSON text of `ext`), as taskcluster-client writes it.
std::string EncodeExt(const nlohmann::json& ext);

// The ext for requests signed with `credentials`: {"certificate": <object>}
// when it has a certificate and {"authorizedScopes": [...]} when it has
// authorized scopes (both, or "" when neither, like taskcluster-client).
absl::StatusOr<std::string> BuildExt(const Credentials& credentials);

// The JSON object inside an ext attribute.
absl::StatusOr<nlohmann::json> DecodeExt(absl::string_view ext);

}  // namespace bulwark::hawk

#endif  // BULWARK_LIBRARIES_HAWK_EXT_H_
