#include "services/verifier/service/report_proto.h"

#include "libraries/proto/timestamp.h"

namespace bulwark::verifier {
namespace {

void ChecksToProto(const std::vector<CheckResult>& checks,
                   google::protobuf::RepeatedPtrField<v1::Check>* out) {
  for (const CheckResult& c : checks) {
    v1::Check* check = out->Add();
    check->set_name(c.name);
    check->set_passed(c.passed);
    check->set_reason(c.reason);
  }
}

std::vector<CheckResult> ChecksFromProto(const google::protobuf::RepeatedPtrField<v1::Check>& in) {
  std::vector<CheckResult> out;
  for (const v1::Check& c : in) out.push_back({c.name(), c.passed(), c.reason()});
  return out;
}

}  // namespace

void ToProto(const VerificationReport& report, v1::Verification* out) {
  out->set_task_id(report.task_id);
  out->set_task_type(report.task_type);
  out->set_verdict(report.passed ? v1::VERDICT_PASS : v1::VERDICT_FAIL);
  out->set_policy_version(report.policy_version);
  out->set_policy_sha256(report.policy_sha256);
  out->set_repository(report.repository);
  *out->mutable_created() = ToProtoTimestamp(report.started);
  *out->mutable_finished() = ToProtoTimestamp(report.finished);
  for (const LinkReport& link : report.links) {
    v1::ChainLink* l = out->add_links();
    l->set_name(link.name);
    l->set_task_id(link.task_id);
    l->set_task_type(link.task_type);
    l->set_worker_pool(link.pool);
    if (link.run_id.has_value()) l->set_run_id(*link.run_id);
    l->set_decision_task_id(link.decision_task_id);
    l->set_is_decision(link.is_decision);
    for (const std::string& id : link.upstream_task_ids) l->add_upstream_task_ids(id);
    l->set_passed(link.passed());
    ChecksToProto(link.checks, l->mutable_checks());
  }
  ChecksToProto(report.chain_checks, out->mutable_checks());
}

VerificationReport FromProto(const v1::Verification& v) {
  VerificationReport r;
  r.task_id = v.task_id();
  r.task_type = v.task_type();
  r.passed = v.verdict() == v1::VERDICT_PASS;
  r.policy_version = v.policy_version();
  r.policy_sha256 = v.policy_sha256();
  r.repository = v.repository();
  r.started = FromProtoTimestamp(v.created());
  r.finished = FromProtoTimestamp(v.finished());
  for (const v1::ChainLink& l : v.links()) {
    LinkReport link;
    link.name = l.name();
    link.task_id = l.task_id();
    link.task_type = l.task_type();
    link.pool = l.worker_pool();
    if (l.has_run_id()) link.run_id = l.run_id();
    link.decision_task_id = l.decision_task_id();
    link.is_decision = l.is_decision();
    link.upstream_task_ids.assign(l.upstream_task_ids().begin(), l.upstream_task_ids().end());
    link.checks = ChecksFromProto(l.checks());
    r.links.push_back(std::move(link));
  }
  r.chain_checks = ChecksFromProto(v.checks());
  return r;
}

RootMode RootModeFromProto(v1::RootMode mode) {
  switch (mode) {
    case v1::ROOT_MODE_BEFORE_RUN:
      return RootMode::kBeforeRun;
    case v1::ROOT_MODE_COMPLETED:
      return RootMode::kCompleted;
    default:
      return RootMode::kAuto;
  }
}

}  // namespace bulwark::verifier
