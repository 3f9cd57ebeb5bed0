#include "services/worker/service/chain_verifier.h"

#include "absl/strings/str_cat.h"
#include "libraries/proto/message_json.h"

namespace bulwark::worker {
namespace {

void AppendChecks(std::string& out, const std::string& indent,
                  const google::protobuf::RepeatedPtrField<verifier::v1::Check>& checks) {
  for (const verifier::v1::Check& c : checks) {
    absl::StrAppend(&out, indent, c.passed() ? "\u2713 " : "\u2717 ", c.name(),
                    c.reason().empty() ? "" : ": ", c.reason(), "\n");
  }
}

}  // namespace

std::string VerificationLog(const verifier::v1::Verification& v) {
  const bool passed = v.verdict() == verifier::v1::VERDICT_PASS;
  std::string out = absl::StrCat("chain of trust of task ", v.task_id(), " as ", v.task_type(),
                                 ": ", passed ? "PASS" : "FAIL", " (verification ",
                                 v.verification_id(), ", policy ", v.policy_version(), ")\n");
  if (!v.repository().empty()) absl::StrAppend(&out, "repository: ", v.repository(), "\n");
  for (const verifier::v1::ChainLink& link : v.links()) {
    absl::StrAppend(&out, link.passed() ? "\u2713 " : "\u2717 ", link.name(), "  task ",
                    link.task_id(), link.worker_pool().empty() ? "" : " on ", link.worker_pool(),
                    "\n");
    AppendChecks(out, "    ", link.checks());
  }
  if (v.checks_size() > 0) {
    absl::StrAppend(&out, "chain:\n");
    AppendChecks(out, "    ", v.checks());
  }
  absl::StatusOr<nlohmann::json> json = MessageToJson(v);
  absl::StrAppend(&out, "\n",
                  json.ok() ? json->dump(2) : "(the verification could not be rendered)", "\n");
  return out;
}

}  // namespace bulwark::worker
