#include "services/verifier/service/policy.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libraries/crypto/encoding.h"
#include "libraries/jsonschema/validator.h"
#include "services/verifier/policy/policy_schema.h"

namespace bulwark::verifier {
namespace {

absl::string_view PatternPrefix(absl::string_view pattern) {
  if (absl::EndsWith(pattern, "*")) pattern.remove_suffix(1);
  return pattern;
}

bool IsPrefixPattern(absl::string_view pattern) { return absl::EndsWith(pattern, "*"); }

// Whether some scope would match both patterns.
bool PatternsOverlap(absl::string_view a, absl::string_view b) {
  const bool pa = IsPrefixPattern(a);
  const bool pb = IsPrefixPattern(b);
  if (!pa && !pb) return a == b;
  if (pa && pb) {
    return absl::StartsWith(PatternPrefix(a), PatternPrefix(b)) ||
           absl::StartsWith(PatternPrefix(b), PatternPrefix(a));
  }
  if (pa) return absl::StartsWith(b, PatternPrefix(a));
  return absl::StartsWith(a, PatternPrefix(b));
}

// Whether a task holding `scope` holds (some scope matched by) `pattern`.
bool ScopeTouches(absl::string_view scope, absl::string_view pattern) {
  if (IsPrefixPattern(pattern) ? absl::StartsWith(scope, PatternPrefix(pattern))
                               : scope == pattern) {
    return true;
  }
  // A star scope satisfies every scope that starts with its prefix, the pattern's among them.
  return absl::EndsWith(scope, "*") &&
         absl::StartsWith(PatternPrefix(pattern), PatternPrefix(scope));
}

std::string Quote(absl::string_view s) { return absl::StrCat("'", s, "'"); }

absl::StatusOr<absl::Time> ParseRfc3339(const std::string& text) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return absl::InvalidArgumentError(error);
  }
  return t;
}

}  // namespace

std::string NormalizeRepositoryUrl(absl::string_view url) {
  std::string s(absl::StripAsciiWhitespace(url));
  while (!s.empty() && s.back() == '/') s.pop_back();
  if (absl::EndsWith(s, ".git")) s.resize(s.size() - 4);
  return s;
}

absl::StatusOr<std::string> ValueSource::Resolve(const nlohmann::json& context) const {
  if (value.has_value()) return *value;
  if (!pointer.has_value()) return absl::InvalidArgumentError("the value source names nothing");
  const nlohmann::json* found = nullptr;
  try {
    nlohmann::json::json_pointer ptr(*pointer);
    if (context.contains(ptr)) found = &context.at(ptr);
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("JSON pointer ", *pointer, " cannot be applied: ", e.what()));
  }
  if (found == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("the firing context has nothing at JSON pointer ", *pointer));
  }
  if (!found->is_string() || found->get<std::string>().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("the firing context has ", found->dump(),
                                                   " at JSON pointer ", *pointer,
                                                   ", not a non-empty string"));
  }
  return found->get<std::string>();
}

std::string ValueSource::Describe() const {
  if (value.has_value()) return absl::StrCat("fixed value ", Quote(*value));
  return absl::StrCat("JSON pointer ", pointer.value_or("?"), " into the firing context");
}

const nlohmann::json& Policy::Schema() {
  static const nlohmann::json* const schema = new nlohmann::json(
      nlohmann::json::parse(PolicySchemaJson(), nullptr, /*allow_exceptions=*/false));
  return *schema;
}

