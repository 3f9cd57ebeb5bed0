#include "libraries/client/dependency.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "libraries/logging/log.h"

namespace bulwark {

void SetDeadline(grpc::ClientContext& context, absl::Time deadline) {
  if (deadline != absl::InfiniteFuture()) context.set_deadline(absl::ToChronoTime(deadline));
}

absl::Status DependencyStatus(absl::string_view dependency, const grpc::Status& status,
                              Signer signer) {
  const std::string message = status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return absl::OkStatus();
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::DeadlineExceededError(
          absl::StrCat("the ", dependency, " service did not answer before the deadline"));
    case grpc::StatusCode::CANCELLED:
      return absl::CancelledError(
          absl::StrCat("the call to the ", dependency, " service was cancelled: ", message));
    case grpc::StatusCode::UNAVAILABLE:
      return absl::UnavailableError(
          absl::StrCat("the ", dependency, " service is unavailable (", message, "); retry"));
    case grpc::StatusCode::UNAUTHENTICATED:
      if (signer == Signer::kOwnCredentials) {
        LogError("this service's own credentials were refused; check its credentials file",
                 {{"dependency", std::string(dependency)}, {"error", message}});
        return absl::UnavailableError(
            absl::StrCat("this service cannot authenticate to the ", dependency,
                         " service (a configuration error, logged for the operator); retry later"));
      }
      return absl::UnauthenticatedError(message);
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::DATA_LOSS:
    case grpc::StatusCode::UNIMPLEMENTED:
      return absl::InternalError(absl::StrCat("the ", dependency, " service failed: ", message));
    default:
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()), message);
  }
}

}  // namespace bulwark
