#include "services/verifier/service/verifier_engine.h"

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libraries/crypto/encoding.h"
#include "libraries/hookfire/firing.h"
#include "services/verifier/service/json_diff.h"

namespace bulwark::verifier {
namespace {

using nlohmann::json;

constexpr size_t kMaxSignatureBytes = 1024;
constexpr size_t kMaxReportedDifferences = 5;
constexpr char kHookScopePrefix[] = "assume:hook-id:";

// ---------------------------------------------------------------------------------------------
// Small helpers.

// SHA-256 over a stream of chunks, through OpenSSL's EVP interface.
class Sha256Stream {
 public:
  Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
    ok_ = ctx_ != nullptr && EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) == 1;
  }
  ~Sha256Stream() { EVP_MD_CTX_free(ctx_); }
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void Update(absl::string_view chunk) {
    if (ok_ && !chunk.empty()) ok_ = EVP_DigestUpdate(ctx_, chunk.data(), chunk.size()) == 1;
  }
  absl::StatusOr<std::string> HexDigest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!ok_ || EVP_DigestFinal_ex(ctx_, digest, &length) != 1) {
      return absl::InternalError("OpenSSL failed to compute a SHA-256 digest");
    }
    return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
  }

 private:
  EVP_MD_CTX* ctx_;
  bool ok_ = false;
};

// Runs fn(0..n-1) on at most `max_threads` threads.
void ParallelFor(size_t n, int max_threads, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  const size_t threads = std::min<size_t>(n, static_cast<size_t>(std::max(1, max_threads)));
  if (threads == 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < n; i = next++) fn(i);
    });
  }
  for (std::thread& thread : pool) thread.join();
}

