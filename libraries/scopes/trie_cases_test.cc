// Upstream's trie test cases (trietestcases.js: 25 cases, 116 rules, 201
// input/result pairs), run through the resolver and the oracle, as given and
// under the three character remappings of upstream's FULL_TESTS mode ("[hh]"
// for every character but `*`, for every character, and
// "*hh*!" for every character but `*`).
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "libraries/scopes/oracle.h"
#include "libraries/scopes/resolver.h"
#include "libraries/scopes/scope.h"
#include "libraries/scopes/scope_set.h"
#include "nlohmann/json.hpp"

namespace bulwark::scopes {
namespace {

using Scopes = std::vector<std::string>;
using CharMap = std::function<std::string(char)>;

std::string MapText(const std::string& s, const CharMap& map) {
  std::string out;
  for (char c : s) out += map(c);
  return out;
}

// Maps a pattern or scope, keeping a trailing kleene `*` as it is.
std::string MapKeepingKleene(const std::string& s, const CharMap& map) {
  if (IsStar(s)) return MapText(s.substr(0, s.size() - 1), map) + "*";
  return MapText(s, map);
}

std::string MapScope(const std::string& scope, bool star_role, const CharMap& map) {
  const size_t at = scope.find("<..>");
  if (!star_role || at == std::string::npos) return MapKeepingKleene(scope, map);
  return MapText(scope.substr(0, at), map) + "<..>" + MapKeepingKleene(scope.substr(at + 4), map);
}

std::string Hex(char c) { return absl::StrFormat("%02x", static_cast<unsigned char>(c)); }

void RunCases(const CharMap& map, const std::string& mapping) {
  std::ifstream in("libraries/scopes/testdata/upstream_trie_cases.json");
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json cases = nlohmann::json::parse(text.str()).at("cases");
  ASSERT_EQ(cases.size(), 25u);
  int pairs = 0;
  for (const auto& c : cases) {
    const std::string title = c.at("title").get<std::string>() + " " + mapping;
    // Trie patterns become role ids; their scopes and results move into
    // `assume:` space.
    std::vector<Role> roles;
    for (const auto& rule : c.at("rules")) {
      const std::string pattern = rule.at("pattern");
      Role role{MapKeepingKleene(pattern, map), {}};
      for (const std::string& s : rule.at("scopes").get<Scopes>()) {
        role.scopes.push_back("assume:" + MapScope(s, IsStar(pattern), map));
      }
      roles.push_back(role);
    }
    auto resolver = Resolver::Create(roles);
    ASSERT_TRUE(resolver.ok()) << title << ": " << resolver.status();
    for (const auto& [input, result] : c.at("results").items()) {
      const std::string scope = "assume:" + MapKeepingKleene(input, map);
      Scopes expected;
      for (const std::string& s : result.get<Scopes>()) {
        expected.push_back("assume:" + MapKeepingKleene(s, map));
      }
      expected = SortAndNormalize(expected);
      EXPECT_EQ(OracleExpandOne(roles, scope), expected) << title << ": " << input;
      Scopes with_input = expected;
      with_input.push_back(scope);
      EXPECT_EQ((*resolver)->Expand({scope}), SortAndNormalize(with_input))
          << title << ": " << input;
      ++pairs;
    }
  }
  EXPECT_EQ(pairs, 201);
}

TEST(TrieCasesTest, AsGiven) {
  RunCases([](char c) { return std::string(1, c); }, "");
}

TEST(TrieCasesTest, HexExceptStar) {
  RunCases([](char c) { return c == '*' ? "*" : "[" + Hex(c) + "]"; }, "[XX]+*");
}

TEST(TrieCasesTest, HexIncludingStar) {
  RunCases([](char c) { return "[" + Hex(c) + "]"; }, "[XX]");
}

TEST(TrieCasesTest, StarsInjected) {
  RunCases([](char c) { return c == '*' ? "*" : "*" + Hex(c) + "*!"; }, "*XX*!");
}

}  // namespace
}  // namespace bulwark::scopes
