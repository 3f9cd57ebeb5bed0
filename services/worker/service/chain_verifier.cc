#include "services/worker/service/chain_verifier.h"

#include "absl/strings/str_cat.h"
#include "libraries/proto/message_json.h"
#include "services/verifier/client/verification_text.h"

namespace bulwark::worker {

std::string VerificationLog(const verifier::v1::Verification& v) {
  absl::StatusOr<nlohmann::json> json = MessageToJson(v);
  return absl::StrCat(verifier::VerificationTree(v), "\n",
                      json.ok() ? json->dump(2) : "(the verification could not be rendered)", "\n");
}

}  // namespace bulwark::worker
