#include "services/verifier/service/policy.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/random.h"

namespace bulwark::verifier {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::string PublicKeyBase64(uint64_t seed) {
  SeededRandom random(seed);
  return crypto::Base64Encode(crypto::Ed25519PrivateKey::Generate(random)->PublicKey().Raw());
}

// A valid policy every test starts from and breaks in one place.
nlohmann::json ValidPolicy() {
  return {
      {"version", "test-1"},
      {"workerKeys",
       {{{"id", "decision-key"},
         {"publicKey", PublicKeyBase64(1)},
         {"pools", {"proj-3/decision"}},
         {"notBefore", "2024-01-01T00:00:00Z"},
         {"notAfter", "2025-01-01T00:00:00Z"}},
        {{"id", "build-key"},
         {"publicKey", PublicKeyBase64(2)},
         {"pools", {"proj-3/build", "proj-1/build"}},
         {"notBefore", "2024-01-01T00:00:00Z"},
         {"notAfter", "2025-01-01T00:00:00Z"}},
        {{"id", "build-key-next"},
         {"publicKey", PublicKeyBase64(3)},
         {"pools", {"proj-3/build"}},
         {"notBefore", "2024-12-01T00:00:00Z"},
         {"notAfter", "2026-01-01T00:00:00Z"}},
        {{"id", "signing-key"},
         {"publicKey", PublicKeyBase64(4)},
         {"pools", {"proj-3/signing"}},
         {"notBefore", "2024-01-01T00:00:00Z"},
         {"notAfter", "2025-01-01T00:00:00Z"}}}},
      {"decisionPools", {"proj-3/decision"}},
      {"taskTypes",
       {{"decision", {{"pools", {"proj-3/decision"}}}},
        {"build", {{"pools", {"proj-3/build", "proj-1/build"}}}},
        {"signing", {{"pools", {"proj-3/signing"}}}}}},
      {"hooks",
       {{"proj/on-push",
         {{"repository", {{"pointer", "/payload/repository"}}},
          {"revision", {{"pointer", "/payload/revision"}}}}},
        {"proj/nightly", {{"repository", {{"value", "https://git.example.com/proj/app"}}}}}}},
      {"trustedRepositories",
       {{{"prefix", "https://git.example.com/proj/app"}, {"path", "proj/app"}},
        {{"prefix", "https://git.example.com/org/"}},
        {{"regex", "https://hg\\.example\\.com/releases/(beta|release)"},
         {"path", "releases/$1"}}}},
      {"restrictedScopes",
       {{"project:proj:signing:cert:release", "release"},
        {"project:proj:releases:*", "release"},
        {"project:proj:beta:*", "beta"}}},
      {"aliases",
       {{"release",
         {"https://git.example.com/proj/app", "https://hg.example.com/releases/release"}},
        {"beta", {"https://hg.example.com/releases/beta"}}}},
  };
}

absl::StatusOr<Policy> ParseJson(const nlohmann::json& j) { return Policy::Parse(j.dump()); }

// The failure message of parsing `j`, which must fail with INVALID_ARGUMENT.
std::string ParseError(const nlohmann::json& j) {
  absl::StatusOr<Policy> p = ParseJson(j);
  EXPECT_FALSE(p.ok());
  if (p.ok()) return "";
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << p.status();
  return std::string(p.status().message());
}

Policy MustParse(const nlohmann::json& j) {
  absl::StatusOr<Policy> p = ParseJson(j);
  EXPECT_TRUE(p.ok()) << p.status();
  return *std::move(p);
}

absl::Time T(const char* rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << err;
  return t;
}

std::string ReadRunfile(const std::string& path) {
  std::vector<std::string> roots;
  if (const char* d = std::getenv("TEST_SRCDIR")) roots.push_back(d);
  for (const std::string& root : roots) {
    std::ifstream in(absl::StrCat(root, "/bulwark/", path));
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      return ss.str();
    }
  }
  ADD_FAILURE() << "runfile not found: " << path;
  return "";
}

