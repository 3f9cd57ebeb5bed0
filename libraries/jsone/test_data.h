// File: libraries/jsone/test_data.h
//
// Test and benchmark data, read from the runfiles of a target that lists it in
// its `data`:
//  - the JSON-e specification suite ("@shared//:json_e_spec":
//    ../shared/testdata/json-e-specification.json, 1,175 cases, the same as
//    the reference's specification.yml);
//  - a Taskcluster-style decision-task template with its context and clock
//    ("testdata/decision_task.json"), and a GitHub push event payload to use
//    as its `event` ("testdata/github_push_event.json").
//
// Thread-safety: plain functions and values. Errors: NotFound if a file is not
// in the runfiles; InvalidArgument if it does not parse or is malformed.

#ifndef BULWARK_LIBRARIES_JSONE_TEST_DATA_H_
#define BULWARK_LIBRARIES_JSONE_TEST_DATA_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace bulwark::jsone {

struct SpecCase {
  std::string section;
  std::string title;
  nlohmann::json context;
  nlohmann::json tmpl;
  // Exactly one of: the expected result, or an expected error (with its exact
  // toString() when the suite gives one).
  std::optional<nlohmann::json> result;
  bool expects_error = false;
  std::optional<std::string> error;
};

// The number of cases in the suite.
inline constexpr size_t kSpecCaseCount = 1175;

// The time every case assumes: 2017-01-19T16:27:20.974Z.
absl::Time SpecSuiteNow();

absl::StatusOr<std::vector<SpecCase>> LoadSpecSuite();

struct DecisionTask {
  nlohmann::json tmpl;
  nlohmann::json context;
  absl::Time now;
};

absl::StatusOr<DecisionTask> LoadDecisionTask();

// The decision task with a full GitHub push event payload (about 20 kB,
// testdata/github_push_event.json) as its `event`, of which the template reads
// a few fields.
absl::StatusOr<DecisionTask> LoadDecisionTaskWithPushEvent();

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_TEST_DATA_H_
