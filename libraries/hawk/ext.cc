#include "libraries/hawk/ext.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libraries/hawk/digest.h"
#include "libraries/scopes/scope.h"

namespace bulwark::hawk {
namespace {

absl::Status ParseFailure() { return absl::UnauthenticatedError("Failed to parse ext"); }

// Decodes base64 in either alphabet, with or without padding; nothing else is
// accepted.
bool DecodeBase64(absl::string_view text, std::string* out) {
  if (text.find_first_of("+/") != absl::string_view::npos &&
      text.find_first_of("-_") != absl::string_view::npos) {
    return false;
  }
  const bool url_safe = text.find_first_of("-_") != absl::string_view::npos;
  return url_safe ? absl::WebSafeBase64Unescape(text, out) : absl::Base64Unescape(text, out);
}

}  // namespace

std::string EncodeExt(const nlohmann::json& ext) { return Base64(ext.dump()); }

absl::StatusOr<std::string> BuildExt(const Credentials& credentials) {
  nlohmann::json ext = nlohmann::json::object();
  if (!credentials.certificate.empty()) {
    nlohmann::json certificate =
        nlohmann::json::parse(credentials.certificate, /*cb=*/nullptr, /*allow_exceptions=*/false);
    if (!certificate.is_object()) {
      return absl::InvalidArgumentError(
          "the credentials' certificate is not JSON text of an object");
    }
    ext["certificate"] = std::move(certificate);
  }
  if (credentials.authorized_scopes.has_value()) {
    for (const std::string& scope : *credentials.authorized_scopes) {
      if (!scopes::ValidScope(scope)) {
        return absl::InvalidArgumentError(
            absl::StrCat("authorizedScopes: \"", absl::CEscape(scope),
                         "\" is not a valid scope (printable ASCII only)"));
      }
    }
    ext["authorizedScopes"] = *credentials.authorized_scopes;
  }
  if (ext.empty()) return std::string();
  return EncodeExt(ext);
}

absl::StatusOr<nlohmann::json> DecodeExt(absl::string_view ext) {
  std::string text;
  if (!DecodeBase64(ext, &text)) return ParseFailure();
  nlohmann::json parsed = nlohmann::json::parse(text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return ParseFailure();
  return parsed;
}

}  // namespace bulwark::hawk
