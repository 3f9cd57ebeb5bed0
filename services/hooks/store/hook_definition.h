// File: services/hooks/store/hook_definition.h
//
// What identifies a hook version: the canonical serialization of a hook's definition and its
// SHA-256. Both stores derive a hook's current version with these functions, the hooks service
// returns the canonical bytes from GetHookVersion, and anyone holding those bytes can recompute
// the digest.
//
// The definition is everything that decides what a fire creates and how a trigger payload is
// checked, plus what the hook says about itself:
//   {"hookGroupId", "hookId", "metadata", "schedule", "task", "triggerSchema"}
// (metadata as stored: name, description, owner, emailOnError). Not part of it: the trigger
// token, the next scheduled taskId and time, created / last_modified.
//
// Canonical JSON: no whitespace; object keys sorted by the bytes of their UTF-8 (nlohmann's
// ordering); strings as UTF-8 with only the escapes JSON requires (", \, control characters);
// a number that is whole and within ±9e15 written as an integer ("3", never "3.0"), any other
// number as the shortest decimal that reads back as the same double ("0.1", "1e+16"). That number
// rule is the API's own (libraries/proto/struct_json.h: integers survive a Struct up to 2^53), so
// a definition returned as a google.protobuf.Struct converts back to the same JSON.
//
//   CanonicalJson(value)        `value` with every number normalized as above
//   CanonicalDefinition(row)    the canonical text of `row`'s definition
//   Sha256Hex(bytes)            SHA-256 as 64 lowercase hex digits (OpenSSL, libraries/crypto)
//   IsSha256Hex(s)              whether `s` is 64 lowercase hex digits
//   HookFromDefinition(text)    a canonical definition parsed back into a HookRow's ids and
//                               definition fields (the other fields left empty)
//
// Thread-safety: pure functions.
// Errors: CanonicalDefinition returns INVALID_ARGUMENT when a string is not valid UTF-8;
// HookFromDefinition returns INVALID_ARGUMENT for text that is not a definition.

#ifndef BULWARK_SERVICES_HOOKS_STORE_HOOK_DEFINITION_H_
#define BULWARK_SERVICES_HOOKS_STORE_HOOK_DEFINITION_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "services/hooks/store/hooks_store.h"

namespace bulwark::hooks {

nlohmann::json CanonicalJson(const nlohmann::json& value);
absl::StatusOr<std::string> CanonicalDefinition(const HookRow& row);
std::string Sha256Hex(absl::string_view bytes);
bool IsSha256Hex(absl::string_view s);
absl::StatusOr<HookRow> HookFromDefinition(absl::string_view canonical);

}  // namespace bulwark::hooks

#endif  // BULWARK_SERVICES_HOOKS_STORE_HOOK_DEFINITION_H_
