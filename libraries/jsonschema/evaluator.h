// File: libraries/jsonschema/evaluator.h
//
// Evaluator (internal): checks one instance against a compiled schema, either
// stopping at the first failure or collecting every error with its instance
// path. Subschemas whose failure is not itself an error (anyOf, oneOf, not, if,
// contains, propertyNames) are probed without collecting.
//
// Work is bounded (SetBudget): a step budget and the call's deadline, since
// nested anyOf/oneOf/$ref can take time exponential in the schema's size.
// Recursion is bounded: a `$ref` that comes back to the same schema for the
// same value (e.g. {"$ref": "#"}) fails with an error instead of looping, and
// nesting deeper than kMaxDepth fails instead of exhausting the stack. Either
// aborts the whole evaluation as invalid, even under `not`.
//
// Thread-safety: an Evaluator is single-use scratch state for one call on one
// thread; the CompiledSchema it reads is shared and immutable. Errors: reported
// as ValidationErrors, never thrown.

#ifndef BULWARK_LIBRARIES_JSONSCHEMA_EVALUATOR_H_
#define BULWARK_LIBRARIES_JSONSCHEMA_EVALUATOR_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libraries/jsonschema/schema_node.h"
#include "libraries/jsonschema/validation_error.h"
#include "nlohmann/json.hpp"

namespace bulwark {
namespace jsonschema {
namespace internal {

class Evaluator {
 public:
  // Deepest nesting of schemas applied to an instance (instance depth times the
  // schema levels each step goes through). At about 1 KB of stack per level in
  // optimized builds, this keeps evaluation within about 512 KB of stack.
  static constexpr int kMaxDepth = 500;

  // With `errors` null, evaluation stops at the first failure. Otherwise up to
  // `max_errors` errors are appended to it and the rest are only counted
  // (dropped_errors).
  Evaluator(std::vector<ValidationError>* errors, size_t max_errors)
      : errors_(errors), max_errors_(max_errors), collecting_(errors != nullptr) {}

  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  bool Evaluate(const Node& root, const nlohmann::json& instance) {
    return Eval(root, instance) && !aborted_;
  }

  size_t dropped_errors() const { return dropped_errors_; }

  // Caps the work of Evaluate: at most `max_steps` schema applications, and none after
  // `deadline`. Going over aborts the evaluation as invalid and sets exhausted().
  void SetBudget(uint64_t max_steps, absl::Time deadline) {
    max_steps_ = max_steps;
    deadline_ = deadline;
  }
  bool exhausted() const { return exhausted_; }

 private:
  // A step of the instance path: an object member or an array index.
  struct PathStep {
    const std::string* key;
    size_t index;
  };

  bool Eval(const Node& node, const nlohmann::json& instance);
  // Evaluates without collecting errors: for subschemas whose failure is not an
  // error.
  bool Probe(const Node& node, const nlohmann::json& instance);
  bool EvalRef(const Node& node, const nlohmann::json& instance);
  bool EvalGeneric(const Node& node, const nlohmann::json& instance);
  bool EvalCombinators(const Node& node, const nlohmann::json& instance);
  bool EvalNumber(const Node& node, const nlohmann::json& instance);
  // Checks a size against a max/min keyword pair (maxItems/minItems, ...);
  // `noun` names what is counted in the message.
  bool EvalCount(const Node& node, size_t count, const std::optional<uint64_t>& max,
                 const char* max_keyword, const std::optional<uint64_t>& min,
                 const char* min_keyword, const char* noun);
  bool EvalString(const Node& node, const std::string& text);
  bool EvalArray(const Node& node, const nlohmann::json& array);
  bool EvalUniqueItems(const Node& node, const nlohmann::json& array);
  bool EvalObject(const Node& node, const nlohmann::json& object);
  bool EvalMembers(const Node& node, const nlohmann::json& object);
  bool EvalDependencies(const Node& node, const nlohmann::json& object);

  // Evaluates `node` against `child`, one step down the instance path.
  bool EvalItem(const Node& node, const nlohmann::json& child, size_t index);
  bool EvalMember(const Node& node, const nlohmann::json& child, const std::string& key);

  // Records an error (when collecting) and returns false. `message` is only
  // called when the error is recorded, so probes pay nothing for messages.
  template <typename MessageFn>
  bool Fail(const Node& node, const char* keyword, MessageFn message) {
    if (collecting_) Record(node, keyword, message());
    return false;
  }
  // Stops the whole evaluation as invalid, recording the error even inside a
  // probe: a `not` or `anyOf` must not turn "could not evaluate" into a result.
  bool Abort(const Node& node, const char* keyword, std::string message);
  void Record(const Node& node, const char* keyword, std::string message);
  std::string InstancePath() const;

  std::vector<ValidationError>* errors_;
  size_t max_errors_;
  size_t dropped_errors_ = 0;
  bool collecting_;
  bool aborted_ = false;
  int depth_ = 0;
  uint64_t steps_ = 0;
  uint64_t max_steps_ = UINT64_MAX;
  absl::Time deadline_ = absl::InfiniteFuture();
  bool exhausted_ = false;
  std::vector<PathStep> path_;
  // Active `$ref` steps: (target, instance). Seeing one again means an endless
  // loop.
  std::vector<std::pair<const Node*, const nlohmann::json*>> ref_stack_;
};

}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_JSONSCHEMA_EVALUATOR_H_
