// Fuzz target: cron patterns (libraries/cron/schedule.h).
//
// Properties checked, beyond "no crash": a refusal is INVALID_ARGUMENT whose message ends with
// "`" (the quoted pattern); for an accepted pattern, Next(t) after a fixed time is strictly
// later, matches the pattern, and no second in between matches (checked over the first hour);
// Next is monotonic over three steps.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libraries/cron/schedule.h"
#include "libraries/testing/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view pattern(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<bulwark::cron::Schedule> schedule = bulwark::cron::Schedule::Parse(pattern);
  if (!schedule.ok()) {
    FUZZ_CHECK(schedule.status().code() == absl::StatusCode::kInvalidArgument) << schedule.status();
    FUZZ_CHECK(absl::EndsWith(schedule.status().message(), "`")) << schedule.status();
    return 0;
  }
  absl::Time t = absl::FromUnixSeconds(1767225600) + absl::Milliseconds(250);
  for (int step = 0; step < 3; ++step) {
    std::optional<absl::Time> next = schedule->Next(t);
    if (!next.has_value()) return 0;
    FUZZ_CHECK(*next > t) << pattern;
    FUZZ_CHECK(schedule->Matches(*next)) << pattern << " at " << *next;
    FUZZ_CHECK(*next == absl::FromUnixSeconds(absl::ToUnixSeconds(*next))) << *next;
    if (step == 0) {
      for (absl::Time s = absl::FromUnixSeconds(absl::ToUnixSeconds(t)) + absl::Seconds(1);
           s < *next && s < t + absl::Hours(1); s += absl::Seconds(1)) {
        FUZZ_CHECK(!schedule->Matches(s)) << pattern << " matches " << s << " before " << *next;
      }
    }
    t = *next;
  }
  return 0;
}
