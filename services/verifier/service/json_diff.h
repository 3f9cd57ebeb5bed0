// File: services/verifier/service/json_diff.h
//
// Structural JSON comparison for the verifier: which values of two documents differ, by JSON
// pointer, so that a failing check can say where a signed task definition and the queue's
// disagree ("/payload/command/0: signed \"rm\", queue \"make\"").
//
// Equality is exact and structural: objects compare by key set and values (member order is
// irrelevant), arrays element by element in order, strings byte for byte, booleans and null by
// value, and numbers by mathematical value across nlohmann's integer and floating types (1 equals
// 1.0, as the protobuf JSON mapping may print either). Nothing is ignored or defaulted: a member
// missing on one side is a difference, even when its value is null or empty.
//
//   std::vector<JsonDifference> d = JsonDiff(signed_task, queue_task);
//   if (!d.empty()) reason = DescribeDifferences(d, "signed", "queue");
//
// Thread-safety: pure functions. Errors: none. Nesting is walked with an explicit stack, so deep
// documents cannot exhaust the call stack.

#ifndef BULWARK_SERVICES_VERIFIER_SERVICE_JSON_DIFF_H_
#define BULWARK_SERVICES_VERIFIER_SERVICE_JSON_DIFF_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace bulwark::verifier {

struct JsonDifference {
  std::string pointer;           // RFC 6901; "" is the whole document
  std::optional<std::string> a;  // the value in `a`, serialized (nullopt: absent)
  std::optional<std::string> b;
};

// Up to `max_differences` differences, in document order (sorted keys).
std::vector<JsonDifference> JsonDiff(const nlohmann::json& a, const nlohmann::json& b,
                                     size_t max_differences = 10);

bool JsonStructurallyEqual(const nlohmann::json& a, const nlohmann::json& b);

// "at /x: <a_label> 1, <b_label> 2; at /y: <a_label> absent, <b_label> \"s\"" (values longer
// than 80 characters are shortened).
std::string DescribeDifferences(const std::vector<JsonDifference>& differences,
                                absl::string_view a_label, absl::string_view b_label);

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVICE_JSON_DIFF_H_