TEST(PolicyTest, ValidPolicyParses) {
  Policy p = MustParse(ValidPolicy());
  EXPECT_EQ(p.version(), "test-1");
  EXPECT_EQ(p.max_chain_length(), kDefaultMaxChainLength);
  EXPECT_EQ(p.max_links(), kDefaultMaxLinks);
  EXPECT_EQ(p.keys().size(), 4u);
}

TEST(PolicyTest, DemoPolicyParses) {
  absl::StatusOr<Policy> p =
      Policy::Parse(ReadRunfile("services/verifier/policy/testdata/demo_policy.json"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->version(), "demo-1");
  EXPECT_NE(p->HookAllowed("project-demo/on-push"), nullptr);
  ASSERT_TRUE(p->RepositoryOf("https://git.example.com/demo/release-1").has_value());
  EXPECT_EQ(p->RepositoryOf("https://git.example.com/demo/release-1")->path, "demo/release-1");
  EXPECT_TRUE(p->PoolAllowed("signing", "bulwark-3/signing"));
}

TEST(PolicyTest, IntegerVersionAndLimits) {
  nlohmann::json j = ValidPolicy();
  j["version"] = 42;
  j["maxChainLength"] = 7;
  j["maxLinks"] = 30;
  Policy p = MustParse(j);
  EXPECT_EQ(p.version(), "42");
  EXPECT_EQ(p.max_chain_length(), 7);
  EXPECT_EQ(p.max_links(), 30);
}

TEST(PolicyTest, CanonicalFormIgnoresSpellingButNotContent) {
  Policy a = MustParse(ValidPolicy());
  // Same document, different whitespace and key order.
  std::string pretty = ValidPolicy().dump(4);
  absl::StatusOr<Policy> b = Policy::Parse(pretty);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a.canonical_json(), b->canonical_json());
  EXPECT_EQ(a.sha256_hex(), b->sha256_hex());
  EXPECT_EQ(a.sha256_hex(), absl::BytesToHexString(crypto::Sha256(ValidPolicy().dump())));
  EXPECT_EQ(a.sha256_hex().size(), 64u);

  nlohmann::json changed = ValidPolicy();
  changed["decisionPools"].push_back("proj-1/build");
  Policy c = MustParse(changed);
  EXPECT_NE(a.sha256_hex(), c.sha256_hex());
}

TEST(PolicyTest, NotJson) {
  absl::StatusOr<Policy> p = Policy::Parse("{\"version\": ");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(), HasSubstr("not JSON"));
}

TEST(PolicyTest, SchemaErrorsNameThePlaceAndAreAllListed) {
  nlohmann::json j = ValidPolicy();
  j.erase("hooks");
  j["workerKeys"][1]["pools"][0] = "Not A Pool";
  j["taskTypes"]["build"]["pool"] = j["taskTypes"]["build"]["pools"];  // a typo'd field
  j["maxChainLength"] = 1000;
  std::string message = ParseError(j);
  EXPECT_THAT(message, HasSubstr("does not match its schema"));
  EXPECT_THAT(message, HasSubstr("\"hooks\""));
  EXPECT_THAT(message, HasSubstr("/workerKeys/1/pools/0"));
  EXPECT_THAT(message, HasSubstr("/taskTypes/build"));
  EXPECT_THAT(message, HasSubstr("/maxChainLength"));
}

TEST(PolicyTest, VersionMustBeStringOrInteger) {
  nlohmann::json j = ValidPolicy();
  j["version"] = 1.5;
  EXPECT_THAT(ParseError(j), HasSubstr("/version"));
  j["version"] = "";
  EXPECT_THAT(ParseError(j), HasSubstr("/version"));
  j["version"] = "2024 06";  // the store keeps versions without spaces
  EXPECT_THAT(ParseError(j), HasSubstr("/version"));
  j["version"] = std::string(129, 'v');
  EXPECT_THAT(ParseError(j), HasSubstr("/version"));
}

TEST(PolicyTest, DecisionTaskTypeIsRequired) {
  nlohmann::json j = ValidPolicy();
  j["taskTypes"].erase("decision");
  EXPECT_THAT(ParseError(j), HasSubstr("decision"));
}

