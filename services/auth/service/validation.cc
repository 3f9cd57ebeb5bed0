#include "services/auth/service/validation.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libraries/scopes/scope.h"
#include "libraries/scopes/scope_set.h"

namespace bulwark::auth {
namespace {

constexpr size_t kMaxDescription = 10240;
constexpr char kTokenPrefix[] = "k:";

bool ClientIdChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string("!@/:.+|_-").find(c) != std::string::npos;
}

}  // namespace

absl::Status ValidateClientId(const std::string& client_id) {
  if (client_id.empty()) return absl::InvalidArgumentError("client_id is required");
  for (char c : client_id) {
    if (!ClientIdChar(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat("client_id '", absl::CHexEscape(client_id),
                       "' may contain only letters, digits and !@/:.+|_-"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRoleId(const std::string& role_id) {
  if (role_id.empty()) return absl::InvalidArgumentError("role_id is required");
  for (char c : role_id) {
    if (c < 0x20 || c > 0x7e) {
      return absl::InvalidArgumentError(absl::StrCat(
          "role_id '", absl::CHexEscape(role_id), "' may contain only printable ASCII characters"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateDescription(const std::string& description) {
  if (description.size() > kMaxDescription) {
    return absl::InvalidArgumentError(absl::StrCat("description is ", description.size(),
                                                   " characters; at most ", kMaxDescription,
                                                   " are allowed"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ValidateScopeList(
    const google::protobuf::RepeatedPtrField<std::string>& scopes, const char* field) {
  std::vector<std::string> out;
  for (const std::string& s : scopes) {
    if (!scopes::ValidScope(s)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": '", absl::CHexEscape(s),
                       "' is not a valid scope (printable ASCII characters and spaces only)"));
    }
    if (absl::EndsWith(s, "**")) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": '", s, "' ends with '**'; scopes must not end with '**'"));
    }
    out.push_back(s);
  }
  scopes::SortScopes(out);
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

absl::StatusOr<int> PageLimit(int requested, int max) {
  if (requested < 0 || requested > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit must be between 0 and ", max, "; got ", requested));
  }
  return requested == 0 ? max : requested;
}

std::string EncodePageToken(const std::string& last_key) {
  return absl::WebSafeBase64Escape(kTokenPrefix + last_key);
}

absl::StatusOr<std::string> DecodePageToken(const std::string& token) {
  if (token.empty()) return std::string();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || !absl::StartsWith(raw, kTokenPrefix)) {
    return absl::InvalidArgumentError(
        "continuation_token is not one this service issued; start again without it");
  }
  return raw.substr(sizeof(kTokenPrefix) - 1);
}

}  // namespace bulwark::auth
