#include "libraries/attest/provenance.h"

#include <algorithm>
#include <climits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libraries/status/status_macros.h"

namespace bulwark::attest {
namespace {

using nlohmann::json;

bool IsLowerHex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

// Reads a chain of members; nullptr if any is missing.
const json* Path(const json& root, std::initializer_list<const char*> keys) {
  const json* at = &root;
  for (const char* k : keys) {
    if (!at->is_object()) return nullptr;
    auto it = at->find(k);
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at;
}

std::string StringAt(const json& root, std::initializer_list<const char*> keys) {
  const json* v = Path(root, keys);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

absl::StatusOr<std::string> RequiredString(const json& root,
                                           std::initializer_list<const char*> keys,
                                           const std::string& name) {
  const json* v = Path(root, keys);
  if (v == nullptr || !v->is_string() || v->get<std::string>().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the statement has no ", name, " (a non-empty string)"));
  }
  return v->get<std::string>();
}

std::optional<int> IntAt(const json& root, const char* key) {
  const json* v = Path(root, {key});
  if (v == nullptr || !v->is_number_integer()) return std::nullopt;
  // Only values an int holds (a run id); anything larger is not one.
  if (v->is_number_unsigned() ? v->get<uint64_t>() > uint64_t{INT_MAX}
                              : (v->get<int64_t>() < INT_MIN || v->get<int64_t>() > INT_MAX)) {
    return std::nullopt;
  }
  return static_cast<int>(v->get<int64_t>());
}

}  // namespace

absl::StatusOr<json> BuildStatement(const Provenance& p) {
  if (p.task_id.empty()) return absl::InvalidArgumentError("the provenance names no task");
  if (p.subjects.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "task ", p.task_id, " has no artifacts to attest (a statement needs a subject)"));
  }
  json subjects = json::array();
  for (const ArtifactDigest& a : p.subjects) {
    if (a.name.empty() || !IsLowerHex64(a.sha256)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "subject \"", a.name, "\" needs a name and a sha256 of 64 lowercase hex digits"));
    }
    subjects.push_back({{"name", a.name}, {"digest", {{"sha256", a.sha256}}}});
  }
  json external = {{"hook", {{"hookGroupId", p.hook_group_id}, {"hookId", p.hook_id}}},
                   {"firedBy", p.fired_by},
                   {"payload", p.payload},
                   {"repository", p.repository}};
  if (!p.revision.empty()) external["revision"] = p.revision;
  json internal = {{"taskId", p.task_id},
                   {"taskType", p.task_type},
                   {"decisionTaskId", p.decision_task_id},
                   {"task", p.task_definition}};
  json dependencies = json::array();
  for (const UpstreamArtifact& u : p.upstream) {
    if (!IsLowerHex64(u.sha256)) {
      return absl::InvalidArgumentError(absl::StrCat("upstream artifact ", u.name, " of task ",
                                                     u.task_id, " has no valid sha256"));
    }
    dependencies.push_back({{"name", u.name},
                            {"uri", absl::StrCat("bulwark:task/", u.task_id, "/runs/", u.run_id,
                                                 "/artifacts/", u.name)},
                            {"digest", {{"sha256", u.sha256}}},
                            {"annotations",
                             {{"taskId", u.task_id},
                              {"runId", u.run_id},
                              {"taskType", u.task_type},
                              {"link", u.link},
                              {"consumedBy", u.consumed_by}}}});
  }
  if (IsLowerHex64(p.hook_version_sha256)) {
    dependencies.push_back({{"name", "hook-version"},
                            {"uri", absl::StrCat("bulwark:hook/", p.hook_group_id, "/", p.hook_id)},
                            {"digest", {{"sha256", p.hook_version_sha256}}}});
  }
  json chain = json::array();
  for (const ChainLinkSummary& l : p.chain) {
    json link = {{"name", l.name},
                 {"taskId", l.task_id},
                 {"taskType", l.task_type},
                 {"workerPool", l.worker_pool}};
    if (l.run_id.has_value()) link["runId"] = *l.run_id;
    chain.push_back(std::move(link));
  }
  json metadata = {{"invocationId", absl::StrCat(p.task_id, "/", p.run_id)}};
  if (p.finished.has_value()) metadata["finishedOn"] = Rfc3339(*p.finished);
  json byproducts = json::array({{{"name", "verification"},
                                  {"uri", absl::StrCat("bulwark:verification/", p.verification_id)},
                                  {"annotations",
                                   {{"verificationId", p.verification_id},
                                    {"policyVersion", p.policy_version},
                                    {"policySha256", p.policy_sha256},
                                    {"verifiedOn", Rfc3339(p.verified_on)},
                                    {"chain", std::move(chain)}}}}});
  return json{{"_type", kStatementType},
              {"subject", std::move(subjects)},
              {"predicateType", kSlsaProvenanceType},
              {"predicate",
               {{"buildDefinition",
                 {{"buildType", kBuildType},
                  {"externalParameters", std::move(external)},
                  {"internalParameters", std::move(internal)},
                  {"resolvedDependencies", std::move(dependencies)}}},
                {"runDetails",
                 {{"builder", {{"id", absl::StrCat(kBuilderIdPrefix, p.worker_pool)}}},
                  {"metadata", std::move(metadata)},
                  {"byproducts", std::move(byproducts)}}}}}};
}

