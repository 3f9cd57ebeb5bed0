// File: services/verifier/service/policy.h
//
// Policy: the verifier's chain-of-trust policy as data (ARCHITECTURE §7), parsed from a versioned
// JSON document, validated against services/verifier/policy/policy.schema.json (embedded in the
// binary) and then checked for consistency, and queried by the verification engine.
//
//   BULWARK_ASSIGN_OR_RETURN(Policy policy, Policy::Parse(file_bytes));
//   for (const WorkerKey* key : policy.KeysFor("bulwark-3/signing", run_resolved)) { ... }
//   bool ok = policy.PoolAllowed("signing", "bulwark-3/signing");
//   std::optional<TrustedRepository> repo = policy.RepositoryOf("https://github.com/o/r");
//
// What the document holds (see the schema for the exact shape, and
// services/verifier/policy/testdata/demo_policy.json for an example):
//   version              a string (1-128 printable ASCII, no spaces) or integer the operator
//                        bumps (recorded with each verification)
//   workerKeys           {id, publicKey (base64 of the raw 32-byte Ed25519 key), pools,
//                        notBefore, notAfter}: a key is trusted for its pools in
//                        [notBefore, notAfter)
//   taskTypes            type -> {pools}; `decision` is required
//   decisionPools        pools where decision tasks may run (a decision link must be in both)
//   hooks                "G/H" -> {repository, revision?}: each a {pointer} into the hook's JSON-e
//                        render context ({firedBy, taskId, now, payload, clientId}) or a fixed
//                        {value}; only these hooks may start a chain
//   trustedRepositories  [{prefix, path?} | {regex, path}]: the first rule matching a repository
//                        URL names its path (see RepositoryOf)
//   restrictedScopes     pattern (exact, or prefix ending in `*`) -> alias
//   aliases              alias -> repository URLs
//   maxChainLength       deepest link, in name segments (default 20, at most kMaxChainLengthCap)
//   maxLinks             most links in a chain (default 500, at most kMaxLinksCap)
//
// Consistency checks beyond the schema (scriptworker has none of them): every publicKey is a
// valid Ed25519 key; key ids are unique; each key's window is non-empty (notBefore < notAfter);
// every pool named by a task type or as a decision pool has some key trusted for it; the
// decision type's pools are all decision pools (otherwise a decision there could never pass);
// every restricted scope's alias exists; no two restricted-scope patterns overlap (one scope
// would match both: equal patterns, an exact pattern under a prefix, or nested prefixes); every
// alias repository is matched by some trusted-repository rule; regexes compile (ECMAScript,
// without backreferences, matched against the whole URL); hook pointers are valid JSON pointers.
//
// Repository URLs are compared after normalization (NormalizeRepositoryUrl): surrounding space
// trimmed, then trailing "/" and one trailing ".git" removed. A prefix rule matches a URL equal to
// the prefix, or continuing it after a "/" (a prefix ending in "/" matches everything below it);
// its path is `path`, or else the rest of the URL after the prefix (which must then be non-empty).
// A regex rule must match the whole URL; its path is `path` with $1..$9 replaced by the groups.
//
// Restricted scopes: a scope touches a pattern when the pattern matches it (equal, or the pattern
// ends in `*` and the scope starts with the pattern's prefix) or, better than scriptworker, when
// the scope itself ends in `*` and would satisfy the pattern (a task holding "project:x:*" holds
// every restricted scope below it). RestrictedScopeRules returns every pattern a scope touches.
//
// Canonical form: canonical_json() is the parsed document serialized compactly with sorted keys
// (nlohmann's dump()), and sha256_hex() its SHA-256, to record which policy a verification used.
//
// Thread-safety: a Policy is immutable after Parse; every method is const and may be called
// concurrently. Errors: Parse returns INVALID_ARGUMENT listing every problem found (schema errors
// with their JSON pointer, then consistency problems naming the entry), not only the first;
// INTERNAL only if the embedded schema itself were broken (its tests rule that out).

#ifndef BULWARK_SERVICES_VERIFIER_SERVICE_POLICY_H_
#define BULWARK_SERVICES_VERIFIER_SERVICE_POLICY_H_

#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libraries/crypto/ed25519.h"
#include "nlohmann/json.hpp"

namespace bulwark::verifier {

inline constexpr int kDefaultMaxChainLength = 20;
inline constexpr int kMaxChainLengthCap = 64;
inline constexpr int kDefaultMaxLinks = 500;
inline constexpr int kMaxLinksCap = 5000;
// Longer repository URLs are never trusted (and never reach a regex).
inline constexpr size_t kMaxRepositoryUrlLength = 2048;

struct WorkerKey {
  std::string id;
  crypto::Ed25519PublicKey public_key;
  std::set<std::string> pools;
  absl::Time not_before;
  absl::Time not_after;

