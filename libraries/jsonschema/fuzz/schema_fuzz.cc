// Fuzz target: JSON Schema compilation and validation (libraries/jsonschema/validator.h).
//
// The input is JSON text: a schema, or [schema, instance...]. When it is an array of at least
// two elements, the first is compiled and the rest are validated; otherwise the input itself is
// compiled and validated against a fixed set of instances and itself.
//
// Properties checked, beyond "no crash": Compile fails only with INVALID_ARGUMENT; for every
// instance, IsValid, Validate().ok() and Errors().empty() agree, Validate's failures are
// INVALID_ARGUMENT, and Errors returns at most kMaxErrors errors.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libraries/jsonschema/validator.h"
#include "libraries/testing/fuzz/fuzz_check.h"
#include "nlohmann/json.hpp"

namespace {

const std::vector<nlohmann::json>& FixedInstances() {
  static const auto* instances = new std::vector<nlohmann::json>{
      nullptr,
      true,
      0,
      -1.5,
      "",
      "abc",
      "2026-01-01T00:00:00Z",
      nlohmann::json::array(),
      nlohmann::json::array({1, "a", nullptr, 1}),
      nlohmann::json::object(),
      nlohmann::json::parse(R"({"a": 1, "b": [true, {"c": "x"}], "owner": "me@example.com"})"),
  };
  return *instances;
}

void CheckInstance(const bulwark::jsonschema::Schema& schema, const nlohmann::json& instance) {
  const bool valid = schema.IsValid(instance);
  const absl::Status status = schema.Validate(instance);
  const std::vector<bulwark::jsonschema::ValidationError> errors = schema.Errors(instance);
  FUZZ_CHECK(valid == status.ok()) << status << " for " << instance.dump();
  FUZZ_CHECK(valid == errors.empty()) << errors.size() << " errors for " << instance.dump();
  FUZZ_CHECK(errors.size() <= bulwark::jsonschema::Schema::kMaxErrors);
  if (!status.ok()) FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument) << status;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json input = nlohmann::json::parse(data, data + size, nullptr,
                                               /*allow_exceptions=*/false);
  if (input.is_discarded()) return 0;
  const bool paired = input.is_array() && input.size() >= 2;
  const nlohmann::json& document = paired ? input[0] : input;
  absl::StatusOr<bulwark::jsonschema::Schema> schema = bulwark::jsonschema::Compile(document);
  if (!schema.ok()) {
    FUZZ_CHECK(schema.status().code() == absl::StatusCode::kInvalidArgument) << schema.status();
    return 0;
  }
  if (paired) {
    for (size_t i = 1; i < input.size(); ++i) CheckInstance(*schema, input[i]);
  } else {
    for (const nlohmann::json& instance : FixedInstances()) CheckInstance(*schema, instance);
    CheckInstance(*schema, document);
  }
  return 0;
}