absl::StatusOr<StatementView> ReadProvenance(const json& s) {
  if (!s.is_object()) return absl::InvalidArgumentError("the statement is not a JSON object");
  if (StringAt(s, {"_type"}) != kStatementType) {
    return absl::InvalidArgumentError(
        absl::StrCat("the statement's _type is not ", kStatementType));
  }
  if (StringAt(s, {"predicateType"}) != kSlsaProvenanceType) {
    return absl::InvalidArgumentError(
        absl::StrCat("the statement's predicateType is not ", kSlsaProvenanceType));
  }
  StatementView v;
  const json* subjects = Path(s, {"subject"});
  if (subjects == nullptr || !subjects->is_array() || subjects->empty()) {
    return absl::InvalidArgumentError("the statement has no subject (a non-empty list)");
  }
  for (size_t i = 0; i < subjects->size(); ++i) {
    const json& sub = (*subjects)[i];
    ArtifactDigest d{StringAt(sub, {"name"}), StringAt(sub, {"digest", "sha256"})};
    if (!IsLowerHex64(d.sha256)) {
      return absl::InvalidArgumentError(
          absl::StrCat("subject[", i, "] has no digest.sha256 of 64 lowercase hex digits"));
    }
    v.subjects.push_back(std::move(d));
  }
  const json& pred = s["predicate"];
  BULWARK_ASSIGN_OR_RETURN(v.build_type, RequiredString(pred, {"buildDefinition", "buildType"},
                                                        "predicate.buildDefinition.buildType"));
  BULWARK_ASSIGN_OR_RETURN(v.builder_id, RequiredString(pred, {"runDetails", "builder", "id"},
                                                        "predicate.runDetails.builder.id"));
  v.invocation_id = StringAt(pred, {"runDetails", "metadata", "invocationId"});
  const json empty = json::object();
  const json* ext = Path(pred, {"buildDefinition", "externalParameters"});
  const json& e = ext != nullptr ? *ext : empty;
  const std::string group = StringAt(e, {"hook", "hookGroupId"});
  const std::string hook = StringAt(e, {"hook", "hookId"});
  if (!group.empty() || !hook.empty()) v.hook = absl::StrCat(group, "/", hook);
  v.fired_by = StringAt(e, {"firedBy"});
  v.repository = StringAt(e, {"repository"});
  v.revision = StringAt(e, {"revision"});
  v.task_id = StringAt(pred, {"buildDefinition", "internalParameters", "taskId"});
  v.task_type = StringAt(pred, {"buildDefinition", "internalParameters", "taskType"});
  const json* deps = Path(pred, {"buildDefinition", "resolvedDependencies"});
  if (deps != nullptr && deps->is_array()) {
    for (const json& d : *deps) {
      const json* a = Path(d, {"annotations"});
      if (a == nullptr || !a->is_object()) continue;
      UpstreamArtifact u;
      u.name = StringAt(d, {"name"});
      u.sha256 = StringAt(d, {"digest", "sha256"});
      u.task_id = StringAt(*a, {"taskId"});
      u.run_id = IntAt(*a, "runId").value_or(0);
      u.task_type = StringAt(*a, {"taskType"});
      u.link = StringAt(*a, {"link"});
      u.consumed_by = StringAt(*a, {"consumedBy"});
      v.upstream.push_back(std::move(u));
    }
  }
  const json* byproducts = Path(pred, {"runDetails", "byproducts"});
  if (byproducts != nullptr && byproducts->is_array()) {
    for (const json& b : *byproducts) {
      if (StringAt(b, {"name"}) != "verification") continue;
      v.verification_id = StringAt(b, {"annotations", "verificationId"});
      v.policy_version = StringAt(b, {"annotations", "policyVersion"});
      const json* chain = Path(b, {"annotations", "chain"});
      if (chain == nullptr || !chain->is_array()) continue;
      for (const json& l : *chain) {
        v.chain.push_back({StringAt(l, {"name"}), StringAt(l, {"taskId"}),
                           StringAt(l, {"taskType"}), StringAt(l, {"workerPool"}),
                           IntAt(l, "runId")});
      }
    }
  }
  return v;
}

