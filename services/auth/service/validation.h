// File: services/auth/service/validation.h
//
// Input rules of the auth API, each returning INVALID_ARGUMENT with a message naming the
// field: client ids (Taskcluster's ^[A-Za-z0-9!@/:.+|_-]+$), role ids (printable ASCII, not
// empty), descriptions (at most 10240 characters), scope lists (valid scopes; none may end in
// "**", which Taskcluster's API rejects for clients and roles), and continuation tokens.
//
// Thread-safety: pure functions.

#ifndef BULWARK_SERVICES_AUTH_SERVICE_VALIDATION_H_
#define BULWARK_SERVICES_AUTH_SERVICE_VALIDATION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/repeated_field.h"

namespace bulwark::auth {

absl::Status ValidateClientId(const std::string& client_id);
absl::Status ValidateRoleId(const std::string& role_id);
absl::Status ValidateDescription(const std::string& description);
// Valid scopes, no "**" ending; returns them sorted (scope order) without duplicates.
absl::StatusOr<std::vector<std::string>> ValidateScopeList(
    const google::protobuf::RepeatedPtrField<std::string>& scopes, const char* field);

// Page size: 0 means `max`; negative or above `max` is INVALID_ARGUMENT.
absl::StatusOr<int> PageLimit(int requested, int max = 1000);
// Continuation tokens are opaque to callers: base64url of the last key returned.
std::string EncodePageToken(const std::string& last_key);
absl::StatusOr<std::string> DecodePageToken(const std::string& token);

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVICE_VALIDATION_H_
