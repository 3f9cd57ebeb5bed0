// File: libraries/hawk/header.h
//
// The `Authorization: Hawk ...` header: parsing exactly as hawk 9.0.2's
// parseAuthorizationHeader accepts it (auth.md §4.1), and building it as
// hawk's client.header writes it.
//
// Parsing rules (hawk 9): at most 4096 characters; `<scheme> <attributes>`
// where the scheme is `Hawk` in any case; attributes are `name="value"`
// separated by commas and optional whitespace, each name one of id, ts,
// nonce, hash, ext, mac, app, dlg, at most once, each value non-empty
// printable ASCII without `"` or `\`; nothing else may appear.
//
//   absl::StatusOr<HeaderAttributes> attributes =
//       ParseAuthorizationHeader(value);
//   absl::StatusOr<std::string> header =
//       BuildHeader(credentials, request, ts, nonce, ext);
//
// Thread-safety: pure functions.
// Errors (messages as Taskcluster reports hawk's, "<HTTP error>: <message>"):
//  - INVALID_ARGUMENT "Bad Request: Header length too long" for more than 4096
//    characters (kept apart so that services answer INVALID_ARGUMENT, not
//    UNAUTHENTICATED);
//  - UNAUTHENTICATED for every other malformed header: "Bad Request: Invalid
//    header syntax", "Unauthorized: Unauthorized" (not the Hawk scheme), "Bad
//    Request: Unknown attribute: x", "Bad Request: Bad attribute value: x",
//    "Bad Request: Duplicate attribute: x", "Bad Request: Bad header format".
// BuildHeader returns INVALID_ARGUMENT for an id, nonce, hash or ext that a
// Hawk server cannot parse (empty id or nonce, or a character outside
// printable ASCII, `"` or `\`), or a header longer than 4096 characters.

#ifndef BULWARK_LIBRARIES_HAWK_HEADER_H_
#define BULWARK_LIBRARIES_HAWK_HEADER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libraries/hawk/credentials.h"
#include "libraries/hawk/request.h"

namespace bulwark::hawk {

// hawk's limits.maxMatchLength.
inline constexpr size_t kMaxHeaderLength = 4096;

// The attributes of a parsed header; hawk refuses empty values, so empty means
// absent.
struct HeaderAttributes {
  std::string id;
  std::string ts;
  std::string nonce;
  std::string hash;
  std::string ext;
  std::string mac;
  std::string app;
  std::string dlg;
};

absl::StatusOr<HeaderAttributes> ParseAuthorizationHeader(absl::string_view header);

// True when `value` may be a header attribute value (non-empty printable ASCII,
// no `"`, no
// `\`).
bool ValidAttributeValue(absl::string_view value);

// The header hawk's client.header(uri, method, {credentials, timestamp: ts,
// nonce, ext, hash}) writes for `request` (method, resource, host, port; its
// `authorization` is ignored), signed with credentials.client_id and
// credentials.access_token. `ext` and `hash` may be empty. The certificate and
// authorized_scopes of `credentials` are not used here; see SignRequest
// (signer.h), which puts them into `ext`.
absl::StatusOr<std::string> BuildHeader(const Credentials& credentials, const Request& request,
                                        int64_t ts, absl::string_view nonce, absl::string_view ext,
                                        absl::string_view hash = {});

}  // namespace bulwark::hawk

#endif  // BULWARK_LIBRARIES_HAWK_HEADER_H_