std::string SummaryText(const StatementView& v) {
  auto or_unknown = [](const std::string& s) { return s.empty() ? std::string("(none)") : s; };
  std::string out;
  absl::StrAppend(&out, "task:        ", or_unknown(v.task_id), " (", or_unknown(v.task_type),
                  "), invocation ", or_unknown(v.invocation_id), "\n");
  absl::StrAppend(&out, "builder:     ", v.builder_id, "\n");
  absl::StrAppend(&out, "hook:        ", or_unknown(v.hook),
                  v.fired_by.empty() ? "" : absl::StrCat(" (", v.fired_by, ")"), "\n");
  absl::StrAppend(&out, "repository:  ", or_unknown(v.repository), "\n");
  absl::StrAppend(&out, "revision:    ",
                  v.revision.empty() ? std::string("(not pinned by the policy)") : v.revision,
                  "\n");
  absl::StrAppend(&out, "build type:  ", v.build_type, "\n");
  absl::StrAppend(&out, "verified by: verification ", or_unknown(v.verification_id), ", policy ",
                  or_unknown(v.policy_version), "\n");
  absl::StrAppend(&out, "subjects:\n");
  for (const ArtifactDigest& d : v.subjects) {
    absl::StrAppend(&out, "  sha256:", d.sha256, "  ", d.name, "\n");
  }
  absl::StrAppend(&out, "chain:\n");
  for (const ChainLinkSummary& l : v.chain) {
    absl::StrAppend(&out, "  ", l.name, "  task ", l.task_id,
                    l.run_id.has_value() ? absl::StrCat(" run ", *l.run_id) : std::string(),
                    "  pool ", or_unknown(l.worker_pool), "\n");
  }
  if (!v.upstream.empty()) {
    absl::StrAppend(&out, "consumed artifacts:\n");
    for (const UpstreamArtifact& u : v.upstream) {
      absl::StrAppend(&out, "  sha256:", u.sha256, "  ", u.name, "  from ", u.link, " (task ",
                      u.task_id, " run ", u.run_id, ")\n");
    }
  }
  return out;
}

}  // namespace bulwark::attest
