#include "libraries/taskdef/task_definition.h"

#include <map>
#include <regex>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/util/message_differencer.h"
#include "libraries/crypto/random.h"
#include "libraries/proto/timestamp.h"
#include "libraries/scopes/scope.h"

namespace bulwark::taskdef {

namespace v1 = queue::v1;
namespace {

constexpr absl::Duration kSkew = absl::Minutes(15);

// Patterns are string literals; each is compiled once.
bool Matches(const std::string& s, const char* pattern) {
  static absl::Mutex mu(absl::kConstInit);
  static auto* const compiled = new std::map<const char*, std::regex>();
  const std::regex* re;
  {
    absl::MutexLock lock(&mu);
    auto it = compiled->find(pattern);
    if (it == compiled->end()) it = compiled->emplace(pattern, std::regex(pattern)).first;
    re = &it->second;
  }
  return std::regex_match(s, *re);
}

absl::Status Invalid(const std::string& field, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("task.", field, ": ", why));
}

absl::Status CheckLength(const std::string& field, const std::string& value, size_t max,
                         bool required = true) {
  if (required && value.empty()) return Invalid(field, "is required");
  if (value.size() > max) {
    return Invalid(field, absl::StrCat("is ", value.size(), " characters; at most ", max));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::TaskDefinition> NormalizeTask(const std::string& task_id,
                                                 const v1::TaskDefinition& task) {
  if (!IsSlugid(task_id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "task_id '", task_id, "' is not a slugid (22 characters of URL-safe base64 of a v4 UUID)"));
  }
  v1::TaskDefinition t = task;
  // Queue identity.
  bool has_queue = !t.task_queue_id().empty();
  bool has_pair = !t.provisioner_id().empty() || !t.worker_type().empty();
  if (has_pair && (t.provisioner_id().empty() || t.worker_type().empty())) {
    return Invalid("provisionerId", "provisionerId and workerType go together");
  }
  if (!has_queue && !has_pair) {
    return Invalid("taskQueueId", "is required (or provisionerId and workerType)");
  }
  if (has_queue && has_pair && t.task_queue_id() != t.provisioner_id() + "/" + t.worker_type()) {
    return Invalid("taskQueueId", "must equal provisionerId/workerType when all three are given");
  }
  if (has_queue && !has_pair) {
    size_t slash = t.task_queue_id().find('/');
    if (slash == std::string::npos) {
      return Invalid("taskQueueId", "must look like <provisionerId>/<workerType>");
    }
    t.set_provisioner_id(t.task_queue_id().substr(0, slash));
    t.set_worker_type(t.task_queue_id().substr(slash + 1));
  }
  if (!Matches(t.provisioner_id(), "[a-zA-Z0-9_-]{1,38}")) {
    return Invalid("provisionerId", "must be 1 to 38 of [a-zA-Z0-9_-]");
  }
  if (!Matches(t.worker_type(), "[a-z]([-a-z0-9]{0,36}[a-z0-9])?")) {
    return Invalid("workerType",
                   "must be 1 to 38 lower-case letters, digits and '-', starting with a letter");
  }
  t.set_task_queue_id(t.provisioner_id() + "/" + t.worker_type());

  if (t.scheduler_id().empty()) t.set_scheduler_id("-");
  if (!Matches(t.scheduler_id(), "[a-zA-Z0-9_-]{1,38}")) {
    return Invalid("schedulerId", "must be 1 to 38 of [a-zA-Z0-9_-]");
  }
  if (t.project_id().empty()) t.set_project_id("none");
  if (!Matches(t.project_id(), "[a-zA-Z0-9._/-]{1,500}")) {
    return Invalid("projectId", "must be 1 to 500 of [a-zA-Z0-9._/-]");
  }
  if (t.task_group_id().empty()) t.set_task_group_id(task_id);
  if (!IsSlugid(t.task_group_id())) return Invalid("taskGroupId", "is not a slugid");

  if (t.dependencies_size() > kMaxDependencies) {
    return Invalid("dependencies", absl::StrCat("at most ", kMaxDependencies));
  }
  std::set<std::string> deps;
  for (const std::string& d : t.dependencies()) {
    if (!IsSlugid(d)) return Invalid("dependencies", absl::StrCat("'", d, "' is not a slugid"));
    if (d == task_id) return Invalid("dependencies", "a task cannot depend on itself");
    if (!deps.insert(d).second) return Invalid("dependencies", absl::StrCat("'", d, "' repeats"));
  }
  if (t.requires().empty()) t.set_requires("all-completed");
  if (t.requires() != "all-completed" && t.requires() != "all-resolved") {
    return Invalid("requires", "must be all-completed or all-resolved");
  }
  if (t.routes_size() > kMaxRoutes) return Invalid("routes", absl::StrCat("at most ", kMaxRoutes));
  std::set<std::string> routes;
  for (const std::string& r : t.routes()) {
    if (r.empty() || r.size() > 249) return Invalid("routes", "each must be 1 to 249 characters");
    if (!routes.insert(r).second) return Invalid("routes", absl::StrCat("'", r, "' repeats"));
  }
  if (t.priority().empty()) t.set_priority("lowest");
  if (PriorityRank(t.priority()) < 0) {
    return Invalid("priority", "must be highest, very-high, high, medium, low, very-low or lowest");
  }
  if (!t.has_retries()) t.set_retries(5);
  if (t.retries() < 0 || t.retries() > 49) return Invalid("retries", "must be 0 to 49");
  if (!t.has_created()) return Invalid("created", "is required");
  if (!t.has_deadline()) return Invalid("deadline", "is required");
  for (const auto& [field, ts] :
       {std::pair<const char*, const google::protobuf::Timestamp*>{"task.created", &t.created()},
        {"task.deadline", &t.deadline()},
        {"task.expires", &t.expires()}}) {
    if (absl::Status s = CheckTimestamp(*ts, field); !s.ok()) return s;
  }
  if (!t.has_expires()) {
    // deadline + one calendar year, as Taskcluster.
    absl::Time deadline = FromProtoTimestamp(t.deadline());
    absl::CivilSecond c = absl::ToCivilSecond(deadline, absl::UTCTimeZone());
    absl::CivilSecond next(c.year() + 1, c.month(), c.day(), c.hour(), c.minute(), c.second());
    absl::Time expires = absl::FromCivil(next, absl::UTCTimeZone()) +
                         (deadline - absl::FromCivil(c, absl::UTCTimeZone()));
    *t.mutable_expires() = ToProtoTimestamp(expires);
  }
  for (const std::string& s : t.scopes()) {
    if (!scopes::ValidScope(s)) {
      return Invalid("scopes", absl::StrCat("'", s, "' is not a valid scope"));
    }
    if (absl::EndsWith(s, "**")) {
      return Invalid("scopes", absl::StrCat("'", s, "' ends with '**'; scopes must not"));
    }
  }
  if (!t.has_payload()) t.mutable_payload();
  if (!t.has_metadata()) return Invalid("metadata", "is required");
  const v1::TaskMetadata& m = t.metadata();
  if (absl::Status s = CheckLength("metadata.name", m.name(), 255); !s.ok()) return s;
  if (absl::Status s = CheckLength("metadata.description", m.description(), 32768); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckLength("metadata.owner", m.owner(), 255); !s.ok()) return s;
  if (absl::Status s = CheckLength("metadata.source", m.source(), 4096); !s.ok()) return s;
  if (!Matches(m.source(), "(https?://|ssh://|git@).*")) {
    return Invalid("metadata.source", "must start with http://, https://, ssh:// or git@");
  }
  for (const auto& [key, value] : t.tags()) {
    if (value.size() > 4096) return Invalid("tags", absl::StrCat("'", key, "' is over 4096"));
  }
  if (!t.has_extra()) t.mutable_extra();
  return t;
}

absl::Status CheckTaskTimes(const v1::TaskDefinition& task, absl::Time now,
                            absl::Duration max_deadline) {
  absl::Time created = FromProtoTimestamp(task.created());
  absl::Time deadline = FromProtoTimestamp(task.deadline());
  absl::Time expires = FromProtoTimestamp(task.expires());
  if (created < now - kSkew || created > now + kSkew) {
    return Invalid("created", "must be within 15 minutes of the current time");
  }
  if (deadline < created) return Invalid("deadline", "cannot be before created");
  if (deadline < now) return Invalid("deadline", "cannot be in the past");
  if (deadline > now + max_deadline + kSkew) {
    return Invalid("deadline",
                   absl::StrCat("cannot be more than ", absl::ToInt64Hours(max_deadline) / 24,
                                " days into the future"));
  }
  if (expires < deadline) return Invalid("expires", "cannot be before the deadline");
  return absl::OkStatus();
}

scopes::Expression CreateTaskScopes(const v1::TaskDefinition& t) {
  std::vector<scopes::Expression> all(t.scopes().begin(), t.scopes().end());
  for (const std::string& r : t.routes()) all.push_back("queue:route:" + r);
  all.push_back("queue:create-task:project:" + t.project_id());
  all.push_back("queue:scheduler-id:" + t.scheduler_id());
  std::vector<scopes::Expression> any;
  for (int rank = 6; rank >= PriorityRank(t.priority()); --rank) {
    any.push_back(absl::StrCat("queue:create-task:", kPriorities[rank], ":", t.task_queue_id()));
  }
  all.push_back(scopes::Expression::AnyOf(std::move(any)));
  return scopes::Expression::AllOf(std::move(all));
}

bool SameDefinition(const v1::TaskDefinition& a, const v1::TaskDefinition& b) {
  return google::protobuf::util::MessageDifferencer::Equivalent(a, b);
}

}  // namespace bulwark::taskdef