std::string StatusText(const absl::Status& s) {
  return absl::StrCat(absl::StatusCodeToString(s.code()), ": ", s.message());
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string Quote(absl::string_view s) { return absl::StrCat("'", s, "'"); }

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

const json* Member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string StringMember(const json& object, const char* key) {
  const json* m = Member(object, key);
  return m != nullptr && m->is_string() ? m->get<std::string>() : std::string();
}

bool IsLowerHex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool ValidTypeName(const std::string& s) {
  if (s.empty() || s.size() > 64 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

CheckResult Pass(const char* name, std::string reason) { return {name, true, std::move(reason)}; }
CheckResult Fail(const char* name, std::string reason) { return {name, false, std::move(reason)}; }
CheckResult NotChecked(const char* name, absl::string_view why) {
  return {name, false, absl::StrCat("not checked: ", why)};
}

// Whether `source` lies in repository `repo` (both compared as given; repo normalized).
bool InRepository(const std::string& source, const std::string& repo) {
  if (repo.empty()) return false;
  return source == repo || absl::StartsWith(source, repo + "/") ||
         NormalizeRepositoryUrl(source) == repo;
}

// Whether the part of `source` after `repo` names `revision` as a whole token.
bool NamesRevision(const std::string& source, const std::string& repo,
                   const std::string& revision) {
  if (source.size() <= repo.size()) return false;
  for (absl::string_view token :
       absl::StrSplit(absl::string_view(source).substr(repo.size()), absl::ByAnyChar("/?#&="))) {
    if (token == revision) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The chain as gathered.

struct UpstreamEntry {
  std::string task_id;
  std::string task_type;
  std::vector<std::string> paths;
  bool optional = false;
};

struct Link {
  std::string name;
  std::string task_id;
  std::string task_type;
  int depth = 1;
  bool is_root = false;

  // From the queue.
  absl::Status definition_status = absl::UnknownError("not fetched");
  json definition;
  absl::Status status_status = absl::UnknownError("not fetched");
  TaskStatusInfo status;
  std::optional<RunInfo> run;         // the latest completed run
  std::optional<RunInfo> latest_run;  // the latest run of any state
  bool cot_expected = true;           // false: the root in before-run mode

  // The run's chain-of-trust.
  absl::Status cot_status = absl::UnknownError("not fetched");
  std::string cot_bytes;
  std::string sig_bytes;
  std::optional<json> cot;  // parsed, when it is a JSON object
  std::string cot_parse_error;

  // Derived from the definition.
  std::string task_group_id;
  std::vector<UpstreamEntry> upstream;
  std::vector<std::string> upstream_problems;
  bool upstream_present = false;
  bool is_decision = false;

  // Decision links.
  absl::Status creator_status = absl::UnknownError("not fetched");
  TaskCreatorInfo creator;
  absl::Status fire_status = absl::UnknownError("not fetched");
  HookFire fire;
  absl::Status version_status = absl::UnknownError("not fetched");
  std::string version_content;
  absl::Status graph_status = absl::UnknownError("not fetched");
  std::string graph_sha256;
  size_t graph_size = 0;
  std::optional<json> graph;
  std::string graph_problem;

  // Results used across checks.
  std::optional<std::string> creator_hook_id;
  std::optional<json> hook_template;
  std::optional<std::string> repository;  // named by the fire, normalized
  std::optional<std::string> revision;    // named by the fire, when the policy reads one
  std::optional<CheckResult> task_graph_result;

  bool fetched() const { return definition_status.ok() && status_status.ok(); }
  std::string pool() const {
    if (status_status.ok() && !status.task_queue_id.empty()) return status.task_queue_id;
    return StringMember(definition, "taskQueueId");
  }
  // The signed artifacts, when the CoT parsed with an `artifacts` object.
  const json* signed_artifacts() const {
    if (!cot.has_value()) return nullptr;
    const json* a = Member(*cot, "artifacts");
    return a != nullptr && a->is_object() ? a : nullptr;
  }
  std::optional<std::string> SignedSha256(const std::string& artifact) const {
    const json* artifacts = signed_artifacts();
    if (artifacts == nullptr) return std::nullopt;
    const json* entry = Member(*artifacts, artifact.c_str());
    if (entry == nullptr) return std::nullopt;
    std::string sha = StringMember(*entry, "sha256");
    if (sha.empty()) return std::nullopt;
    return sha;
  }
};

struct ArtifactJob {
  std::string task_id;
  int run_id = 0;
  std::string name;
  absl::Status status = absl::UnknownError("not streamed");
  std::string sha256;
};

// ---------------------------------------------------------------------------------------------
// One verification.

class Verification {
 public:
  Verification(const Policy& policy, ChainSource& source, Clock& clock,
               const TaskNormalizer& normalizer, const VerifierOptions& options,
               absl::Time deadline, RootMode root_mode)
      : policy_(policy),
        source_(source),
        clock_(clock),
        normalizer_(normalizer),
        options_(options),
        deadline_(deadline),
        root_mode_(root_mode) {}

  VerificationReport Run(const std::string& task_id, const std::string& task_type);

 private:
  Link* AddLink(const std::string& name, const std::string& task_id, const std::string& type,
                int depth);
  Link* LinkById(const std::string& task_id) const {
    auto it = by_id_.find(task_id);
    return it == by_id_.end() ? nullptr : it->second;
  }
  void BuildChain(const std::string& task_id, const std::string& task_type);
  void FetchLink(Link& link);
  void ParseDefinition(Link& link);
  void FetchDecision(Link& link);
  void HashArtifacts();
  absl::StatusOr<std::string> ReadArtifact(const std::string& task_id, int run_id,
                                           const std::string& name, size_t max_bytes);

  // Checks.
  LinkReport CheckLink(Link& link);
  void CheckCot(const Link& link, std::vector<CheckResult>* out);
  CheckResult CheckSignature(const Link& link);
  CheckResult CheckCotFormat(const Link& link);
  CheckResult CheckCotRun(const Link& link);
  CheckResult CheckCotTask(const Link& link);
  CheckResult CheckPool(const Link& link);
  CheckResult CheckInteractive(const Link& link);
  CheckResult CheckUpstreamFormat(const Link& link);
  void CheckArtifacts(const Link& link, std::vector<CheckResult>* out);
  CheckResult CheckMembership(const Link& link);
  CheckResult CheckDecisionGroup(const Link& link);
  CheckResult CheckCreator(Link& link);
  CheckResult CheckFire(const Link& link);
  CheckResult CheckHookVersion(Link& link);
  CheckResult CheckRerender(const Link& link);
  CheckResult CheckSource(Link& link);
  CheckResult CheckTaskGraph(Link& link);
  const CheckResult& TaskGraphResult(Link& decision);
  std::optional<hookfire::FireContext> FireContextOf(const Link& link, std::string* problem) const;

  CheckResult CheckChainLength() const;
  CheckResult CheckCycles() const;
  CheckResult CheckRestrictedScopes();
  CheckResult CheckSameRepository() const;
  CheckResult CheckForeignGraphs() const;
  Link* DecisionOf(const Link& link) const;
  // What an attestation of a passed verification states (report.h).
  std::optional<attest::Provenance> ProvenanceOf(const VerificationReport& report) const;

  const Policy& policy_;
  ChainSource& source_;
  Clock& clock_;
  const TaskNormalizer& normalizer_;
  const VerifierOptions& options_;
  const absl::Time deadline_;
  const RootMode root_mode_;

  std::vector<std::unique_ptr<Link>> links_;
  std::map<std::string, Link*> by_id_;
  std::vector<std::string> not_followed_;
  std::map<std::pair<std::string, std::string>, size_t> job_index_;  // (taskId, name) -> job
  std::vector<ArtifactJob> jobs_;
  bool root_restricted_ = false;
};

Link* Verification::AddLink(const std::string& name, const std::string& task_id,
                            const std::string& type, int depth) {
  auto link = std::make_unique<Link>();
  link->name = name;
  link->task_id = task_id;
  link->task_type = type;
  link->depth = depth;
  link->is_root = links_.empty();
  Link* raw = link.get();
  links_.push_back(std::move(link));
  by_id_[task_id] = raw;
  return raw;
}

absl::StatusOr<std::string> Verification::ReadArtifact(const std::string& task_id, int run_id,
                                                       const std::string& name, size_t max_bytes) {
  std::string data;
  absl::Status s = source_.StreamArtifact(
      task_id, run_id, name, deadline_, [&](absl::string_view chunk) -> absl::Status {
        if (data.size() + chunk.size() > max_bytes) {
          return absl::ResourceExhaustedError(
              absl::StrCat(name, " is larger than ", max_bytes, " bytes"));
        }
        data.append(chunk.data(), chunk.size());
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return data;
}

void Verification::FetchLink(Link& link) {
  absl::StatusOr<json> definition = source_.GetTaskDefinition(link.task_id, deadline_);
  if (definition.ok() && !definition->is_object()) {
    definition = absl::InvalidArgumentError("the queue's task definition is not a JSON object");
  }
  link.definition_status = definition.status();
  if (definition.ok()) link.definition = *std::move(definition);
  absl::StatusOr<TaskStatusInfo> status = source_.GetTaskStatus(link.task_id, deadline_);
  link.status_status = status.status();
  if (status.ok()) link.status = *std::move(status);
  if (!link.fetched()) return;
  ParseDefinition(link);

  for (const RunInfo& run : link.status.runs) {
    if (!link.latest_run.has_value() || run.run_id > link.latest_run->run_id) link.latest_run = run;
    if (run.state == RunState::kCompleted &&
        (!link.run.has_value() || run.run_id > link.run->run_id)) {
      link.run = run;
    }
  }
  if (link.is_root) {
    switch (root_mode_) {
      case RootMode::kBeforeRun:
        link.cot_expected = false;
        break;
      case RootMode::kCompleted:
        link.cot_expected = true;
        break;
      case RootMode::kAuto:
        link.cot_expected =
            link.latest_run.has_value() && link.latest_run->state == RunState::kCompleted;
        break;
    }
  }
  if (!link.cot_expected || !link.run.has_value()) return;

  absl::StatusOr<std::string> cot =
      ReadArtifact(link.task_id, link.run->run_id, kChainOfTrustArtifact, options_.max_cot_bytes);
  if (!cot.ok()) {
    link.cot_status = absl::Status(
        cot.status().code(), absl::StrCat(kChainOfTrustArtifact, ": ", cot.status().message()));
    return;
  }
  absl::StatusOr<std::string> sig = ReadArtifact(
      link.task_id, link.run->run_id, kChainOfTrustSignatureArtifact, kMaxSignatureBytes);
  if (!sig.ok()) {
    link.cot_status = absl::Status(sig.status().code(), absl::StrCat(kChainOfTrustSignatureArtifact,
                                                                     ": ", sig.status().message()));
    return;
  }
  link.cot_status = absl::OkStatus();
  link.cot_bytes = *std::move(cot);
  link.sig_bytes = *std::move(sig);
  try {
    json parsed = json::parse(link.cot_bytes);
    if (parsed.is_object()) {
      link.cot = std::move(parsed);
    } else {
      link.cot_parse_error =
          absl::StrCat("the document is a JSON ", parsed.type_name(), ", not an object");
    }
  } catch (const json::exception& e) {
    link.cot_parse_error = absl::StrCat("the document is not JSON: ", e.what());
  }
}

void Verification::ParseDefinition(Link& link) {
  link.task_group_id = StringMember(link.definition, "taskGroupId");
  const json* payload = Member(link.definition, "payload");
  const json* upstream = payload != nullptr ? Member(*payload, "upstreamArtifacts") : nullptr;
  if (upstream == nullptr) return;
  link.upstream_present = true;
  if (!upstream->is_array()) {
    link.upstream_problems.push_back(absl::StrCat("payload.upstreamArtifacts is a JSON ",
                                                  upstream->type_name(), ", not an array"));
    return;
  }
  for (size_t i = 0; i < upstream->size(); ++i) {
    const json& e = (*upstream)[i];
    const std::string where = absl::StrCat("payload.upstreamArtifacts[", i, "]");
    std::vector<std::string> problems;
    UpstreamEntry entry;
    if (!e.is_object()) {
      link.upstream_problems.push_back(absl::StrCat(where, " is not an object"));
      continue;
    }
    entry.task_id = StringMember(e, "taskId");
    entry.task_type = StringMember(e, "taskType");
    if (entry.task_id.empty()) problems.push_back("taskId must be a non-empty string");
    if (!ValidTypeName(entry.task_type)) {
      problems.push_back("taskType must be a task type name ([a-z][a-z0-9-]*)");
    }
    const json* paths = Member(e, "paths");
    if (paths == nullptr || !paths->is_array() || paths->empty()) {
      problems.push_back("paths must be a non-empty array of artifact names");
    } else {
      for (const json& p : *paths) {
        if (!p.is_string() || p.get<std::string>().empty()) {
          problems.push_back("every path must be a non-empty string");
          continue;
        }
        const std::string path = p.get<std::string>();
        if (absl::StrContains(path, "*")) {
          problems.push_back(absl::StrCat("path ", Quote(path),
                                          " is a glob; name each artifact (globs are not "
                                          "verified)"));
        } else if (absl::StartsWith(path, "/") ||
                   absl::c_linear_search(absl::StrSplit(path, '/'), "..")) {
          problems.push_back(
              absl::StrCat("path ", Quote(path), " is not a relative artifact name"));
        } else {
          entry.paths.push_back(path);
        }
      }
    }
    if (const json* optional = Member(e, "optional")) {
      if (!optional->is_boolean()) {
        problems.push_back("optional must be a boolean");
      } else {
        entry.optional = optional->get<bool>();
      }
    }
    if (!problems.empty()) {
      link.upstream_problems.push_back(absl::StrCat(where, ": ", absl::StrJoin(problems, "; ")));
      continue;
    }
    link.upstream.push_back(std::move(entry));
  }
}

void Verification::FetchDecision(Link& link) {
  absl::StatusOr<TaskCreatorInfo> creator = source_.GetTaskCreator(link.task_id, deadline_);
  link.creator_status = creator.status();
  if (creator.ok()) link.creator = *std::move(creator);

  absl::StatusOr<HookFire> fire = source_.GetHookFire(link.task_id, deadline_);
  link.fire_status = fire.status();
  if (fire.ok()) {
    link.fire = *std::move(fire);
    absl::StatusOr<std::string> version =
        source_.GetHookVersion(absl::AsciiStrToLower(link.fire.hook_version_sha256), deadline_);
    link.version_status = version.status();
    if (version.ok()) link.version_content = *std::move(version);
  }

  if (!link.cot_expected || !link.run.has_value()) return;
  Sha256Stream hasher;
  std::string data;
  bool too_big = false;
  link.graph_status = source_.StreamArtifact(
      link.task_id, link.run->run_id, kTaskGraphArtifact, deadline_,
      [&](absl::string_view chunk) -> absl::Status {
        hasher.Update(chunk);
        link.graph_size += chunk.size();
        if (!too_big && data.size() + chunk.size() > options_.max_task_graph_bytes) {
          too_big = true;
          std::string().swap(data);
        }
        if (!too_big) data.append(chunk.data(), chunk.size());
        return absl::OkStatus();
      });
  if (!link.graph_status.ok()) return;
  absl::StatusOr<std::string> digest = hasher.HexDigest();
  if (!digest.ok()) {
    link.graph_status = digest.status();
    return;
  }
  link.graph_sha256 = *digest;
  if (too_big) {
    link.graph_problem =
        absl::StrCat(kTaskGraphArtifact, " is ", link.graph_size, " bytes, more than the ",
                     options_.max_task_graph_bytes, " the verifier parses");
    return;
  }
  try {
    link.graph = json::parse(data);
  } catch (const json::exception& e) {
    link.graph_problem = absl::StrCat(kTaskGraphArtifact, " is not JSON: ", e.what());
  }
}

void Verification::BuildChain(const std::string& task_id, const std::string& task_type) {
  std::vector<Link*> frontier = {AddLink(task_type, task_id, task_type, 1)};
  while (!frontier.empty()) {
    ParallelFor(frontier.size(), options_.max_concurrency,
                [&](size_t i) { FetchLink(*frontier[i]); });
    std::vector<Link*> next;
    for (Link* link : frontier) {
      if (!link->fetched()) continue;
      std::vector<std::pair<std::string, std::string>> children;  // (type, taskId)
      if (!link->task_group_id.empty() && link->task_group_id != link->task_id) {
        children.emplace_back("decision", link->task_group_id);
      }
      for (const UpstreamEntry& e : link->upstream) children.emplace_back(e.task_type, e.task_id);
      for (const auto& [type, id] : children) {
        if (by_id_.count(id) > 0) continue;
        const std::string name = absl::StrCat(link->name, ":", type);
        const int depth = link->depth + 1;
        if (depth > policy_.max_chain_length()) {
          not_followed_.push_back(absl::StrCat(name, " (", id, ") would be ", depth,
                                               " segments deep, more than maxChainLength ",
                                               policy_.max_chain_length()));
          continue;
        }
        if (static_cast<int>(links_.size()) >= policy_.max_links()) {
          not_followed_.push_back(absl::StrCat(name, " (", id, "): the chain already has ",
                                               links_.size(), " links (maxLinks ",
                                               policy_.max_links(), ")"));
          continue;
        }
        next.push_back(AddLink(name, id, type, depth));
      }
    }
    frontier = std::move(next);
  }

  // Decision links: a task heading its own group, the group head of any link, or typed decision.
  for (const auto& link : links_) {
    if (link->task_type == "decision") link->is_decision = true;
    if (!link->fetched()) continue;
    if (link->task_group_id == link->task_id) {
      link->is_decision = true;
    } else if (Link* d = LinkById(link->task_group_id)) {
      d->is_decision = true;
    }
  }
  std::vector<Link*> decisions;
  for (const auto& link : links_) {
    if (link->is_decision && link->fetched()) decisions.push_back(link.get());
  }
  ParallelFor(decisions.size(), options_.max_concurrency,
              [&](size_t i) { FetchDecision(*decisions[i]); });
}

void Verification::HashArtifacts() {
  for (const auto& link : links_) {
    for (const UpstreamEntry& e : link->upstream) {
      Link* up = LinkById(e.task_id);
      if (up == nullptr || !up->run.has_value()) continue;
      for (const std::string& path : e.paths) {
        if (!up->SignedSha256(path).has_value()) continue;  // nothing to compare with
        auto key = std::make_pair(e.task_id, path);
        if (job_index_.count(key) > 0) continue;
        job_index_[key] = jobs_.size();
        ArtifactJob job;
        job.task_id = e.task_id;
        job.run_id = up->run->run_id;
        job.name = path;
        jobs_.push_back(std::move(job));
      }
    }
  }
  ParallelFor(jobs_.size(), options_.max_concurrency, [&](size_t i) {
    ArtifactJob& job = jobs_[i];
    Sha256Stream hasher;
    job.status = source_.StreamArtifact(job.task_id, job.run_id, job.name, deadline_,
                                        [&](absl::string_view chunk) {
                                          hasher.Update(chunk);
                                          return absl::OkStatus();
                                        });
    if (!job.status.ok()) return;
    absl::StatusOr<std::string> digest = hasher.HexDigest();
    job.status = digest.status();
    if (digest.ok()) job.sha256 = *digest;
  });
}

// ---------------------------------------------------------------------------------------------
// Link checks.

CheckResult Verification::CheckSignature(const Link& link) {
  const std::string pool = link.pool();
  if (!link.run->resolved.has_value()) {
    return Fail(checks::kCotSignature,
                absl::StrCat("run ", link.run->run_id,
                             " has no resolution time, so no key window can be checked"));
  }
  const absl::Time at = *link.run->resolved;
  if (link.sig_bytes.size() != crypto::kEd25519SignatureBytes) {
    return Fail(checks::kCotSignature,
                absl::StrCat(kChainOfTrustSignatureArtifact, " is ", link.sig_bytes.size(),
                             " bytes, not a raw 64-byte Ed25519 signature"));
  }
  std::vector<const WorkerKey*> candidates = policy_.KeysFor(pool, at);
  for (const WorkerKey* key : candidates) {
    if (key->public_key.Verify(link.cot_bytes, link.sig_bytes)) {
      return Pass(
          checks::kCotSignature,
          absl::StrCat("verified with key ", Quote(key->id), ", trusted for pool ", pool,
                       " and valid at ", Rfc3339(at), " when run ", link.run->run_id, " resolved"));
    }
  }
  std::vector<std::string> why;
  std::vector<const WorkerKey*> pool_keys = policy_.KeysForPool(pool);
  if (pool_keys.empty()) {
    why.push_back(absl::StrCat("the policy trusts no key for pool ", pool));
  } else if (candidates.empty()) {
    std::vector<std::string> windows;
    windows.reserve(pool_keys.size());
    for (const WorkerKey* k : pool_keys) {
      windows.push_back(absl::StrCat(Quote(k->id), " [", Rfc3339(k->not_before), ", ",
                                     Rfc3339(k->not_after), ")"));
    }
    why.push_back(absl::StrCat("no key trusted for pool ", pool, " is valid at ", Rfc3339(at),
                               ", when run ", link.run->run_id,
                               " resolved (keys: ", absl::StrJoin(windows, ", "), ")"));
  } else {
    std::vector<std::string> tried;
    tried.reserve(candidates.size());
    for (const WorkerKey* k : candidates) tried.push_back(Quote(k->id));
    why.push_back(absl::StrCat("the signature does not verify with any key trusted for pool ", pool,
                               " at ", Rfc3339(at), " (tried ", absl::StrJoin(tried, ", "), ")"));
  }
  // Say which key does verify, if any: the usual mistakes are a key of another pool and a key
  // outside its window.
  for (const WorkerKey& k : policy_.keys()) {
    if (std::find(candidates.begin(), candidates.end(), &k) != candidates.end()) continue;
    if (!k.public_key.Verify(link.cot_bytes, link.sig_bytes)) continue;
    if (k.pools.count(pool) > 0) {
      why.push_back(absl::StrCat("it verifies with key ", Quote(k.id), ", trusted for ", pool,
                                 " only in [", Rfc3339(k.not_before), ", ", Rfc3339(k.not_after),
                                 ")"));
    } else {
      why.push_back(absl::StrCat("it verifies with key ", Quote(k.id),
                                 ", which is trusted only for pools ",
                                 absl::StrJoin(k.pools, ", ")));
    }
  }
  return Fail(checks::kCotSignature, absl::StrJoin(why, "; "));
}

CheckResult Verification::CheckCotFormat(const Link& link) {
  if (!link.cot.has_value()) return Fail(checks::kCotFormat, link.cot_parse_error);
  const json& cot = *link.cot;
  std::vector<std::string> problems;
  const json* version = Member(cot, "chainOfTrustVersion");
  if (version == nullptr || !version->is_number_integer() || version->get<int64_t>() != 1) {
    problems.push_back("chainOfTrustVersion must be 1");
  }
  for (const char* field : {"taskId", "workerGroup", "workerId"}) {
    const json* m = Member(cot, field);
    if (m == nullptr || !m->is_string() || m->get<std::string>().empty()) {
      problems.push_back(absl::StrCat(field, " must be a non-empty string"));
    }
  }
  const json* run_id = Member(cot, "runId");
  if (run_id == nullptr || !run_id->is_number_integer() || run_id->get<int64_t>() < 0) {
    problems.push_back("runId must be a non-negative integer");
  }
  for (const char* field : {"task", "environment"}) {
    const json* m = Member(cot, field);
    if (m == nullptr || !m->is_object()) {
      problems.push_back(absl::StrCat(field, " must be an object"));
    }
  }
  const json* artifacts = Member(cot, "artifacts");
  if (artifacts == nullptr || !artifacts->is_object()) {
    problems.push_back("artifacts must be an object");
  } else {
    for (const auto& [name, entry] : artifacts->items()) {
      const bool ok = entry.is_object() && entry.size() == 1 && entry.contains("sha256") &&
                      entry["sha256"].is_string() &&
                      IsLowerHex64(entry["sha256"].get<std::string>());
      if (!ok) {
        problems.push_back(absl::StrCat("artifacts[", Quote(name),
                                        "] must be {\"sha256\": <64 lowercase hex digits>}"));
      }
      if (problems.size() > 10) break;
    }
  }
  if (!problems.empty()) return Fail(checks::kCotFormat, absl::StrJoin(problems, "; "));
  return Pass(checks::kCotFormat,
              absl::StrCat("chainOfTrustVersion 1 with ", artifacts->size(), " signed artifacts"));
}

CheckResult Verification::CheckCotRun(const Link& link) {
  if (!link.cot.has_value()) {
    return NotChecked(checks::kCotRun, "the chain-of-trust document is not a JSON object");
  }
  const json& cot = *link.cot;
  const RunInfo& run = *link.run;
  std::vector<std::string> problems;
  auto compare = [&](const char* field, const std::string& queue_value) {
    const json* m = Member(cot, field);
    const std::string signed_value = m == nullptr ? "absent" : Dump(*m);
    if (m == nullptr || !m->is_string() || m->get<std::string>() != queue_value) {
      problems.push_back(absl::StrCat("signed ", field, " ", signed_value, ", but the queue's run ",
                                      run.run_id, " has ", Quote(queue_value)));
    }
  };
  compare("taskId", link.task_id);
  const json* run_id = Member(cot, "runId");
  if (run_id == nullptr || !run_id->is_number_integer() || run_id->get<int64_t>() != run.run_id) {
    problems.push_back(absl::StrCat("signed runId ", run_id == nullptr ? "absent" : Dump(*run_id),
                                    ", but the verifier uses run ", run.run_id,
                                    " (the latest completed run)"));
  }
  compare("workerGroup", run.worker_group);
  compare("workerId", run.worker_id);
  if (!problems.empty()) return Fail(checks::kCotRun, absl::StrJoin(problems, "; "));
  return Pass(
      checks::kCotRun,
      absl::StrCat("signed taskId, runId ", run.run_id, ", workerGroup ", Quote(run.worker_group),
                   " and workerId ", Quote(run.worker_id), " match the queue's run ", run.run_id));
}

CheckResult Verification::CheckCotTask(const Link& link) {
  const json* task = link.cot.has_value() ? Member(*link.cot, "task") : nullptr;
  if (task == nullptr) {
    return NotChecked(checks::kCotTaskDefinition, "the chain-of-trust document has no task");
  }
  std::vector<JsonDifference> d = JsonDiff(*task, link.definition, kMaxReportedDifferences);
  if (!d.empty()) {
    return Fail(checks::kCotTaskDefinition,
                absl::StrCat("the signed task definition differs from the queue's: ",
                             DescribeDifferences(d, "signed", "queue")));
  }
  return Pass(checks::kCotTaskDefinition, "the signed task definition equals the queue's");
}

CheckResult Verification::CheckPool(const Link& link) {
  const std::string pool = link.pool();
  std::vector<std::string> problems;
  if (!policy_.TaskTypeKnown(link.task_type)) {
    problems.push_back(
        absl::StrCat("task type ", Quote(link.task_type), " is not in the policy's taskTypes"));
  } else if (!policy_.PoolAllowed(link.task_type, pool)) {
    problems.push_back(absl::StrCat(
        "pool ", Quote(pool), " is not allowed for ", link.task_type,
        " tasks (allowed: ", absl::StrJoin(policy_.PoolsFor(link.task_type), ", "), ")"));
  }
  if (link.is_decision && link.task_type != "decision") {
    if (!policy_.PoolAllowed("decision", pool)) {
      problems.push_back(
          absl::StrCat("the task is the decision task of the chain's links, but pool ", Quote(pool),
                       " is not a decision pool"));
    }
  }
  if (!problems.empty()) return Fail(checks::kPolicyPool, absl::StrJoin(problems, "; "));
  return Pass(checks::kPolicyPool, absl::StrCat("pool ", pool, " is allowed for ", link.task_type,
                                                link.is_decision ? " and is a decision pool" : ""));
}

CheckResult Verification::CheckInteractive(const Link& link) {
  std::vector<std::string> problems;
  const json* payload = Member(link.definition, "payload");
  if (payload != nullptr && !payload->is_object()) problems.push_back("payload is not an object");
  if (payload != nullptr && payload->is_object()) {
    if (const json* features = Member(*payload, "features")) {
      if (!features->is_object()) {
        problems.push_back("payload.features is not an object");
      } else if (const json* interactive = Member(*features, "interactive")) {
        if (!(interactive->is_boolean() && !interactive->get<bool>())) {
          problems.push_back(absl::StrCat("payload.features.interactive is ", Dump(*interactive)));
        }
      }
    }
    if (const json* env = Member(*payload, "env")) {
      if (!env->is_object()) {
        problems.push_back("payload.env is not an object");
      } else if (env->contains("TASKCLUSTER_INTERACTIVE")) {
        problems.push_back("payload.env sets TASKCLUSTER_INTERACTIVE");
      }
    }
    if (payload->contains("rdpInfo")) problems.push_back("payload.rdpInfo is set");
  }
  if (const json* scopes = Member(link.definition, "scopes");
      scopes != nullptr && scopes->is_array()) {
    for (const json& s : *scopes) {
      if (!s.is_string()) continue;
      const std::string scope = s.get<std::string>();
      for (const char* interactive :
           {"generic-worker:allow-rdp:", "docker-worker:feature:interactive"}) {
        const bool grants =
            absl::StartsWith(scope, interactive) ||
            (absl::EndsWith(scope, "*") &&
             absl::StartsWith(interactive, absl::string_view(scope).substr(0, scope.size() - 1)));
        if (grants) {
          problems.push_back(absl::StrCat("scope ", Quote(scope), " grants interactive access (",
                                          interactive, ")"));
          break;
        }
      }
    }
  }
  if (!problems.empty()) return Fail(checks::kPolicyNotInteractive, absl::StrJoin(problems, "; "));
  return Pass(checks::kPolicyNotInteractive, "no interactive feature, environment or scope");
}

CheckResult Verification::CheckUpstreamFormat(const Link& link) {
  if (!link.upstream_problems.empty()) {
    return Fail(checks::kPayloadUpstreamArtifacts,
                absl::StrCat(absl::StrJoin(link.upstream_problems, "; "),
                             " (malformed entries are not followed)"));
  }
  if (!link.upstream_present) return Pass(checks::kPayloadUpstreamArtifacts, "none");
  size_t paths = 0;
  for (const UpstreamEntry& e : link.upstream) paths += e.paths.size();
  return Pass(checks::kPayloadUpstreamArtifacts,
              absl::StrCat(link.upstream.size(), " upstream tasks, ", paths, " artifacts"));
}

void Verification::CheckArtifacts(const Link& link, std::vector<CheckResult>* out) {
  const char* name = checks::kArtifactSha256;
  for (const UpstreamEntry& e : link.upstream) {
    Link* up = LinkById(e.task_id);
    for (const std::string& path : e.paths) {
      const std::string what = absl::StrCat(path, " of ", e.task_type, " task ", e.task_id);
      if (up == nullptr) {
        out->push_back(NotChecked(
            name, absl::StrCat(what, ": the task is not in the chain (see chain.length)")));
        continue;
      }
      if (!up->fetched()) {
        out->push_back(NotChecked(
            name,
            absl::StrCat(what, ": the task could not be read (see link.fetch of ", up->name, ")")));
        continue;
      }
      if (!up->run.has_value()) {
        out->push_back(NotChecked(name, absl::StrCat(what, ": the task has no completed run")));
        continue;
      }
      const std::string in_run =
          absl::StrCat(path, " of ", up->name, " (", e.task_id, ") run ", up->run->run_id);
      if (!up->cot.has_value()) {
        out->push_back(NotChecked(
            name, absl::StrCat(in_run, ": its chain-of-trust is unavailable (see cot.fetch of ",
                               up->name, ")")));
        continue;
      }
      std::optional<std::string> signed_sha = up->SignedSha256(path);
      if (!signed_sha.has_value()) {
        if (e.optional) {
          out->push_back(Pass(name, absl::StrCat(in_run,
                                                 ": optional, and not among the signed "
                                                 "artifacts (not produced)")));
        } else {
          out->push_back(
              Fail(name, absl::StrCat(in_run,
                                      ": not among the signed artifacts (the task did "
                                      "not produce it, or its worker did not sign it)")));
        }
        continue;
      }
      const ArtifactJob& job = jobs_[job_index_.at({e.task_id, path})];
      if (!job.status.ok()) {
        out->push_back(
            Fail(name, absl::StrCat(in_run, ": could not be streamed: ", StatusText(job.status))));
      } else if (job.sha256 != *signed_sha) {
        out->push_back(
            Fail(name, absl::StrCat(in_run, ": streamed bytes hash to sha256 ", job.sha256,
                                    ", but the signed sha256 is ", *signed_sha)));
      } else {
        out->push_back(Pass(name, absl::StrCat(in_run, ": sha256 ", job.sha256,
                                               " matches the chain-of-trust's sha256")));
      }
    }
  }
}

Link* Verification::DecisionOf(const Link& link) const {
  if (link.task_group_id.empty()) return nullptr;
  return LinkById(link.task_group_id);
}

const CheckResult& Verification::TaskGraphResult(Link& d) {
  if (!d.task_graph_result.has_value()) d.task_graph_result = CheckTaskGraph(d);
  return *d.task_graph_result;
}

CheckResult Verification::CheckTaskGraph(Link& d) {
  const char* name = checks::kDecisionTaskGraph;
  if (!d.fetched()) return NotChecked(name, "the decision task could not be read");
  if (!d.cot_expected) return NotChecked(name, "the decision task has not run yet");
  if (!d.run.has_value()) return NotChecked(name, "the decision task has no completed run");
  if (!d.cot.has_value()) {
    return NotChecked(name, "the decision task's chain-of-trust is unavailable (see cot.fetch)");
  }
  std::optional<std::string> signed_sha = d.SignedSha256(kTaskGraphArtifact);
  if (!signed_sha.has_value()) {
    return Fail(name, absl::StrCat(kTaskGraphArtifact, " is not among the signed artifacts of run ",
                                   d.run->run_id));
  }
  if (!d.graph_status.ok()) {
    return Fail(name, absl::StrCat(kTaskGraphArtifact, " of run ", d.run->run_id,
                                   " could not be streamed: ", StatusText(d.graph_status)));
  }
  if (d.graph_sha256 != *signed_sha) {
    return Fail(name, absl::StrCat(kTaskGraphArtifact, " of run ", d.run->run_id,
                                   ": streamed bytes hash to sha256 ", d.graph_sha256,
                                   ", but the signed sha256 is ", *signed_sha));
  }
  if (!d.graph_problem.empty()) return Fail(name, d.graph_problem);
  if (!d.graph->is_object()) {
    return Fail(name, absl::StrCat(kTaskGraphArtifact, " is a JSON ", d.graph->type_name(),
                                   ", not an object {taskId: {task: ...}}"));
  }
  for (const auto& [id, entry] : d.graph->items()) {
    const json* task = Member(entry, "task");
    if (task == nullptr || !task->is_object()) {
      return Fail(name,
                  absl::StrCat(kTaskGraphArtifact, " entry ", Quote(id), " has no task object"));
    }
  }
  return Pass(name, absl::StrCat(kTaskGraphArtifact, " of run ", d.run->run_id, " (",
                                 d.graph->size(), " tasks): sha256 matches the signed hash"));
}

CheckResult Verification::CheckMembership(const Link& link) {
  const char* name = checks::kGraphMembership;
  if (link.task_group_id.empty()) return Fail(name, "the task has no taskGroupId");
  Link* d = DecisionOf(link);
  if (d == nullptr) {
    return NotChecked(name, absl::StrCat("its decision task ", link.task_group_id,
                                         " is not in the chain (see chain.length)"));
  }
  const CheckResult& graph = TaskGraphResult(*d);
  if (!graph.passed) {
    return NotChecked(name,
                      absl::StrCat("the task graph of decision task ", d->task_id,
                                   " is not verified (see decision.task-graph of ", d->name, ")"));
  }
  const json* entry = Member(*d->graph, link.task_id.c_str());
  if (entry == nullptr) {
    return Fail(name, absl::StrCat("task ", link.task_id, " is not in ", kTaskGraphArtifact,
                                   " of decision task ", d->task_id, " (run ", d->run->run_id,
                                   "): its decision task did not create it"));
  }
  const json* task = Member(*entry, "task");
  if (task == nullptr || !task->is_object()) {
    return Fail(name, absl::StrCat("the entry of task ", link.task_id, " in ", kTaskGraphArtifact,
                                   " has no task object"));
  }
  absl::StatusOr<json> normalized = normalizer_(link.task_id, *task);
  if (!normalized.ok()) {
    return Fail(name, absl::StrCat("the task graph's definition of ", link.task_id,
                                   " is not a valid task: ", normalized.status().message()));
  }
  std::vector<JsonDifference> diff =
      JsonDiff(*normalized, link.definition, kMaxReportedDifferences);
  if (!diff.empty()) {
    return Fail(name, absl::StrCat("the definition in ", kTaskGraphArtifact, " of decision task ",
                                   d->task_id, " differs from the queue's: ",
                                   DescribeDifferences(diff, "graph", "queue")));
  }
  return Pass(name, absl::StrCat("in ", kTaskGraphArtifact, " of decision task ", d->task_id,
                                 " (run ", d->run->run_id, ") with an equal definition"));
}

CheckResult Verification::CheckDecisionGroup(const Link& link) {
  if (link.task_group_id != link.task_id) {
    return Fail(checks::kDecisionGroup,
                absl::StrCat("a decision task heads its own task group, but taskGroupId is ",
                             Quote(link.task_group_id)));
  }
  return Pass(checks::kDecisionGroup, "taskGroupId is the task's own id");
}

CheckResult Verification::CheckCreator(Link& link) {
  const char* name = checks::kDecisionCreator;
  if (!link.creator_status.ok()) {
    return Fail(name, absl::StrCat("the queue's creator record could not be read: ",
                                   StatusText(link.creator_status)));
  }
  const TaskCreatorInfo& c = link.creator;
  std::vector<std::string> problems;
  if (c.client_id != options_.hooks_client_id) {
    problems.push_back(absl::StrCat("created by client ", Quote(c.client_id), ", not by the hooks ",
                                    "service (", options_.hooks_client_id,
                                    "): a decision task must come from a hook fire"));
  }
  std::string hook_id;
  if (c.authorized_scopes.size() == 1 &&
      absl::StartsWith(c.authorized_scopes[0], kHookScopePrefix)) {
    hook_id = c.authorized_scopes[0].substr(strlen(kHookScopePrefix));
  }
  if (hook_id.empty() || !absl::StrContains(hook_id, "/") || absl::StrContains(hook_id, "*")) {
    problems.push_back(absl::StrCat("authorizedScopes [", absl::StrJoin(c.authorized_scopes, ", "),
                                    "] are not exactly [assume:hook-id:<hookGroupId>/<hookId>]"));
    hook_id.clear();
  } else {
    link.creator_hook_id = hook_id;
    if (policy_.HookAllowed(hook_id) == nullptr) {
      problems.push_back(absl::StrCat("hook ", hook_id,
                                      " may not start a chain (it is not in the policy's hooks)"));
    }
  }
  if (!problems.empty()) return Fail(name, absl::StrJoin(problems, "; "));
  return Pass(name, absl::StrCat("created by ", c.client_id, " acting as hook-id:", hook_id,
                                 ", a hook the policy allows"));
}

CheckResult Verification::CheckFire(const Link& link) {
  const char* name = checks::kDecisionFire;
  if (!link.fire_status.ok()) {
    return Fail(name, absl::StrCat("no hook fire is recorded as creating task ", link.task_id, ": ",
                                   StatusText(link.fire_status)));
  }
  const HookFire& f = link.fire;
  const std::string hook_id = absl::StrCat(f.hook_group_id, "/", f.hook_id);
  std::vector<std::string> problems;
  if (f.task_id != link.task_id) {
    problems.push_back(absl::StrCat("the fire record is for task ", Quote(f.task_id)));
  }
  if (link.creator_hook_id.has_value() && *link.creator_hook_id != hook_id) {
    problems.push_back(
        absl::StrCat("the fire is of hook ", hook_id,
                     ", but the creator record acted as hook-id:", *link.creator_hook_id));
  }
  if (policy_.HookAllowed(hook_id) == nullptr) {
    problems.push_back(absl::StrCat("hook ", hook_id, " may not start a chain"));
  }
  if (!problems.empty()) return Fail(name, absl::StrJoin(problems, "; "));
  return Pass(name, absl::StrCat("hook ", hook_id, " fired (", f.fired_by, " at ", f.now,
                                 ") and created this task"));
}

CheckResult Verification::CheckHookVersion(Link& link) {
  const char* name = checks::kDecisionHookVersion;
  if (!link.fire_status.ok()) return NotChecked(name, "no fire record (see decision.fire)");
  const HookFire& f = link.fire;
  const std::string want = absl::AsciiStrToLower(f.hook_version_sha256);
  if (!link.version_status.ok()) {
    return Fail(name, absl::StrCat("hook version ", want, " recorded by the fire is unavailable: ",
                                   StatusText(link.version_status)));
  }
  const std::string got = absl::BytesToHexString(crypto::Sha256(link.version_content));
  if (got != want) {
    return Fail(name, absl::StrCat("the hook version's bytes hash to sha256 ", got,
                                   ", not the sha256 ", want, " the fire recorded"));
  }
  json version;
  try {
    version = json::parse(link.version_content);
  } catch (const json::exception& e) {
    return Fail(name, absl::StrCat("hook version ", want, " is not JSON: ", e.what()));
  }
  const json* task = Member(version, "task");
  if (task == nullptr) {
    return Fail(name, absl::StrCat("hook version ", want, " has no task template"));
  }
  const std::string group = StringMember(version, "hookGroupId");
  const std::string id = StringMember(version, "hookId");
  if ((version.contains("hookGroupId") && group != f.hook_group_id) ||
      (version.contains("hookId") && id != f.hook_id)) {
    return Fail(name, absl::StrCat("hook version ", want, " belongs to hook ", group, "/", id,
                                   ", not to the fired hook ", f.hook_group_id, "/", f.hook_id));
  }
  link.hook_template = *task;
  return Pass(name, absl::StrCat("version ", want.substr(0, 12), " of hook ", f.hook_group_id, "/",
                                 f.hook_id, " (its bytes hash to the recorded sha256)"));
}

std::optional<hookfire::FireContext> Verification::FireContextOf(const Link& link,
                                                                 std::string* problem) const {
  const HookFire& f = link.fire;
  absl::Time now;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, f.now, &now, &error)) {
    *problem = absl::StrCat("the fire's recorded now ", Quote(f.now), " is not an RFC 3339 time");
    return std::nullopt;
  }
  return hookfire::FireContext{f.fired_by, f.payload, f.client_id, now, f.task_id};
}

CheckResult Verification::CheckRerender(const Link& link) {
  const char* name = checks::kDecisionRerender;
  if (!link.hook_template.has_value()) {
    return NotChecked(name, "no verified hook version (see decision.hook-version)");
  }
  std::string problem;
  std::optional<hookfire::FireContext> context = FireContextOf(link, &problem);
  if (!context.has_value()) return Fail(name, problem);
  absl::StatusOr<std::optional<json>> rendered =
      hookfire::RenderTask(*link.hook_template, *context);
  if (!rendered.ok()) {
    return Fail(name, absl::StrCat("rendering the hook's template with the recorded context "
                                   "failed: ",
                                   rendered.status().message()));
  }
  if (!rendered->has_value()) {
    return Fail(name, "the hook's template renders to no task with the recorded context");
  }
  absl::StatusOr<json> normalized = normalizer_(link.task_id, **rendered);
  if (!normalized.ok()) {
    return Fail(name, absl::StrCat("the re-rendered task is not a valid task: ",
                                   normalized.status().message()));
  }
  std::vector<JsonDifference> diff =
      JsonDiff(*normalized, link.definition, kMaxReportedDifferences);
  if (!diff.empty()) {
    return Fail(name, absl::StrCat("re-rendering the hook version with the recorded context does "
                                   "not give the queue's definition: ",
                                   DescribeDifferences(diff, "re-rendered", "queue")));
  }
  return Pass(name, absl::StrCat("re-rendering the hook version with the recorded context (",
                                 link.fire.fired_by, ", now ", link.fire.now,
                                 ") gives exactly the queue's definition"));
}

CheckResult Verification::CheckSource(Link& link) {
  const char* name = checks::kDecisionSource;
  if (!link.fire_status.ok()) return NotChecked(name, "no fire record (see decision.fire)");
  const std::string hook_id = absl::StrCat(link.fire.hook_group_id, "/", link.fire.hook_id);
  const HookRule* rule = policy_.HookAllowed(hook_id);
  if (rule == nullptr) {
    return NotChecked(name, absl::StrCat("hook ", hook_id, " is not in the policy's hooks"));
  }
  std::string problem;
  std::optional<hookfire::FireContext> context = FireContextOf(link, &problem);
  if (!context.has_value()) return Fail(name, problem);
  const json render_context = hookfire::RenderContext(*context);
  absl::StatusOr<std::string> repository = rule->repository.Resolve(render_context);
  if (!repository.ok()) {
    return Fail(name,
                absl::StrCat("the fire names no repository (the policy reads it from the ",
                             rule->repository.Describe(), "): ", repository.status().message()));
  }
  const std::string repo = NormalizeRepositoryUrl(*repository);
  link.repository = repo;
  std::optional<std::string> revision;
  if (rule->revision.has_value()) {
    absl::StatusOr<std::string> r = rule->revision->Resolve(render_context);
    if (!r.ok()) {
      return Fail(name, absl::StrCat("the fire names no revision (the policy reads it from the ",
                                     rule->revision->Describe(), "): ", r.status().message()));
    }
    revision = *r;
    link.revision = revision;
  }
  const json* metadata = Member(link.definition, "metadata");
  const std::string source = metadata != nullptr ? StringMember(*metadata, "source") : "";
  std::vector<std::string> problems;
  if (!InRepository(source, repo)) {
    problems.push_back(absl::StrCat("metadata.source ", Quote(source), " is not in the repository ",
                                    Quote(repo), " the fire names"));
  } else if (revision.has_value() && !NamesRevision(source, repo, *revision)) {
    problems.push_back(absl::StrCat("metadata.source ", Quote(source), " does not name revision ",
                                    Quote(*revision), " the fire names"));
  }
  if (!problems.empty()) return Fail(name, absl::StrJoin(problems, "; "));
  return Pass(name, absl::StrCat("the fire names repository ", repo,
                                 revision.has_value() ? absl::StrCat(" at revision ", *revision)
                                                      : std::string(" (no revision pinned)"),
                                 "; metadata.source ", source, " matches"));
}

void Verification::CheckCot(const Link& link, std::vector<CheckResult>* out) {
  const char* names[] = {checks::kCotFetch, checks::kCotSignature, checks::kCotFormat,
                         checks::kCotRun, checks::kCotTaskDefinition};
  std::string missing;
  if (!link.fetched()) {
    missing = "the task could not be read from the queue";
  } else if (!link.run.has_value()) {
    missing = "the task has no completed run";
  }
  if (!missing.empty()) {
    for (const char* name : names) out->push_back(NotChecked(name, missing));
    return;
  }
  if (!link.cot_status.ok()) {
    out->push_back(
        Fail(checks::kCotFetch, absl::StrCat("could not read the chain-of-trust of run ",
                                             link.run->run_id, ": ", StatusText(link.cot_status))));
    for (size_t i = 1; i < 5; ++i) {
      out->push_back(NotChecked(names[i], "no chain-of-trust document (see cot.fetch)"));
    }
    return;
  }
  out->push_back(Pass(checks::kCotFetch,
                      absl::StrCat("read ", kChainOfTrustArtifact, " (", link.cot_bytes.size(),
                                   " bytes) and its signature from run ", link.run->run_id)));
  out->push_back(CheckSignature(link));
  out->push_back(CheckCotFormat(link));
  out->push_back(CheckCotRun(link));
  out->push_back(CheckCotTask(link));
}

LinkReport Verification::CheckLink(Link& link) {
  LinkReport r;
  r.name = link.name;
  r.task_id = link.task_id;
  r.task_type = link.task_type;
  r.pool = link.fetched() ? link.pool() : "";
  if (link.run.has_value() && link.cot_expected) r.run_id = link.run->run_id;
  r.decision_task_id = link.task_group_id;
  r.is_decision = link.is_decision;
  for (const UpstreamEntry& e : link.upstream) {
    if (std::find(r.upstream_task_ids.begin(), r.upstream_task_ids.end(), e.task_id) ==
        r.upstream_task_ids.end()) {
      r.upstream_task_ids.push_back(e.task_id);
    }
  }
  std::vector<CheckResult>& out = r.checks;

  if (link.fetched()) {
    out.push_back(Pass(checks::kLinkFetch, "read the task's definition and status from the queue"));
  } else {
    std::vector<std::string> errors;
    if (!link.definition_status.ok()) {
      errors.push_back(absl::StrCat("definition: ", StatusText(link.definition_status)));
    }
    if (!link.status_status.ok()) {
      errors.push_back(absl::StrCat("status: ", StatusText(link.status_status)));
    }
    out.push_back(Fail(checks::kLinkFetch,
                       absl::StrCat("could not read task ", link.task_id, " from the queue (",
                                    absl::StrJoin(errors, "; "), ")")));
  }

  // link.run
  auto describe_runs = [&] {
    std::vector<std::string> runs;
    for (const RunInfo& run : link.status.runs) {
      runs.push_back(absl::StrCat(run.run_id, " ", RunStateName(run.state)));
    }
    return runs.empty() ? std::string("no runs")
                        : absl::StrCat("runs: ", absl::StrJoin(runs, ", "));
  };
  if (!link.fetched()) {
    out.push_back(NotChecked(checks::kLinkRun, "the task could not be read from the queue"));
  } else if (!link.cot_expected) {
    out.push_back(Pass(checks::kLinkRun,
                       absl::StrCat("the verified task has not completed (", describe_runs(),
                                    "): checking what it will run and consume; it has signed no "
                                    "chain-of-trust yet")));
  } else if (!link.run.has_value()) {
    out.push_back(Fail(checks::kLinkRun,
                       absl::StrCat("the task has no completed run (", describe_runs(), ")")));
  } else {
    std::string reason = absl::StrCat("run ", link.run->run_id, " completed",
                                      link.run->resolved.has_value()
                                          ? absl::StrCat(" at ", Rfc3339(*link.run->resolved))
                                          : std::string(),
                                      " on ", link.run->worker_group, "/", link.run->worker_id);
    if (link.latest_run.has_value() && link.latest_run->run_id != link.run->run_id) {
      absl::StrAppend(&reason, "; the latest run ", link.latest_run->run_id, " is ",
                      RunStateName(link.latest_run->state), ", so the latest completed run ",
                      link.run->run_id, " is the one checked");
    }
    out.push_back(Pass(checks::kLinkRun, reason));
  }

  if (link.cot_expected) CheckCot(link, &out);

  if (!link.fetched()) {
    const char* rest[] = {checks::kPolicyPool, checks::kPolicyNotInteractive,
                          checks::kPayloadUpstreamArtifacts};
    for (const char* name : rest) {
      out.push_back(NotChecked(name, "the task could not be read from the queue"));
    }
  } else {
    out.push_back(CheckPool(link));
    out.push_back(CheckInteractive(link));
    out.push_back(CheckUpstreamFormat(link));
    CheckArtifacts(link, &out);
  }

  if (!link.is_decision) {
    out.push_back(link.fetched() ? CheckMembership(link)
                                 : NotChecked(checks::kGraphMembership,
                                              "the task could not be read from the queue"));
    return r;
  }
  if (!link.fetched()) {
    for (const char* name :
         {checks::kDecisionGroup, checks::kDecisionCreator, checks::kDecisionFire,
          checks::kDecisionHookVersion, checks::kDecisionRerender, checks::kDecisionSource,
          checks::kDecisionTaskGraph}) {
      out.push_back(NotChecked(name, "the task could not be read from the queue"));
    }
    return r;
  }
  out.push_back(CheckDecisionGroup(link));
  out.push_back(CheckCreator(link));
  out.push_back(CheckFire(link));
  out.push_back(CheckHookVersion(link));
  out.push_back(CheckRerender(link));
  out.push_back(CheckSource(link));
  if (link.cot_expected) out.push_back(TaskGraphResult(link));
  return r;
}

// ---------------------------------------------------------------------------------------------
// Chain checks.

CheckResult Verification::CheckChainLength() const {
  int deepest = 0;
  for (const auto& link : links_) deepest = std::max(deepest, link->depth);
  if (!not_followed_.empty()) {
    return Fail(checks::kChainLength,
                absl::StrCat("not followed: ", absl::StrJoin(not_followed_, "; ")));
  }
  return Pass(
      checks::kChainLength,
      absl::StrCat(links_.size(), " links, the deepest ", deepest, " segments (maxChainLength ",
                   policy_.max_chain_length(), ", maxLinks ", policy_.max_links(), ")"));
}

CheckResult Verification::CheckCycles() const {
  // Iterative depth-first search over upstreamArtifacts edges between links.
  std::map<std::string, int> color;  // 0 new, 1 on the stack, 2 done
  std::vector<std::string> cycles;
  for (const auto& start : links_) {
    if (color[start->task_id] != 0) continue;
    struct Frame {
      const Link* link;
      size_t next;
    };
    std::vector<Frame> stack = {{start.get(), 0}};
    color[start->task_id] = 1;
    while (!stack.empty()) {
      Frame& frame = stack.back();
      std::vector<std::string> targets;
      for (const UpstreamEntry& e : frame.link->upstream) targets.push_back(e.task_id);
      if (frame.next >= targets.size()) {
        color[frame.link->task_id] = 2;
        stack.pop_back();
        continue;
      }
      const std::string target = targets[frame.next++];
      const Link* t = LinkById(target);
      if (t == nullptr) continue;
      int& c = color[target];
      if (c == 1) {
        std::vector<std::string> path;
        bool on = false;
        for (const Frame& f : stack) {
          if (f.link->task_id == target) on = true;
          if (on) path.push_back(absl::StrCat(f.link->name, " (", f.link->task_id, ")"));
        }
        path.push_back(absl::StrCat(t->name, " (", target, ")"));
        if (cycles.size() < 5) cycles.push_back(absl::StrJoin(path, " -> "));
      } else if (c == 0) {
        c = 1;
        stack.push_back({t, 0});
      }
    }
  }
  if (!cycles.empty()) {
    return Fail(checks::kChainCycle,
                absl::StrCat("upstreamArtifacts form a cycle: ", absl::StrJoin(cycles, "; ")));
  }
  return Pass(checks::kChainCycle, "upstreamArtifacts form no cycle");
}

CheckResult Verification::CheckRestrictedScopes() {
  const char* name = checks::kPolicyRestrictedScopes;
  const Link& root = *links_.front();
  if (!root.fetched()) return NotChecked(name, "the verified task could not be read");
  std::vector<std::pair<std::string, const RestrictedScopeRule*>> held;
  if (const json* scopes = Member(root.definition, "scopes");
      scopes != nullptr && scopes->is_array()) {
    for (const json& s : *scopes) {
      if (!s.is_string()) continue;
      for (const RestrictedScopeRule* rule : policy_.RestrictedScopeRules(s.get<std::string>())) {
        held.emplace_back(s.get<std::string>(), rule);
      }
    }
  }
  root_restricted_ = !held.empty();
  if (held.empty()) return Pass(name, "the verified task holds no restricted scope");
  std::vector<std::string> scope_list;
  scope_list.reserve(held.size());
  for (const auto& [scope, rule] : held) {
    scope_list.push_back(
        absl::StrCat(scope, " (pattern ", rule->pattern, ", alias ", rule->alias, ")"));
  }
  Link* d = DecisionOf(root);
  if (d == nullptr || !d->repository.has_value()) {
    return NotChecked(
        name, absl::StrCat("the task holds restricted scopes ", absl::StrJoin(scope_list, ", "),
                           ", but the repository its decision task was fired for is "
                           "unknown (see decision.source)"));
  }
  std::optional<TrustedRepository> trusted = policy_.RepositoryOf(*d->repository);
  if (!trusted.has_value()) {
    return Fail(name,
                absl::StrCat("the task holds restricted scopes ", absl::StrJoin(scope_list, ", "),
                             ", but repository ", *d->repository, " is not a trusted repository"));
  }
  std::vector<std::string> problems;
  for (const auto& [scope, rule] : held) {
    std::vector<std::string> paths = policy_.AliasRepositoryPaths(rule->alias);
    if (std::find(paths.begin(), paths.end(), trusted->path) == paths.end()) {
      problems.push_back(absl::StrCat(
          "scope ", scope, " (pattern ", rule->pattern, ") is restricted to alias ", rule->alias,
          " [", absl::StrJoin(paths, ", "), "], which does not include ", trusted->path));
    }
  }
  if (!problems.empty()) {
    return Fail(name, absl::StrCat("repository ", *d->repository, " (", trusted->path,
                                   "): ", absl::StrJoin(problems, "; ")));
  }
  return Pass(name, absl::StrCat("repository ", trusted->path, " may use ",
                                 absl::StrJoin(scope_list, ", ")));
}

CheckResult Verification::CheckSameRepository() const {
  std::vector<std::string> problems;
  size_t checked = 0;
  for (const auto& link : links_) {
    if (!link->fetched() || link->is_decision) continue;
    Link* d = DecisionOf(*link);
    const std::string who = absl::StrCat(link->name, " (", link->task_id, ")");
    if (d == nullptr) {
      problems.push_back(absl::StrCat(who, ": its decision task is not in the chain"));
      continue;
    }
    if (!d->repository.has_value()) {
      problems.push_back(absl::StrCat(who, ": the repository of its decision task ", d->task_id,
                                      " is unknown (see decision.source of ", d->name, ")"));
      continue;
    }
    const json* metadata = Member(link->definition, "metadata");
    const std::string source = metadata != nullptr ? StringMember(*metadata, "source") : "";
    if (!InRepository(source, *d->repository)) {
      problems.push_back(absl::StrCat(who, ": metadata.source ", Quote(source),
                                      " is not in repository ", *d->repository,
                                      " of its decision task ", d->task_id));
    }
    ++checked;
  }
  if (!problems.empty()) return Fail(checks::kPolicySameRepository, absl::StrJoin(problems, "; "));
  return Pass(
      checks::kPolicySameRepository,
      absl::StrCat(checked, " links: each metadata.source lies in its decision task's repository"));
}

CheckResult Verification::CheckForeignGraphs() const {
  const char* name = checks::kPolicyForeignGraphs;
  const Link& root = *links_.front();
  std::map<std::string, std::vector<std::string>> foreign;  // decision -> link names
  for (const auto& link : links_) {
    if (!link->fetched() || link->task_group_id.empty()) continue;
    if (link->task_group_id == root.task_group_id) continue;
    foreign[link->task_group_id].push_back(link->name);
  }
  if (!root_restricted_) {
    return Pass(name, absl::StrCat("not required: the verified task holds no restricted scope (",
                                   foreign.size(), " other task graphs)"));
  }
  if (foreign.empty()) return Pass(name, "every link is in the verified task's task graph");
  std::vector<std::string> problems;
  std::vector<std::string> good;
  for (const auto& [decision_id, names] : foreign) {
    const Link* d = LinkById(decision_id);
    const std::string who = absl::StrCat(absl::StrJoin(names, ", "),
                                         " (task graph of decision task ", decision_id, ")");
    if (d == nullptr || !d->repository.has_value()) {
      problems.push_back(absl::StrCat(who, ": its repository is unknown"));
    } else if (!policy_.RepositoryOf(*d->repository).has_value()) {
      problems.push_back(
          absl::StrCat(who, ": repository ", *d->repository, " is not a trusted repository"));
    } else {
      good.push_back(*d->repository);
    }
  }
  if (!problems.empty()) {
    return Fail(name, absl::StrCat("the verified task holds a restricted scope, but ",
                                   absl::StrJoin(problems, "; ")));
  }
  return Pass(name, absl::StrCat("links from other task graphs come from trusted repositories: ",
                                 absl::StrJoin(good, ", ")));
}

VerificationReport Verification::Run(const std::string& task_id, const std::string& task_type) {
  VerificationReport report;
  report.task_id = task_id;
  report.task_type = task_type;
  report.policy_version = policy_.version();
  report.policy_sha256 = policy_.sha256_hex();
  report.started = clock_.Now();

  BuildChain(task_id, task_type);
  HashArtifacts();

  // Decision links first, so that their repositories and task graphs are known to the others.
  std::vector<LinkReport> reports(links_.size());
  for (size_t i = 0; i < links_.size(); ++i) {
    if (links_[i]->is_decision) reports[i] = CheckLink(*links_[i]);
  }
  for (size_t i = 0; i < links_.size(); ++i) {
    if (!links_[i]->is_decision) reports[i] = CheckLink(*links_[i]);
  }
  report.links = std::move(reports);
  report.chain_checks.push_back(CheckChainLength());
  report.chain_checks.push_back(CheckCycles());
  report.chain_checks.push_back(CheckRestrictedScopes());
  report.chain_checks.push_back(CheckSameRepository());
  report.chain_checks.push_back(CheckForeignGraphs());

  if (Link* d = DecisionOf(*links_.front()); d != nullptr && d->repository.has_value()) {
    report.repository = *d->repository;
  }
  report.passed = report.Failures().empty();
  report.finished = clock_.Now();
  if (report.passed) report.provenance = ProvenanceOf(report);
  return report;
}

std::optional<attest::Provenance> Verification::ProvenanceOf(
    const VerificationReport& report) const {
  const Link& root = *links_.front();
  const json* signed_artifacts = root.signed_artifacts();
  if (!root.run.has_value() || signed_artifacts == nullptr || signed_artifacts->empty()) {
    return std::nullopt;
  }
  attest::Provenance p;
  p.task_id = root.task_id;
  p.run_id = root.run->run_id;
  p.task_type = root.task_type;
  p.worker_pool = root.pool();
  p.task_definition = root.definition;
  p.finished = root.run->resolved;
  for (const auto& [name, entry] : signed_artifacts->items()) {
    p.subjects.push_back({name, StringMember(entry, "sha256")});
  }
  if (const Link* d = DecisionOf(root); d != nullptr && d->fire_status.ok()) {
    p.decision_task_id = d->task_id;
    p.hook_group_id = d->fire.hook_group_id;
    p.hook_id = d->fire.hook_id;
    p.fired_by = d->fire.fired_by;
    p.payload = d->fire.payload;
    p.hook_version_sha256 = absl::AsciiStrToLower(d->fire.hook_version_sha256);
    p.repository = d->repository.value_or("");
    p.revision = d->revision.value_or("");
  }
  for (const auto& link : links_) {
    for (const UpstreamEntry& e : link->upstream) {
      const Link* up = LinkById(e.task_id);
      for (const std::string& path : e.paths) {
        auto job = job_index_.find({e.task_id, path});
        if (up == nullptr || job == job_index_.end() || !jobs_[job->second].status.ok()) continue;
        const ArtifactJob& j = jobs_[job->second];
        p.upstream.push_back(
            {j.task_id, j.run_id, up->task_type, up->name, link->task_id, path, j.sha256});
      }
    }
  }
  for (const LinkReport& l : report.links) {
    p.chain.push_back({l.name, l.task_id, l.task_type, l.pool, l.run_id});
  }
  p.policy_version = report.policy_version;
  p.policy_sha256 = report.policy_sha256;
  p.verified_on = report.finished;
  return p;
}

}  // namespace

VerifierEngine::VerifierEngine(std::shared_ptr<const Policy> policy, ChainSource& source,
                               Clock& clock, TaskNormalizer normalizer, VerifierOptions options)
    : policy_(std::move(policy)),
      source_(source),
      clock_(clock),
      normalizer_(std::move(normalizer)),
      options_(std::move(options)) {}

absl::StatusOr<VerificationReport> VerifierEngine::VerifyTask(const std::string& task_id,
                                                              const std::string& task_type,
                                                              absl::Time deadline,
                                                              RootMode root_mode) const {
  if (task_id.empty()) return absl::InvalidArgumentError("task_id is required");
  if (!ValidTypeName(task_type)) {
    return absl::InvalidArgumentError(
        absl::StrCat("task_type ", Quote(task_type),
                     " is not a task type name (lower-case letters, digits and '-', starting "
                     "with a letter)"));
  }
  Verification verification(*policy_, source_, clock_, normalizer_, options_, deadline, root_mode);
  return verification.Run(task_id, task_type);
}

}  // namespace bulwark::verifier