absl::StatusOr<Policy> Policy::Parse(absl::string_view bytes) {
  // The schema is part of the binary (and covered by tests); compiled once.
  static const absl::StatusOr<jsonschema::Schema>* const compiled =
      new absl::StatusOr<jsonschema::Schema>(jsonschema::Compile(Schema()));
  if (!compiled->ok()) {
    return absl::InternalError(absl::StrCat("the embedded policy schema does not compile: ",
                                            compiled->status().message()));
  }

  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(bytes.begin(), bytes.end());
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("the policy is not JSON: ", e.what()));
  }
  std::vector<std::string> problems;
  for (const jsonschema::ValidationError& e : (*compiled)->Errors(doc)) {
    problems.push_back(e.ToString());
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("the policy does not match its schema (",
                                                   problems.size(),
                                                   " problems): ", absl::StrJoin(problems, "; ")));
  }

  Policy p;
  p.document_ = doc;
  p.canonical_json_ = doc.dump();
  p.sha256_hex_ = absl::BytesToHexString(crypto::Sha256(p.canonical_json_));
  const nlohmann::json& version = doc["version"];
  p.version_ = version.is_string() ? version.get<std::string>() : version.dump();
  if (doc.contains("maxChainLength")) p.max_chain_length_ = doc["maxChainLength"].get<int>();
  if (doc.contains("maxLinks")) p.max_links_ = doc["maxLinks"].get<int>();

  // Keys.
  std::map<std::string, int> key_ids;
  const nlohmann::json& keys = doc["workerKeys"];
  for (size_t i = 0; i < keys.size(); ++i) {
    const nlohmann::json& k = keys[i];
    const std::string where = absl::StrCat("/workerKeys/", i);
    const std::string id = k["id"].get<std::string>();
    auto [it, inserted] = key_ids.emplace(id, static_cast<int>(i));
    if (!inserted) {
      problems.push_back(absl::StrCat(where, ": duplicate key id ", Quote(id),
                                      " (also /workerKeys/", it->second, ")"));
    }
    std::optional<crypto::Ed25519PublicKey> public_key;
    std::string raw;
    if (!crypto::Base64Decode(k["publicKey"].get<std::string>(), &raw)) {
      problems.push_back(absl::StrCat(where, "/publicKey: not canonical standard base64"));
    } else if (absl::StatusOr<crypto::Ed25519PublicKey> pk = crypto::Ed25519PublicKey::FromRaw(raw);
               !pk.ok()) {
      problems.push_back(absl::StrCat(where, "/publicKey: not an Ed25519 public key (",
                                      pk.status().message(), ")"));
    } else {
      public_key = *std::move(pk);
    }
    std::set<std::string> pools;
    for (const auto& pool : k["pools"]) pools.insert(pool.get<std::string>());
    absl::StatusOr<absl::Time> nb = ParseRfc3339(k["notBefore"].get<std::string>());
    absl::StatusOr<absl::Time> na = ParseRfc3339(k["notAfter"].get<std::string>());
    if (!nb.ok()) problems.push_back(absl::StrCat(where, "/notBefore: ", nb.status().message()));
    if (!na.ok()) problems.push_back(absl::StrCat(where, "/notAfter: ", na.status().message()));
    if (nb.ok() && na.ok() && *nb >= *na) {
      problems.push_back(
          absl::StrCat(where, ": key ", Quote(id), " has an ", *nb == *na ? "empty" : "inverted",
                       " validity window (notBefore ", k["notBefore"].get<std::string>(),
                       " is not before notAfter ", k["notAfter"].get<std::string>(), ")"));
    }
    if (public_key.has_value() && nb.ok() && na.ok()) {
      p.keys_.push_back(WorkerKey{id, *std::move(public_key), std::move(pools), *nb, *na});
    }
  }
  std::set<std::string> keyed_pools;
  for (const auto& k : keys) {
    for (const auto& pool : k["pools"]) keyed_pools.insert(pool.get<std::string>());
  }

  // Pools and task types.
  for (const auto& pool : doc["decisionPools"]) {
    p.decision_pools_.insert(pool.get<std::string>());
  }
  for (const auto& pool : p.decision_pools_) {
    if (keyed_pools.count(pool) == 0) {
      problems.push_back(absl::StrCat("/decisionPools: pool ", Quote(pool),
                                      " has no trusted worker key (no workerKeys entry lists it)"));
    }
  }
  for (const auto& [type, entry] : doc["taskTypes"].items()) {
    std::set<std::string>& pools = p.task_types_[type];
    for (const auto& pool : entry["pools"]) {
      const std::string name = pool.get<std::string>();
      pools.insert(name);
      if (keyed_pools.count(name) == 0) {
        problems.push_back(absl::StrCat("/taskTypes/", type, "/pools: pool ", Quote(name),
                                        " has no trusted worker key (no workerKeys entry lists "
                                        "it)"));
      }
      if (type == "decision" && p.decision_pools_.count(name) == 0) {
        problems.push_back(absl::StrCat("/taskTypes/decision/pools: pool ", Quote(name),
                                        " is not in decisionPools, so no decision task could "
                                        "pass there"));
      }
    }
  }

  // Hooks.
  for (const auto& [hook_id, entry] : doc["hooks"].items()) {
    const std::string id = hook_id;  // lambdas cannot capture a structured binding in C++17
    HookRule rule;
    rule.hook_id = id;
    auto read_source = [&](const nlohmann::json& j, const std::string& field) {
      ValueSource source;
      if (j.contains("value")) {
        source.value = j["value"].get<std::string>();
      } else {
        source.pointer = j["pointer"].get<std::string>();
        try {
          nlohmann::json::json_pointer ptr(*source.pointer);
        } catch (const nlohmann::json::exception& e) {
          problems.push_back(absl::StrCat("/hooks/", id, "/", field, "/pointer: ",
                                          Quote(*source.pointer), " is not a JSON pointer"));
        }
      }
      return source;
    };
    rule.repository = read_source(entry["repository"], "repository");
    if (entry.contains("revision")) rule.revision = read_source(entry["revision"], "revision");
    p.hooks_.emplace(id, std::move(rule));
  }

  // Trusted repositories.
  const nlohmann::json& repos = doc["trustedRepositories"];
  for (size_t i = 0; i < repos.size(); ++i) {
    const nlohmann::json& r = repos[i];
    RepositoryRule rule;
    if (r.contains("path")) rule.path = r["path"].get<std::string>();
    if (r.contains("prefix")) {
      std::string prefix = r["prefix"].get<std::string>();
      rule.prefix = absl::EndsWith(prefix, "/") ? prefix : NormalizeRepositoryUrl(prefix);
    } else {
      rule.regex_text = r["regex"].get<std::string>();
      try {
        rule.regex = std::make_shared<const std::regex>(
            rule.regex_text, std::regex_constants::ECMAScript | std::regex_constants::__polynomial);
      } catch (const std::regex_error& e) {
        problems.push_back(absl::StrCat("/trustedRepositories/", i,
                                        "/regex: ", Quote(rule.regex_text), " does not compile (",
                                        e.what(), "; backreferences are not allowed)"));
        continue;
      }
    }
    p.repository_rules_.push_back(std::move(rule));
  }

  // Aliases and restricted scopes.
  for (const auto& [alias, urls] : doc["aliases"].items()) {
    std::vector<std::string>& list = p.aliases_[alias];
    for (const auto& url : urls) {
      list.push_back(url.get<std::string>());
      if (!p.RepositoryOf(list.back()).has_value()) {
        problems.push_back(absl::StrCat("/aliases/", alias, ": repository ", Quote(list.back()),
                                        " is matched by no trustedRepositories rule, so it can "
                                        "never use the scopes of this alias"));
      }
    }
  }
  for (const auto& [pattern, alias] : doc["restrictedScopes"].items()) {
    const std::string a = alias.get<std::string>();
    if (p.aliases_.find(a) == p.aliases_.end()) {
      problems.push_back(absl::StrCat("/restrictedScopes/", pattern, ": alias ", Quote(a),
                                      " is not defined in aliases"));
    }
    for (const RestrictedScopeRule& other : p.restricted_scopes_) {
      if (PatternsOverlap(pattern, other.pattern)) {
        problems.push_back(absl::StrCat("/restrictedScopes: patterns ", Quote(other.pattern),
                                        " and ", Quote(pattern),
                                        " overlap (a scope could match both)"));
      }
    }
    p.restricted_scopes_.push_back({pattern, a});
  }

  if (!problems.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("the policy is inconsistent (", problems.size(),
                                                   " problems): ", absl::StrJoin(problems, "; ")));
  }
  return p;
}

