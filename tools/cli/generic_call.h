// File: tools/cli/generic_call.h
//
// CallJson: calls any unary method of Bulwark's API by name with a JSON request and returns the
// JSON response, like grpcurl, using the descriptors compiled into this binary (so it needs no
// server reflection). Used by `bulwark call`.
//
// Thread-safety: independent calls may run concurrently.
// Errors: INVALID_ARGUMENT for an unknown method or a request that does not parse; otherwise
// the call's own status.

#ifndef BULWARK_TOOLS_CLI_GENERIC_CALL_H_
#define BULWARK_TOOLS_CLI_GENERIC_CALL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"

namespace bulwark::cli {

// `method` is "package.Service/Method" or "/package.Service/Method".
absl::StatusOr<std::string> CallJson(const std::shared_ptr<grpc::Channel>& channel,
                                     const std::string& method, const std::string& request_json,
                                     const std::shared_ptr<grpc::CallCredentials>& credentials,
                                     absl::Duration timeout = absl::Seconds(30));

// The bytes of `request_json` as the request message of `method` (serialized deterministically:
// map entries in key order), as `bulwark sign --data` hashes them. INVALID_ARGUMENT for an
// unknown or streaming method or JSON that is not a valid request.
absl::StatusOr<std::string> SerializeJsonRequest(const std::string& method,
                                                 const std::string& request_json);

}  // namespace bulwark::cli

#endif  // BULWARK_TOOLS_CLI_GENERIC_CALL_H_