TEST(PolicyTest, AliasNamingAnUntrustedRepository) {
  nlohmann::json j = ValidPolicy();
  j["aliases"]["release"].push_back("https://git.example.com/proj/app-fork");
  std::string message = ParseError(j);
  EXPECT_THAT(message, HasSubstr("/aliases/release"));
  EXPECT_THAT(message, HasSubstr("'https://git.example.com/proj/app-fork' is matched by no "
                                 "trustedRepositories rule"));
}

TEST(PolicyTest, RestrictedScopeWithUndefinedAlias) {
  nlohmann::json j = ValidPolicy();
  j["restrictedScopes"]["project:proj:nightly"] = "nightly";
  EXPECT_THAT(ParseError(j), HasSubstr("/restrictedScopes/project:proj:nightly: alias "
                                       "'nightly' is not defined"));
}

TEST(PolicyTest, OverlappingRestrictedScopeExactUnderPrefix) {
  nlohmann::json j = ValidPolicy();
  j["restrictedScopes"]["project:proj:releases:firefox"] = "beta";
  EXPECT_THAT(ParseError(j),
              HasSubstr("patterns 'project:proj:releases:*' and 'project:proj:releases:firefox' "
                        "overlap"));
}

TEST(PolicyTest, OverlappingRestrictedScopeNestedPrefixes) {
  nlohmann::json j = ValidPolicy();
  j["restrictedScopes"]["project:proj:*"] = "beta";
  std::string message = ParseError(j);
  // project:proj:* overlaps all three others.
  EXPECT_THAT(message, HasSubstr("'project:proj:*' and 'project:proj:releases:*' overlap"));
  EXPECT_THAT(message, HasSubstr("'project:proj:*' and 'project:proj:signing:cert:release' "
                                 "overlap"));
  EXPECT_THAT(message, HasSubstr("'project:proj:*' and 'project:proj:beta:*' overlap"));
}

TEST(PolicyTest, SiblingPatternsDoNotOverlap) {
  nlohmann::json j = ValidPolicy();
  j["restrictedScopes"]["project:proj:releases"] = "beta";  // exact, without the ':'
  j["restrictedScopes"]["project:proj:signing:cert:release-dep"] = "beta";
  MustParse(j);
}

TEST(PolicyTest, TaskTypePoolWithoutKey) {
  nlohmann::json j = ValidPolicy();
  j["taskTypes"]["signing"]["pools"].push_back("proj-3/signing-new");
  EXPECT_THAT(ParseError(j), HasSubstr("/taskTypes/signing/pools: pool 'proj-3/signing-new' has "
                                       "no trusted worker key"));
}

TEST(PolicyTest, DecisionPoolWithoutKey) {
  nlohmann::json j = ValidPolicy();
  j["decisionPools"].push_back("proj-1/decision");
  EXPECT_THAT(ParseError(j),
              HasSubstr("/decisionPools: pool 'proj-1/decision' has no trusted worker key"));
}

TEST(PolicyTest, DecisionTypePoolThatIsNotADecisionPool) {
  nlohmann::json j = ValidPolicy();
  j["taskTypes"]["decision"]["pools"].push_back("proj-3/build");
  EXPECT_THAT(ParseError(j), HasSubstr("/taskTypes/decision/pools: pool 'proj-3/build' is not in "
                                       "decisionPools"));
}

TEST(PolicyTest, KeyWithEmptyWindow) {
  nlohmann::json j = ValidPolicy();
  j["workerKeys"][0]["notAfter"] = j["workerKeys"][0]["notBefore"];
  EXPECT_THAT(ParseError(j),
              HasSubstr("/workerKeys/0: key 'decision-key' has an empty validity window"));
}

TEST(PolicyTest, KeyWithInvertedWindow) {
  nlohmann::json j = ValidPolicy();
  j["workerKeys"][3]["notBefore"] = "2026-01-01T00:00:00Z";
  EXPECT_THAT(ParseError(j),
              HasSubstr("/workerKeys/3: key 'signing-key' has an inverted validity window"));
}

