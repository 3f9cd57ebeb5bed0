#include "libraries/jsone/error.h"

#include "absl/strings/cord.h"
#include "libraries/jsone/json_text.h"
#include "libraries/jsone/str_cat.h"

namespace bulwark::jsone {
namespace {

constexpr char kPayloadUrl[] = "type.bulwark/jsone.Error";

// Payload layout: one digit for the type, then the location, a NUL, then the
// message.
absl::Cord EncodePayload(const Error& error) {
  return absl::Cord(
      Cat(static_cast<int>(error.type), error.location, std::string_view("\0", 1), error.message));
}

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string_view ErrorTypeName(ErrorType type) {
  switch (type) {
    case ErrorType::kSyntaxError:
      return "SyntaxError";
    case ErrorType::kInterpreterError:
      return "InterpreterError";
    case ErrorType::kTemplateError:
      return "TemplateError";
    case ErrorType::kBuiltinError:
      return "BuiltinError";
    case ErrorType::kError:
      return "Error";
  }
  return "Error";
}

std::string Error::ToString() const {
  if (location.empty()) {
    return Cat(ErrorTypeName(type), ": ", message);
  }
  return Cat(ErrorTypeName(type), " at template", location, ": ", message);
}

absl::Status Error::ToStatus() const {
  absl::Status status(absl::StatusCode::kInvalidArgument, ToString());
  status.SetPayload(kPayloadUrl, EncodePayload(*this));
  return status;
}

std::optional<Error> Error::FromStatus(const absl::Status& status) {
  if (status.ok()) return std::nullopt;
  auto payload = status.GetPayload(kPayloadUrl);
  if (!payload.has_value()) return std::nullopt;
  const std::string flat(*payload);
  const size_t nul = flat.find('\0');
  if (flat.empty() || nul == std::string::npos || flat[0] < '0' || flat[0] > '4') {
    return std::nullopt;
  }
  Error error;
  error.type = static_cast<ErrorType>(flat[0] - '0');
  error.location = flat.substr(1, nul - 1);
  error.message = flat.substr(nul + 1);
  return error;
}

absl::Status MakeError(ErrorType type, std::string message) {
  Error error;
  error.type = type;
  error.message = std::move(message);
  return error.ToStatus();
}

absl::Status PrependLocation(const absl::Status& status, std::string_view step) {
  std::optional<Error> error = Error::FromStatus(status);
  if (!error.has_value() || error->type == ErrorType::kError) return status;
  error->location.insert(0, step.data(), step.size());
  return error->ToStatus();
}

std::string KeyLocation(std::string_view key) {
  bool identifier = !key.empty() && IsAlpha(key[0]);
  for (size_t i = 1; identifier && i < key.size(); ++i) {
    identifier = IsAlpha(key[i]) || IsDigit(key[i]);
  }
  if (identifier) return Cat(".", key);
  std::string step = "[";
  AppendJsonString(key, &step);
  step.push_back(']');
  return step;
}

}  // namespace bulwark::jsone