  // Whether the key is trusted at `t`: not_before <= t < not_after.
  bool ValidAt(absl::Time t) const { return not_before <= t && t < not_after; }
};

// Where a hook's fire names a value: a JSON pointer into the render context, or a fixed value.
struct ValueSource {
  std::optional<std::string> pointer;  // e.g. "/payload/repository/url"
  std::optional<std::string> value;    // e.g. "https://github.com/bulwark-ci/bulwark"

  // The value for a fire whose JSON-e render context is `context`: the fixed value, or the
  // string at the pointer. NOT_FOUND if the pointer leads nowhere; INVALID_ARGUMENT if it leads
  // to something other than a non-empty string.
  absl::StatusOr<std::string> Resolve(const nlohmann::json& context) const;
  std::string Describe() const;  // "payload pointer /payload/x" or "fixed value ..."
};

struct HookRule {
  std::string hook_id;  // "<hookGroupId>/<hookId>"
  ValueSource repository;
  std::optional<ValueSource> revision;  // absent: the fire names no revision (e.g. cron)
};

struct TrustedRepository {
  std::string path;  // the repository's name in the policy, e.g. "bulwark-ci/bulwark"
  int rule = 0;      // index of the trusted-repository rule that matched
};

struct RestrictedScopeRule {
  std::string pattern;  // exact scope, or prefix ending in '*'
  std::string alias;
};

// Trims space, then removes trailing '/' characters and one trailing ".git".
std::string NormalizeRepositoryUrl(absl::string_view url);

class Policy {
 public:
  // Parses, validates and checks `bytes` (a JSON document). INVALID_ARGUMENT listing every
  // problem found.
  static absl::StatusOr<Policy> Parse(absl::string_view bytes);

  // The embedded JSON Schema the document is validated against.
  static const nlohmann::json& Schema();

  // The operator's version string (an integer version in decimal).
  const std::string& version() const { return version_; }
  // The document as parsed (sorted keys).
  const nlohmann::json& document() const { return document_; }
  const std::string& canonical_json() const { return canonical_json_; }
  const std::string& sha256_hex() const { return sha256_hex_; }

  int max_chain_length() const { return max_chain_length_; }
  int max_links() const { return max_links_; }

  // Keys trusted for `pool` at time `at`.
  std::vector<const WorkerKey*> KeysFor(absl::string_view pool, absl::Time at) const;
  // Keys trusted for `pool` at any time (to explain a failure).
  std::vector<const WorkerKey*> KeysForPool(absl::string_view pool) const;
  const std::vector<WorkerKey>& keys() const { return keys_; }

  bool TaskTypeKnown(absl::string_view task_type) const;
  // Whether `pool` is allowed for `task_type` (false for unknown types). For "decision" this
  // also requires `pool` to be a decision pool.
  bool PoolAllowed(absl::string_view task_type, absl::string_view pool) const;
  bool IsDecisionPool(absl::string_view pool) const;
  // The pools allowed for a type (empty for unknown types).
  std::vector<std::string> PoolsFor(absl::string_view task_type) const;

  // The rule for hook "G/H", or nullptr when that hook may not start a chain.
  const HookRule* HookAllowed(absl::string_view hook_id) const;

  // The trusted repository `url` (normalized first) is, or nullopt when no rule matches.
  std::optional<TrustedRepository> RepositoryOf(absl::string_view url) const;

  // Every restricted-scope rule `scope` touches (see the header comment); empty if none.
  std::vector<const RestrictedScopeRule*> RestrictedScopeRules(absl::string_view scope) const;
  // The repository paths alias `alias` allows (empty for an unknown alias).
  std::vector<std::string> AliasRepositoryPaths(absl::string_view alias) const;
  // The repository URLs alias `alias` lists, as written.
  const std::vector<std::string>* AliasRepositories(absl::string_view alias) const;

 private:
  struct RepositoryRule {
    std::optional<std::string> prefix;  // normalized, or with its trailing '/'
    std::shared_ptr<const std::regex> regex;
    std::string regex_text;
    std::optional<std::string> path;
  };

  Policy() = default;
  std::optional<std::string> MatchRule(const RepositoryRule& rule, const std::string& url) const;

  std::string version_;
  nlohmann::json document_;
  std::string canonical_json_;
  std::string sha256_hex_;
  int max_chain_length_ = kDefaultMaxChainLength;
  int max_links_ = kDefaultMaxLinks;
  std::vector<WorkerKey> keys_;
  std::set<std::string> decision_pools_;
  std::map<std::string, std::set<std::string>, std::less<>> task_types_;
  std::map<std::string, HookRule, std::less<>> hooks_;
  std::vector<RepositoryRule> repository_rules_;
  std::vector<RestrictedScopeRule> restricted_scopes_;
  std::map<std::string, std::vector<std::string>, std::less<>> aliases_;
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVICE_POLICY_H_
