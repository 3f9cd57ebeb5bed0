// File: libraries/jsonschema/uri.h
//
// RFC 3986 URIs as JSON Schema uses them: splitting and resolving `$id`/`$ref`
// references against a base URI (§5.2, with dot-segment removal),
// percent-decoding fragments, and the grammar checks behind the formats "uri",
// "uri-reference", "iri" and "iri-reference" (IRIs, RFC 3987, additionally
// allow non-ASCII characters).
//
// Thread-safety: pure functions. Errors: none; the splitter accepts any string
// (RFC 3986 appendix B), and the grammar checks return false.

#ifndef BULWARK_LIBRARIES_JSONSCHEMA_URI_H_
#define BULWARK_LIBRARIES_JSONSCHEMA_URI_H_

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace bulwark {
namespace jsonschema {
namespace internal {

struct UriParts {
  std::optional<std::string> scheme;
  std::optional<std::string> authority;
  std::string path;
  std::optional<std::string> query;
  std::optional<std::string> fragment;

  // Recomposes the parts (RFC 3986 §5.3).
  std::string ToString() const;
};

// Splits any string into URI parts, as the regular expression of RFC 3986
// appendix B does.
UriParts SplitUri(absl::string_view uri);

// `reference` resolved against `base` (RFC 3986 §5.2.2). The scheme is
// lowercased. When `base` has no scheme the result is what §5.2.2 yields for it
// regardless.
std::string ResolveUri(absl::string_view base, absl::string_view reference);

// Splits at the first '#': {uri without fragment, fragment (not decoded)}.
std::pair<std::string, std::string> SplitFragment(absl::string_view uri);

// Decodes %XX escapes; a '%' not followed by two hex digits is kept as is.
std::string PercentDecode(absl::string_view text);

// Grammar checks: an absolute URI (scheme required), or a URI or relative
// reference. With `iri` set, non-ASCII code points are also accepted where
// unreserved characters are.
bool IsUri(absl::string_view text, bool iri = false);
bool IsUriReference(absl::string_view text, bool iri = false);

// RFC 3986 IPv4address (dotted decimal, no leading zeros) and IPv6address (RFC
// 4291 text form, with `::` and a trailing dotted quad; no zone index).
bool IsIpv4(absl::string_view text);
bool IsIpv6(absl::string_view text);

}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_JSONSCHEMA_URI_H_
