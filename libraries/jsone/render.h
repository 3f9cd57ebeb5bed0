// File: libraries/jsone/render.h
//
// JSON-e rendering: the entry point for callers (hooks render task templates
// with it).
//
//   absl::StatusOr<nlohmann::json> task =
//       bulwark::jsone::Render(hook.task, context_json, fire_time);
//   // On failure, task.status().message() is e.g.
//   // "InterpreterError at template.payload: unknown context value x".
//
// Semantics are those of the reference (npm json-e 4.8.4) and its specification
// suite: the context must be an object whose keys are identifiers; the builtins
// sit beneath it; `now` defaults to `now` as an ISO string; a template that
// renders to nothing (e.g. a top-level $if whose branch is missing) gives JSON
// null. Rendering is deterministic: the wall clock is never read, `now` stands
// in for it.
//
// Objects in results have their keys in sorted order (nlohmann::json's
// std::map). Where the reference's behaviour depends on JavaScript object key
// order (which key of two erroneous ones is reported first; which of two keys
// interpolating to the same string wins), sorted key order is used.
//
// Other deliberate differences from npm json-e 4.8.4:
//  - the context is never modified ($reverse and $mergeDeep there change
//    context arrays in place, which later expressions of the same render see);
//  - where it fails with a JavaScript TypeError or RangeError (e.g. "[1, ]",
//    sqrt(1, 2), range(1, 5, 0)) this gives a JSON-e error of the nearest
//    type; split(s, "") splits by code point, not UTF-16 unit;
//  - a function turned into a string reads "function name() { [native code] }"
//    rather than its JavaScript source;
//  - templates, contexts, expressions and computed values nested more than
//    1,000 levels deep fail with an error instead of exhausting the stack;
//  - date parsing and case mapping: see from_now.h and unicode.h;
//  - a render's work is bounded (RenderLimits): more steps (templates rendered,
//    expressions evaluated) or more output (bytes of strings and items of
//    arrays built, e.g. by range() or string concatenation) than the limits
//    fail with RESOURCE_EXHAUSTED, so a template cannot cost a service more
//    than a bounded amount of time and memory.
//
// Errors: a JSON-e error status whose message is the reference's toString()
// (see error.h); a context function's own non-OK status is returned unchanged.
//
// Thread-safety: Render is reentrant; a Context may be shared by concurrent
// renders.

#ifndef BULWARK_LIBRARIES_JSONE_RENDER_H_
#define BULWARK_LIBRARIES_JSONE_RENDER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libraries/jsone/error.h"
#include "libraries/jsone/value.h"
#include "nlohmann/json.hpp"

namespace bulwark::jsone {

// The variables a template sees: JSON values and C++ functions.
class Context {
 public:
  // An empty context.
  Context() = default;
  // The members of `json`; if it is not an object, rendering fails with the
  // reference's "context must be an object".
  explicit Context(const nlohmann::json& json);

  // Adds or replaces variable `name`. Names that are not identifiers make
  // rendering fail with "top level keys of context must follow
  // /[a-zA-Z_][a-zA-Z0-9_]*/".
  Context& Set(std::string name, Value value);
  Context& SetJson(std::string name, const nlohmann::json& value) {
    return Set(std::move(name), Value::FromJson(value));
  }
  // Adds a function that expressions can call as name(args...). Its result
  // becomes the value of the call; a non-OK status ends the render with that
  // status.
  Context& SetFunction(std::string name, Function::Native function);

  // Checks the rules above; the same error a render with this context would
  // give.
  absl::Status Validate() const;
  const Object& variables() const { return variables_; }

 private:
  bool is_object_ = true;
  Object variables_;
};

// The work one render may do (see above). The defaults are far above what a task
// template needs (a task definition the queue accepts is far smaller) and bound a render to
// well under a second and some tens of MB. (The output budget was 16 million units until a
// fuzz run rendered range(1, 2444443) in 2 s and 485 MB with -c opt.)
struct RenderLimits {
  int64_t max_steps = 1000000;
  int64_t max_output = 1000000;
};

// Renders `tmpl` with `context` at time `now`. With a JSON context, only the
// parts the template reads are converted (contexts often carry whole event
// payloads); `context` must stay alive and unchanged during the call.
absl::StatusOr<nlohmann::json> Render(const nlohmann::json& tmpl, const Context& context,
                                      absl::Time now, const RenderLimits& limits = RenderLimits());
absl::StatusOr<nlohmann::json> Render(const nlohmann::json& tmpl, const nlohmann::json& context,
                                      absl::Time now, const RenderLimits& limits = RenderLimits());

// As Render, returning the Value (null for "renders to nothing") without
// converting it to JSON.
absl::StatusOr<Value> RenderValue(const nlohmann::json& tmpl, const Context& context,
                                  absl::Time now, const RenderLimits& limits = RenderLimits());
absl::StatusOr<Value> RenderValue(const nlohmann::json& tmpl, const nlohmann::json& context,
                                  absl::Time now, const RenderLimits& limits = RenderLimits());

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_RENDER_H_
