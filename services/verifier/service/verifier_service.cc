#include "services/verifier/service/verifier_service.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "libraries/proto/struct_json.h"
#include "libraries/proto/timestamp.h"
#include "libraries/status/status_macros.h"
#include "services/verifier/service/report_proto.h"

namespace bulwark::verifier {
namespace {

constexpr int kDefaultPage = 100;

absl::Status CheckTaskId(const std::string& task_id) {
  if (task_id.empty() || task_id.size() > 64) {
    return absl::InvalidArgumentError("task_id must be a taskId (1 to 64 characters)");
  }
  return absl::OkStatus();
}

int CountChecks(const v1::Verification& v, bool passed) {
  int n = 0;
  for (const v1::Check& c : v.checks()) n += c.passed() == passed;
  for (const v1::ChainLink& l : v.links()) {
    for (const v1::Check& c : l.checks()) n += c.passed() == passed;
  }
  return n;
}

absl::StatusOr<v1::Verification> FromRecord(const VerificationRecord& record) {
  v1::Verification v;
  auto parsed = google::protobuf::util::JsonStringToMessage(record.report, &v);
  if (!parsed.ok()) {
    return absl::InternalError(absl::StrCat("stored verification ", record.verification_id,
                                            " cannot be read: ", std::string(parsed.message())));
  }
  return v;
}

}  // namespace

absl::Status VerifierService::LoadPolicy(const std::string& document, absl::Time deadline) {
  BULWARK_ASSIGN_OR_RETURN(Policy parsed, Policy::Parse(document));
  auto policy = std::make_shared<const Policy>(std::move(parsed));
  BULWARK_RETURN_IF_ERROR(store_
                              .RecordPolicy(policy->version(), policy->sha256_hex(),
                                            policy->canonical_json(), clock_.Now(), deadline)
                              .status());
  absl::MutexLock lock(&mu_);
  policy_ = std::move(policy);
  return absl::OkStatus();
}

std::shared_ptr<const Policy> VerifierService::policy() const {
  absl::MutexLock lock(&mu_);
  return policy_;
}

absl::StatusOr<v1::Verification> VerifierService::VerifyTask(const Caller& caller,
                                                             const v1::VerifyTaskRequest& request,
                                                             absl::Time deadline) {
  BULWARK_RETURN_IF_ERROR(CheckTaskId(request.task_id()));
  if (request.task_type().empty()) {
    return absl::InvalidArgumentError("task_type must name a task type of the policy");
  }
  BULWARK_RETURN_IF_ERROR(Authorize(
      caller, scopes::Expression("verifier:verify-task:" + request.task_type()), "VerifyTask"));
  std::shared_ptr<const Policy> policy = this->policy();
  if (policy == nullptr) return absl::FailedPreconditionError("no policy is in force");
  VerifierEngine engine(policy, source_, clock_, normalizer_, options_);
  BULWARK_ASSIGN_OR_RETURN(VerificationReport report,
                           engine.VerifyTask(request.task_id(), request.task_type(), deadline,
                                             RootModeFromProto(request.root_mode())));
  v1::Verification verification;
  ToProto(report, &verification);
  {
    absl::MutexLock lock(&random_mu_);
    verification.set_verification_id(NiceSlugid(random_));
  }
  VerificationRecord record;
  record.verification_id = verification.verification_id();
  record.task_id = request.task_id();
  record.task_type = request.task_type();
  record.verdict =
      report.passed ? VerificationRecord::Verdict::kPass : VerificationRecord::Verdict::kFail;
  record.policy_version = report.policy_version;
  record.checks_passed = CountChecks(verification, true);
  record.checks_failed = CountChecks(verification, false);
  record.created = report.started;
  std::string json;
  auto printed = google::protobuf::util::MessageToJsonString(verification, &json);
  if (!printed.ok()) return absl::InternalError("cannot print the verification");
  record.report = std::move(json);
  BULWARK_RETURN_IF_ERROR(store_.InsertVerification(record, deadline).status());
  if (report.passed && issuer_ != nullptr) {
    absl::Status issued = issuer_->Issue(report, record.verification_id, deadline).status();
    if (!issued.ok()) {
      return absl::Status(issued.code(),
                          absl::StrCat("verification ", record.verification_id,
                                       " passed and is stored, but its attestation could not be "
                                       "issued: ",
                                       issued.message()));
    }
  }
  return verification;
}

absl::StatusOr<v1::Verification> VerifierService::GetVerification(
    const Caller& caller, const v1::GetVerificationRequest& request, absl::Time deadline) {
  if (request.verification_id().empty()) {
    return absl::InvalidArgumentError("verification_id is required");
  }
  absl::StatusOr<VerificationRecord> record =
      store_.GetVerification(request.verification_id(), deadline);
  // The scope names the task: without it, a caller learns nothing, not even whether the id exists.
  std::string task_id = record.ok() ? record->task_id : "";
  BULWARK_RETURN_IF_ERROR(Authorize(
      caller, scopes::Expression("verifier:get-verification:" + task_id), "GetVerification"));
  if (!record.ok()) return record.status();
  return FromRecord(*record);
}

absl::StatusOr<v1::ListVerificationsResponse> VerifierService::ListVerifications(
    const Caller& caller, const v1::ListVerificationsRequest& request, absl::Time deadline) {
  if (!request.task_id().empty()) BULWARK_RETURN_IF_ERROR(CheckTaskId(request.task_id()));
  if (request.limit() < 0 || request.limit() > VerifierStore::kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit must be between 0 and ", VerifierStore::kMaxPageSize));
  }
  BULWARK_RETURN_IF_ERROR(
      Authorize(caller, scopes::Expression("verifier:list-verifications:" + request.task_id()),
                "ListVerifications"));
  BULWARK_ASSIGN_OR_RETURN(
      VerificationPage page,
      store_.ListVerifications(request.task_id(),
                               request.limit() == 0 ? kDefaultPage : request.limit(),
                               request.continuation_token(), deadline));
  v1::ListVerificationsResponse response;
  for (const VerificationRecord& record : page.verifications) {
    BULWARK_ASSIGN_OR_RETURN(*response.add_verifications(), FromRecord(record));
  }
  response.set_continuation_token(page.continuation_token);
  return response;
}

absl::StatusOr<v1::Policy> VerifierService::GetPolicy() const {
  std::shared_ptr<const Policy> policy = this->policy();
  if (policy == nullptr) return absl::FailedPreconditionError("no policy is in force");
  v1::Policy out;
  out.set_version(policy->version());
  out.set_sha256(policy->sha256_hex());
  nlohmann::json content = nlohmann::json::parse(policy->canonical_json(), nullptr, false);
  BULWARK_ASSIGN_OR_RETURN(*out.mutable_content(), StructFromJson(content));
  return out;
}

}  // namespace bulwark::verifier