TEST(PolicyTest, KeyWindowMustBeRfc3339) {
  nlohmann::json j = ValidPolicy();
  j["workerKeys"][0]["notBefore"] = "yesterday";
  EXPECT_THAT(ParseError(j), HasSubstr("/workerKeys/0/notBefore"));
}

TEST(PolicyTest, DuplicateKeyIds) {
  nlohmann::json j = ValidPolicy();
  j["workerKeys"][2]["id"] = "build-key";
  EXPECT_THAT(ParseError(j),
              HasSubstr("/workerKeys/2: duplicate key id 'build-key' (also /workerKeys/1)"));
}

TEST(PolicyTest, PublicKeyNotCanonicalBase64) {
  nlohmann::json j = ValidPolicy();
  // 43 characters whose last one leaves non-zero trailing bits: not the encoding of any bytes.
  j["workerKeys"][0]["publicKey"] = std::string(42, 'A') + "B";
  EXPECT_THAT(ParseError(j), HasSubstr("/workerKeys/0/publicKey: not canonical standard base64"));
  j["workerKeys"][0]["publicKey"] = "short=";
  EXPECT_THAT(ParseError(j), HasSubstr("/workerKeys/0/publicKey"));
}

TEST(PolicyTest, RegexWithBackreferenceOrSyntaxError) {
  nlohmann::json j = ValidPolicy();
  j["trustedRepositories"].push_back({{"regex", "https://x/(a)\\1"}, {"path", "x"}});
  j["trustedRepositories"].push_back({{"regex", "https://x/(unclosed"}, {"path", "y"}});
  std::string message = ParseError(j);
  EXPECT_THAT(message, HasSubstr("/trustedRepositories/3/regex"));
  EXPECT_THAT(message, HasSubstr("/trustedRepositories/4/regex"));
}

TEST(PolicyTest, HookPointerMustBeAJsonPointer) {
  nlohmann::json j = ValidPolicy();
  j["hooks"]["proj/on-push"]["revision"]["pointer"] = "payload/revision";
  EXPECT_THAT(ParseError(j), HasSubstr("/hooks/proj~1on-push/revision"));
}

TEST(PolicyTest, HookIdMustBeGroupSlashId) {
  nlohmann::json j = ValidPolicy();
  j["hooks"]["no-slash"] = j["hooks"]["proj/nightly"];
  EXPECT_THAT(ParseError(j), HasSubstr("no-slash"));
}

TEST(PolicyTest, EveryConsistencyProblemIsListed) {
  nlohmann::json j = ValidPolicy();
  j["workerKeys"][2]["id"] = "build-key";                                // duplicate id
  j["workerKeys"][0]["notAfter"] = "2023-01-01T00:00:00Z";               // inverted
  j["aliases"]["beta"].push_back("https://elsewhere.example.com/repo");  // untrusted
  j["restrictedScopes"]["project:proj:beta:x"] = "beta";                 // overlap
  std::string message = ParseError(j);
  EXPECT_THAT(message, HasSubstr("(4 problems)"));
  EXPECT_THAT(message, HasSubstr("duplicate key id"));
  EXPECT_THAT(message, HasSubstr("inverted validity window"));
  EXPECT_THAT(message, HasSubstr("matched by no trustedRepositories rule"));
  EXPECT_THAT(message, HasSubstr("overlap"));
}

