// File: libraries/jsone/scope.h
//
// Scope: the chain of variables an expression sees. The outermost scope holds
// the caller's context, then the default `now`, then the builtins (so context
// keys override builtins); inner scopes add the variables of $let, $map,
// $reduce, $find and $sort.
//
// A Scope borrows everything it points to (parent, objects, binding names); it
// lives on the stack for the duration of one render step.
//
// Thread-safety: a scope chain belongs to one render on one thread (lookups
// may convert members of the root's JSON context and remember them).

#ifndef BULWARK_LIBRARIES_JSONE_SCOPE_H_
#define BULWARK_LIBRARIES_JSONE_SCOPE_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libraries/jsone/value.h"
#include "nlohmann/json.hpp"

namespace bulwark::jsone {

class ExpressionCache;
class JsonContext;

// The work one render may do (render.h RenderLimits): steps (templates rendered, expressions
// evaluated) and output (bytes of strings built, items of arrays built). Over either limit,
// the render fails with RESOURCE_EXHAUSTED.
class RenderBudget {
 public:
  RenderBudget(int64_t max_steps, int64_t max_output)
      : max_steps_(max_steps), max_output_(max_output) {}
  absl::Status Step() {
    if (++steps_ <= max_steps_) return absl::OkStatus();
    return absl::ResourceExhaustedError(
        "JSON-e: the template needs more than " + std::to_string(max_steps_) +
        " rendering steps (a $map, $reduce or range() too large); rendering stopped");
  }
  absl::Status Produce(size_t units) {
    output_ += static_cast<int64_t>(units);
    if (output_ <= max_output_) return absl::OkStatus();
    return absl::ResourceExhaustedError("JSON-e: the template builds more than " +
                                        std::to_string(max_output_) +
                                        " bytes of strings and items of arrays; rendering stopped");
  }

 private:
  const int64_t max_steps_;
  const int64_t max_output_;
  int64_t steps_ = 0;
  int64_t output_ = 0;
};

class Scope {
 public:
  // What the outermost scope reads, in lookup order: `variables`, the members
  // of `json` (which may be null), "now" as `now`, then `builtins`.
  struct Root {
    const Object* variables = nullptr;
    JsonContext* json = nullptr;
    const Value* now = nullptr;
    const Object* builtins = nullptr;
    // The render's time, used where the reference reads the wall clock.
    absl::Time clock;
    // Keeps the expressions parsed in repeated scopes (see MarkRepeated).
    ExpressionCache* cache = nullptr;
    // The render's work limits (nullptr: unlimited).
    RenderBudget* budget = nullptr;
  };

  // The outermost scope; `root` must outlive it and its inner scopes.
  explicit Scope(const Root* root) : root_(root) {}

  // An inner scope adding the members of `variables` (which may be null) to
  // `parent`.
  Scope(const Scope* parent, const Object* variables)
      : parent_(parent),
        root_(parent->root_),
        variables_(variables),
        repeated_(parent->repeated_) {}

  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  // Adds a variable to this scope (at most three per scope); later bindings of
  // the same name win. `name` must outlive the scope.
  void Bind(std::string_view name, Value value) {
    bindings_[binding_count_++] = Binding{name, std::move(value)};
  }

  // The value of `name`, or nullptr if no scope in the chain defines it.
  const Value* Lookup(std::string_view name) const;

  // What `name` refers to, without converting anything: a value, or a member
  // of the root's JSON context (for reading paths in the JSON), or neither.
  struct Resolved {
    const Value* value = nullptr;
    const nlohmann::json* json = nullptr;
    bool found() const { return value != nullptr || json != nullptr; }
  };
  Resolved Resolve(std::string_view name) const;

  JsonContext* json_context() const { return root_->json; }
  // Charges one step / `units` of output to the render's budget.
  absl::Status Step() const {
    return root_->budget != nullptr ? root_->budget->Step() : absl::OkStatus();
  }
  absl::Status Produce(size_t units) const {
    return root_->budget != nullptr ? root_->budget->Produce(units) : absl::OkStatus();
  }
  absl::Time clock() const { return root_->clock; }
  // Marks this scope (and its inner scopes) as rendered once per item of a $map
  // or $reduce, where caching parsed expressions pays off.
  void MarkRepeated() { repeated_ = true; }
  // The expression cache, in repeated scopes only; elsewhere each expression is
  // parsed once anyway, so caching would only cost.
  ExpressionCache* cache() const { return repeated_ ? root_->cache : nullptr; }

 private:
  struct Binding {
    std::string_view name;
    Value value;
  };

  // The binding or variable `name` of this scope itself, or nullptr.
  const Value* FindHere(std::string_view name) const {
    for (int i = binding_count_ - 1; i >= 0; --i) {
      if (bindings_[i].name == name) return &bindings_[i].value;
    }
    return variables_ != nullptr ? variables_->Find(name) : nullptr;
  }

  const Scope* parent_ = nullptr;
  const Root* root_;
  const Object* variables_ = nullptr;
  bool repeated_ = false;
  std::array<Binding, 3> bindings_;
  int8_t binding_count_ = 0;
};

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_SCOPE_H_
