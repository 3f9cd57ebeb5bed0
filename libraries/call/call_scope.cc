#include "libraries/call/call_scope.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace bulwark {
namespace {

thread_local const CallScope* current_scope = nullptr;

}  // namespace

CallScope::CallScope(std::function<bool()> caller_gone)
    : caller_gone_(std::move(caller_gone)), enclosing_(current_scope) {
  current_scope = this;
}

CallScope::~CallScope() { current_scope = enclosing_; }

bool CallScope::CallerGone() {
  const CallScope* scope = current_scope;
  return scope != nullptr && scope->caller_gone_ && scope->caller_gone_();
}

std::function<bool()> CallScope::Current() {
  const CallScope* scope = current_scope;
  return scope == nullptr ? nullptr : scope->caller_gone_;
}

absl::Status CallerGoneError(absl::string_view operation) {
  return absl::CancelledError(
      absl::StrCat(operation, ": the caller went away; nothing was written"));
}

absl::Status CheckCallerPresent(absl::string_view operation) {
  return CallScope::CallerGone() ? CallerGoneError(operation) : absl::OkStatus();
}

}  // namespace bulwark