TEST(PolicyTest, KeysForHonoursPoolAndWindow) {
  Policy p = MustParse(ValidPolicy());
  auto ids = [](const std::vector<const WorkerKey*>& keys) {
    std::vector<std::string> out;
    out.reserve(keys.size());
    for (const WorkerKey* k : keys) out.push_back(k->id);
    return out;
  };
  EXPECT_THAT(ids(p.KeysFor("proj-3/build", T("2024-06-01T00:00:00Z"))), ElementsAre("build-key"));
  // Overlap during rotation: both keys.
  EXPECT_THAT(ids(p.KeysFor("proj-3/build", T("2024-12-15T00:00:00Z"))),
              ElementsAre("build-key", "build-key-next"));
  // notAfter is exclusive, notBefore inclusive.
  EXPECT_THAT(ids(p.KeysFor("proj-3/build", T("2025-01-01T00:00:00Z"))),
              ElementsAre("build-key-next"));
  EXPECT_THAT(ids(p.KeysFor("proj-3/decision", T("2024-01-01T00:00:00Z"))),
              ElementsAre("decision-key"));
  EXPECT_THAT(p.KeysFor("proj-3/decision", T("2023-12-31T23:59:59Z")), IsEmpty());
  // A key is trusted only for its own pools.
  EXPECT_THAT(ids(p.KeysFor("proj-1/build", T("2024-12-15T00:00:00Z"))), ElementsAre("build-key"));
  EXPECT_THAT(p.KeysFor("proj-3/elsewhere", T("2024-06-01T00:00:00Z")), IsEmpty());
  EXPECT_THAT(ids(p.KeysForPool("proj-3/build")), ElementsAre("build-key", "build-key-next"));
}

TEST(PolicyTest, PoolAllowed) {
  Policy p = MustParse(ValidPolicy());
  EXPECT_TRUE(p.PoolAllowed("build", "proj-1/build"));
  EXPECT_FALSE(p.PoolAllowed("signing", "proj-3/build"));
  EXPECT_FALSE(p.PoolAllowed("beetmover", "proj-3/build"));  // unknown type
  EXPECT_TRUE(p.PoolAllowed("decision", "proj-3/decision"));
  EXPECT_FALSE(p.PoolAllowed("decision", "proj-3/build"));
  EXPECT_TRUE(p.IsDecisionPool("proj-3/decision"));
  EXPECT_FALSE(p.IsDecisionPool("proj-3/signing"));
  EXPECT_TRUE(p.TaskTypeKnown("signing"));
  EXPECT_FALSE(p.TaskTypeKnown("beetmover"));
  EXPECT_THAT(p.PoolsFor("build"), ElementsAre("proj-1/build", "proj-3/build"));
}

