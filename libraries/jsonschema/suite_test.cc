// Runs every case of the JSON-Schema-Test-Suite's draft-07 files
// (../shared/testdata/ json-schema-draft7, 904 cases) through Compile and all
// three validation entry points. A case that fails must be listed in
// kExceptions with its reason; a listed case that passes fails the test too, so
// the list cannot go stale.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/jsonschema/validator.h"
#include "nlohmann/json.hpp"

namespace bulwark {
namespace jsonschema {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr size_t kExpectedCases = 904;

// "<file> / <group description> / <test description>" -> why it cannot pass.
const std::map<std::string, std::string>& Exceptions() {
  static const auto* const exceptions = new std::map<std::string, std::string>{};
  return *exceptions;
}

fs::path SuiteDirectory() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const std::string root = srcdir == nullptr ? "." : srcdir;
  for (const char* relative : {"shared/testdata/json-schema-draft7",
                               "bulwark/external/shared/testdata/json-schema-draft7"}) {
    fs::path candidate = fs::path(root) / relative;
    if (fs::is_directory(candidate)) return candidate;
  }
  return {};
}

TEST(JsonSchemaSuiteTest, Draft07) {
  const fs::path directory = SuiteDirectory();
  ASSERT_FALSE(directory.empty()) << "suite not found under TEST_SRCDIR";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(directory)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());

  size_t total = 0;
  size_t passed = 0;
  std::set<std::string> failed_exceptions;
  for (const fs::path& file : files) {
    std::ifstream stream(file);
    const json groups = json::parse(stream);
    for (const json& group : groups) {
      const std::string group_name =
          absl::StrCat(file.filename().string(), " / ", group.at("description").get<std::string>());
      const absl::StatusOr<Schema> schema = Compile(group.at("schema"));
      for (const json& test : group.at("tests")) {
        ++total;
        const std::string name =
            absl::StrCat(group_name, " / ", test.at("description").get<std::string>());
        const bool expected = test.at("valid").get<bool>();
        std::string problem;
        if (!schema.ok()) {
          problem = absl::StrCat("schema does not compile: ", schema.status().ToString());
        } else {
          const json& data = test.at("data");
          const bool is_valid = schema->IsValid(data);
          const absl::Status status = schema->Validate(data);
          const std::vector<ValidationError> errors = schema->Errors(data);
          if (is_valid != expected) {
            problem = absl::StrCat("IsValid gave ", is_valid, ", expected ", expected,
                                   status.ok() ? "" : absl::StrCat(": ", status.message()));
          } else if (status.ok() != expected || errors.empty() != expected) {
            problem = absl::StrCat("entry points disagree: IsValid ", is_valid, ", Validate ",
                                   status.ToString(), ", Errors ", errors.size());
          }
        }
        const bool excepted = Exceptions().count(name) > 0;
        if (problem.empty()) {
          ++passed;
          EXPECT_FALSE(excepted) << name << " passes but is listed as an exception";
        } else if (excepted) {
          failed_exceptions.insert(name);
        } else {
          ADD_FAILURE() << name << ": " << problem;
        }
      }
    }
  }
  std::cout << "JSON Schema draft-07: " << passed << "/" << total << " passed, "
            << failed_exceptions.size() << " listed exceptions" << std::endl;
  EXPECT_EQ(total, kExpectedCases);
  EXPECT_EQ(passed + failed_exceptions.size(), total);
}

}  // namespace
}  // namespace jsonschema
}  // namespace bulwark
