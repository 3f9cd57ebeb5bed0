// Differential test against npm cron-parser 5.6.2:
// testdata/cron_parser_vectors.json holds what it computes (made by
// testdata/generate_vectors.js) for a few hundred patterns from eight reference
// times. Every pattern it rejects must be rejected here; every pattern it
// accepts must give the same two successive firings from each reference, except
// the patterns README.md lists as rejected on purpose, which
// kDeliberateRejections checks one by one.

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libraries/cron/schedule.h"
#include "nlohmann/json.hpp"

namespace bulwark::cron {
namespace {

using nlohmann::json;

// Patterns cron-parser 5.6.2 accepts (or accepts and then fails or misbehaves
// on in next()) that Parse rejects on purpose, with a fragment of the message
// each must get.
const std::map<std::string, std::string>& DeliberateRejections() {
  static const auto* const kRejections = new std::map<std::string, std::string>{
      {"", "the pattern is empty"},
      {"H 0 * * *", "`H` (hashed) values are not supported"},
      {"H/5 * * * *", "`H` (hashed) values are not supported"},
      {"0 H(0-5) * * *", "`H` (hashed) values are not supported"},
      {"5 4 3", "3 fields: expected 5 fields"},
      {"* * * *", "4 fields: expected 5 fields"},
      {"*-5 * * * *", "`*` cannot be part of a range"},
      {"1-2-3 * * * *", "a range has two ends"},
      {"1/5-2 * * * *", "unexpected `-`"},
      {"0 0 * MON *", "`MON` is not a month name"},
      {"0 0 * JANFEB *", "`JANFEB` is not a month name"},
      {"0 0 * * JAN", "`JAN` is not a day name"},
      {"0 0 5L * *", "`5L` is not supported"},
      {"0 0 5L-7 * *", "`5L` is not supported"},
      {"0 0 * * 15L", "the weekday before `L` must be 0-7"},
      {"0 0 * * 05L", "the weekday before `L` must be 0-7"},
      {"0 0 * * 5L-6", "`5L` cannot be part of a range or step"},
      {"0 0 * * 5L#2", "`#` cannot be combined with `L`"},
      {"0 0 * * L#2", "`#` cannot be combined with `L`"},
      {"0 0 * * L", "`L` needs a weekday before it"},
      {"0 0 * * 1,L", "`L` needs a weekday before it"},
      {"0 0 * * 5#+2", "unexpected character `+`"},
      {"0 0 * * */MON", "a step must be a positive number"},
      {"0 0 31 4,6 *", "the pattern never fires"},
      {"0 0 31 2,4 *", "the pattern never fires"},
      {"0,0,1,1 * * * *", "1 is listed more than once"},
      {"0 0 * * 6-7,5-7", "6 is listed more than once"},
  };
  return *kRejections;
}

json LoadVectors() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const std::string root = srcdir == nullptr ? "." : std::string(srcdir) + "/bulwark";
  std::ifstream stream(root + "/libraries/cron/testdata/cron_parser_vectors.json");
  EXPECT_TRUE(stream.good()) << "testdata/cron_parser_vectors.json not found";
  return json::parse(stream, nullptr, /*allow_exceptions=*/false);
}

std::string Format(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

std::string Format(const std::optional<absl::Time>& t) {
  return t.has_value() ? Format(*t) : "nullopt";
}

TEST(DifferentialTest, AgreesWithCronParser) {
  const json vectors = LoadVectors();
  ASSERT_TRUE(vectors.is_object());
  std::vector<absl::Time> references;
  for (const json& reference : vectors.at("references")) {
    absl::Time t;
    std::string error;
    ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, reference.get<std::string>(), &t, &error))
        << error;
    references.push_back(t);
  }
  ASSERT_EQ(references.size(), 8u);

  int compared = 0, rejected_by_both = 0, deliberate = 0, loop_limit = 0;
  std::map<std::string, int> deliberate_seen;
  for (const json& vector : vectors.at("cases")) {
    const std::string pattern = vector.at("pattern").get<std::string>();
    SCOPED_TRACE("pattern `" + pattern + "`");
    const absl::StatusOr<Schedule> schedule = Schedule::Parse(pattern);
    if (vector.contains("error")) {
      EXPECT_EQ(schedule.status().code(), absl::StatusCode::kInvalidArgument)
          << "cron-parser rejects it: " << vector.at("error");
      ++rejected_by_both;
      continue;
    }
    const auto rejection = DeliberateRejections().find(pattern);
    if (rejection != DeliberateRejections().end()) {
      ++deliberate_seen[pattern];
      ++deliberate;
      EXPECT_EQ(schedule.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_NE(schedule.status().message().find(rejection->second), std::string::npos)
          << schedule.status();
      continue;
    }
    ASSERT_TRUE(vector.contains("next")) << vector.dump();
    ASSERT_TRUE(schedule.ok()) << schedule.status();
    if (vector.value("loop_limit", false)) ++loop_limit;
    const json& next = vector.at("next");
    ASSERT_EQ(next.size(), references.size());
    for (size_t i = 0; i < references.size(); ++i) {
      const absl::Time first = absl::FromUnixSeconds(next[i][0].get<int64_t>());
      const absl::Time second = absl::FromUnixSeconds(next[i][1].get<int64_t>());
      EXPECT_EQ(Format(schedule->Next(references[i])), Format(first))
          << "from " << Format(references[i]);
      EXPECT_EQ(Format(schedule->Next(first)), Format(second)) << "from " << Format(first);
    }
    ++compared;
  }
  // Every deliberate rejection is one cron-parser really accepts, and all were
  // exercised.
  for (const auto& [pattern, message] : DeliberateRejections()) {
    EXPECT_EQ(deliberate_seen[pattern], 1) << "`" << pattern << "`";
  }
  EXPECT_EQ(deliberate, static_cast<int>(DeliberateRejections().size()));
  // Guard against a truncated or regenerated-empty data file.
  EXPECT_GE(compared, 350);
  EXPECT_GE(rejected_by_both, 50);
  EXPECT_GE(loop_limit, 3);
}

}  // namespace
}  // namespace bulwark::cron
