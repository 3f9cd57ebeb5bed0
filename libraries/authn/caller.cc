#include "libraries/authn/caller.h"

#include "absl/strings/str_cat.h"
#include "libraries/scopes/expression_json.h"

namespace bulwark {

absl::Status Authorize(const Caller& caller, const scopes::Expression& required,
                       absl::string_view what) {
  std::optional<scopes::Expression> missing = scopes::RemoveGivenScopes(caller.scopes, required);
  if (!missing) return absl::OkStatus();
  std::string who = caller.anonymous() ? std::string("an anonymous caller (no credentials)")
                                       : absl::StrCat("client '", caller.client_id, "'");
  std::string text = absl::StrCat(who, " is missing scopes for ", what, ": ",
                                  scopes::ExpressionToJson(*missing).dump());
  if (*missing != required) {
    absl::StrAppend(&text, " (required: ", scopes::ExpressionToJson(required).dump(), ")");
  }
  if (!caller.authorized_scopes.empty()) {
    absl::StrAppend(&text, "; the call was restricted by authorizedScopes");
  }
  return absl::PermissionDeniedError(text);
}

}  // namespace bulwark
