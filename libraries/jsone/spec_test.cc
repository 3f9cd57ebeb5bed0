// Runs every case of the JSON-e specification suite with the clock frozen at
// the suite's time: results must be equal as JSON values, and errors must match
// the suite's toString() exactly where it gives one.

#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/jsone/render.h"
#include "libraries/jsone/test_data.h"
#include "nlohmann/json.hpp"

namespace bulwark::jsone {
namespace {

// Why `c` failed, or empty if it passed. `converted` renders with a Context
// (the context converted up front) instead of the JSON context read lazily.
std::string Check(const SpecCase& c, bool converted) {
  absl::StatusOr<nlohmann::json> got = converted
                                           ? Render(c.tmpl, Context(c.context), SpecSuiteNow())
                                           : Render(c.tmpl, c.context, SpecSuiteNow());
  if (c.result.has_value()) {
    if (!got.ok()) return absl::StrCat("unexpected error: ", got.status().message());
    if (*got != *c.result) {
      return absl::StrCat("got ", got->dump(), ", want ", c.result->dump());
    }
    return "";
  }
  if (got.ok()) return absl::StrCat("expected an error, got ", got->dump());
  if (c.error.has_value() && got.status().message() != *c.error) {
    return absl::StrCat("got error \"", got.status().message(), "\", want \"", *c.error, "\"");
  }
  return "";
}

TEST(SpecTest, EveryCasePasses) {
  absl::StatusOr<std::vector<SpecCase>> cases = LoadSpecSuite();
  ASSERT_TRUE(cases.ok()) << cases.status();
  ASSERT_EQ(cases->size(), kSpecCaseCount);

  for (const bool converted : {false, true}) {
    size_t passed = 0;
    size_t exact_errors = 0;
    for (const SpecCase& c : *cases) {
      const std::string failure = Check(c, converted);
      if (failure.empty()) {
        ++passed;
        if (c.error.has_value()) ++exact_errors;
      } else {
        ADD_FAILURE() << "[" << c.section << "] " << c.title << "\n  template " << c.tmpl.dump()
                      << "\n  context " << c.context.dump() << "\n  " << failure;
      }
    }
    std::cout << "JSON-e spec: " << passed << "/" << cases->size() << " passed (" << exact_errors
              << " with an exact error message), context "
              << (converted ? "converted to a Context" : "read as JSON") << std::endl;
    EXPECT_EQ(passed, kSpecCaseCount);
  }
}

}  // namespace
}  // namespace bulwark::jsone