TEST(PolicyTest, HookAllowedAndValueSources) {
  Policy p = MustParse(ValidPolicy());
  EXPECT_EQ(p.HookAllowed("proj/other"), nullptr);
  const HookRule* push = p.HookAllowed("proj/on-push");
  ASSERT_NE(push, nullptr);
  nlohmann::json context = {
      {"payload", {{"repository", "https://git.example.com/proj/app"}, {"revision", "abc123"}}},
      {"firedBy", "triggerHook"}};
  EXPECT_EQ(*push->repository.Resolve(context), "https://git.example.com/proj/app");
  ASSERT_TRUE(push->revision.has_value());
  EXPECT_EQ(*push->revision->Resolve(context), "abc123");
  EXPECT_EQ(push->repository.Resolve({{"payload", nlohmann::json::object()}}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(push->repository.Resolve({{"payload", {{"repository", 7}}}}).status().code(),
            absl::StatusCode::kInvalidArgument);

  const HookRule* nightly = p.HookAllowed("proj/nightly");
  ASSERT_NE(nightly, nullptr);
  EXPECT_FALSE(nightly->revision.has_value());
  EXPECT_EQ(*nightly->repository.Resolve(nlohmann::json::object()),
            "https://git.example.com/proj/app");
}

TEST(PolicyTest, RepositoryOfPrefixRules) {
  Policy p = MustParse(ValidPolicy());
  auto path = [&](const char* url) -> std::string {
    std::optional<TrustedRepository> r = p.RepositoryOf(url);
    return r.has_value() ? r->path : "<untrusted>";
  };
  EXPECT_EQ(path("https://git.example.com/proj/app"), "proj/app");
  EXPECT_EQ(path("https://git.example.com/proj/app.git"), "proj/app");
  EXPECT_EQ(path("https://git.example.com/proj/app/"), "proj/app");
  EXPECT_EQ(path("https://git.example.com/proj/app/sub"), "proj/app");
  // A longer name is another repository, not a sub-path.
  EXPECT_EQ(path("https://git.example.com/proj/app-fork"), "<untrusted>");
  EXPECT_EQ(path("http://git.example.com/proj/app"), "<untrusted>");
  // An org-wide prefix names each repository by the rest of the URL.
  EXPECT_EQ(path("https://git.example.com/org/tools"), "tools");
  EXPECT_EQ(path("https://git.example.com/org/"), "<untrusted>");
  EXPECT_EQ(path("https://git.example.com/org"), "<untrusted>");
  EXPECT_EQ(p.RepositoryOf("https://git.example.com/org/tools")->rule, 1);
}

TEST(PolicyTest, RepositoryOfRegexRules) {
  Policy p = MustParse(ValidPolicy());
  ASSERT_TRUE(p.RepositoryOf("https://hg.example.com/releases/beta").has_value());
  EXPECT_EQ(p.RepositoryOf("https://hg.example.com/releases/beta")->path, "releases/beta");
  // The regex must match the whole URL.
  EXPECT_FALSE(p.RepositoryOf("https://hg.example.com/releases/beta-fork").has_value());
  EXPECT_FALSE(p.RepositoryOf("xhttps://hg.example.com/releases/beta").has_value());
  EXPECT_FALSE(p.RepositoryOf("https://hgXexample.com/releases/beta").has_value());
  // Absurdly long URLs are never trusted.
  EXPECT_FALSE(
      p.RepositoryOf("https://git.example.com/org/" + std::string(kMaxRepositoryUrlLength, 'a'))
          .has_value());
}

TEST(PolicyTest, AliasRepositoryPaths) {
  Policy p = MustParse(ValidPolicy());
  EXPECT_THAT(p.AliasRepositoryPaths("release"), ElementsAre("proj/app", "releases/release"));
  EXPECT_THAT(p.AliasRepositoryPaths("nope"), IsEmpty());
  ASSERT_NE(p.AliasRepositories("beta"), nullptr);
  EXPECT_EQ(p.AliasRepositories("nope"), nullptr);
}

TEST(PolicyTest, RestrictedScopeRules) {
  Policy p = MustParse(ValidPolicy());
  auto patterns = [&](const char* scope) {
    std::vector<std::string> out;
    for (const RestrictedScopeRule* r : p.RestrictedScopeRules(scope)) out.push_back(r->pattern);
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_THAT(patterns("project:proj:signing:cert:release"),
              ElementsAre("project:proj:signing:cert:release"));
  EXPECT_THAT(patterns("project:proj:signing:cert:release-dep"), IsEmpty());
  EXPECT_THAT(patterns("project:proj:releases:app"), ElementsAre("project:proj:releases:*"));
  EXPECT_THAT(patterns("project:proj:releases:"), ElementsAre("project:proj:releases:*"));
  EXPECT_THAT(patterns("project:other"), IsEmpty());
  // A star scope holds every restricted scope below it.
  EXPECT_THAT(patterns("project:proj:*"),
              ElementsAre("project:proj:beta:*", "project:proj:releases:*",
                          "project:proj:signing:cert:release"));
  EXPECT_THAT(patterns("project:proj:signing:*"), ElementsAre("project:proj:signing:cert:release"));
  EXPECT_THAT(patterns("*"), Not(IsEmpty()));
  EXPECT_EQ(p.RestrictedScopeRules("project:proj:beta:x")[0]->alias, "beta");
}

TEST(PolicyTest, NormalizeRepositoryUrl) {
  EXPECT_EQ(NormalizeRepositoryUrl(" https://h/o/r.git/ "), "https://h/o/r");
  EXPECT_EQ(NormalizeRepositoryUrl("https://h/o/r//"), "https://h/o/r");
  EXPECT_EQ(NormalizeRepositoryUrl("https://h/o/r"), "https://h/o/r");
}

TEST(PolicyTest, SchemaIsEmbedded) {
  EXPECT_EQ(Policy::Schema()["title"], "Bulwark chain-of-trust verification policy");
}

}  // namespace
}  // namespace bulwark::verifier