std::vector<const WorkerKey*> Policy::KeysFor(absl::string_view pool, absl::Time at) const {
  std::vector<const WorkerKey*> out;
  for (const WorkerKey& k : keys_) {
    if (k.pools.count(std::string(pool)) > 0 && k.ValidAt(at)) out.push_back(&k);
  }
  return out;
}

std::vector<const WorkerKey*> Policy::KeysForPool(absl::string_view pool) const {
  std::vector<const WorkerKey*> out;
  for (const WorkerKey& k : keys_) {
    if (k.pools.count(std::string(pool)) > 0) out.push_back(&k);
  }
  return out;
}

bool Policy::TaskTypeKnown(absl::string_view task_type) const {
  return task_types_.find(task_type) != task_types_.end();
}

bool Policy::PoolAllowed(absl::string_view task_type, absl::string_view pool) const {
  auto it = task_types_.find(task_type);
  if (it == task_types_.end() || it->second.count(std::string(pool)) == 0) return false;
  return task_type != "decision" || IsDecisionPool(pool);
}

bool Policy::IsDecisionPool(absl::string_view pool) const {
  return decision_pools_.count(std::string(pool)) > 0;
}

std::vector<std::string> Policy::PoolsFor(absl::string_view task_type) const {
  auto it = task_types_.find(task_type);
  if (it == task_types_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

const HookRule* Policy::HookAllowed(absl::string_view hook_id) const {
  auto it = hooks_.find(hook_id);
  return it == hooks_.end() ? nullptr : &it->second;
}

std::optional<std::string> Policy::MatchRule(const RepositoryRule& rule,
                                             const std::string& url) const {
  if (rule.prefix.has_value()) {
    const std::string& prefix = *rule.prefix;
    if (!absl::StartsWith(url, prefix)) return std::nullopt;
    std::string rest = url.substr(prefix.size());
    if (!absl::EndsWith(prefix, "/")) {
      if (!rest.empty() && rest[0] != '/') return std::nullopt;  // ".../repo-fork"
      if (!rest.empty()) rest = rest.substr(1);
    }
    if (rule.path.has_value()) return rule.path;
    if (rest.empty()) return std::nullopt;
    return rest;
  }
  std::smatch match;
  if (!std::regex_match(url, match, *rule.regex)) return std::nullopt;
  std::string path = match.format(*rule.path, std::regex_constants::format_default);
  if (path.empty()) return std::nullopt;
  return path;
}

std::optional<TrustedRepository> Policy::RepositoryOf(absl::string_view url) const {
  const std::string normalized = NormalizeRepositoryUrl(url);
  if (normalized.empty() || normalized.size() > kMaxRepositoryUrlLength) return std::nullopt;
  for (size_t i = 0; i < repository_rules_.size(); ++i) {
    std::optional<std::string> path = MatchRule(repository_rules_[i], normalized);
    if (path.has_value()) return TrustedRepository{*std::move(path), static_cast<int>(i)};
  }
  return std::nullopt;
}

std::vector<const RestrictedScopeRule*> Policy::RestrictedScopeRules(
    absl::string_view scope) const {
  std::vector<const RestrictedScopeRule*> out;
  for (const RestrictedScopeRule& rule : restricted_scopes_) {
    if (ScopeTouches(scope, rule.pattern)) out.push_back(&rule);
  }
  return out;
}

std::vector<std::string> Policy::AliasRepositoryPaths(absl::string_view alias) const {
  std::vector<std::string> out;
  auto it = aliases_.find(alias);
  if (it == aliases_.end()) return out;
  for (const std::string& url : it->second) {
    if (std::optional<TrustedRepository> r = RepositoryOf(url); r.has_value()) {
      if (std::find(out.begin(), out.end(), r->path) == out.end()) out.push_back(r->path);
    }
  }
  return out;
}

const std::vector<std::string>* Policy::AliasRepositories(absl::string_view alias) const {
  auto it = aliases_.find(alias);
  return it == aliases_.end() ? nullptr : &it->second;
}

}  // namespace bulwark::verifier
