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
// Thread-safety: immutable after construction except for Bind, which is used
// before the scope is shared; lookups may run from any thread.

#ifndef BULWARK_LIBRARIES_JSONE_SCOPE_H_
#define BULWARK_LIBRARIES_JSONE_SCOPE_H_

#include <array>
#include <cstdint>
#include <string_view>

#include "absl/time/time.h"
#include "libraries/jsone/value.h"

namespace bulwark::jsone {

class ExpressionCache;

class Scope {
 public:
  // The outermost scope: names are looked up in `context`, then "now" is `now`,
  // then `builtins`. `clock` is the render's time, used where the reference
  // reads the wall clock.
  // `cache` (optional) keeps the expressions parsed in repeated scopes (see
  // MarkRepeated).
  Scope(const Object* context, const Value* now, const Object* builtins,
        absl::Time clock, ExpressionCache* cache = nullptr)
      : context_(context),
        now_(now),
        builtins_(builtins),
        clock_(clock),
        cache_(cache) {}

  // An inner scope adding the members of `variables` (which may be null) to
  // `parent`.
  Scope(const Scope* parent, const Object* variables)
      : parent_(parent),
        context_(variables),
        clock_(parent->clock_),
        cache_(parent->cache_),
        repeated_(parent->repeated_) {}

  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  // Adds a variable to this scope (at most three per scope); later bindings of
  // the same name win. `name` must outlive the scope.
  void Bind(std::string_view name, Value value) {
    bindings_[binding_count_++] = Binding{name, std::move(value)};
  }

  // The value of `name`, or nullptr if no scope in the chain defines it.
  const Value* Lookup(std::string_view name) const {
    for (const Scope* scope = this; scope != nullptr; scope = scope->parent_) {
      for (int i = scope->binding_count_ - 1; i >= 0; --i) {
        if (scope->bindings_[i].name == name) return &scope->bindings_[i].value;
      }
      if (scope->context_ != nullptr) {
        if (const Value* v = scope->context_->Find(name)) return v;
      }
      if (scope->parent_ == nullptr) {
        if (name == "now" && scope->now_ != nullptr) return scope->now_;
        if (scope->builtins_ != nullptr) return scope->builtins_->Find(name);
      }
    }
    return nullptr;
  }

  absl::Time clock() const { return clock_; }
  // Marks this scope (and its inner scopes) as rendered once per item of a $map
  // or $reduce, where caching parsed expressions pays off.
  void MarkRepeated() { repeated_ = true; }
  // The expression cache, in repeated scopes only; elsewhere each expression is
  // parsed once anyway, so caching would only cost.
  ExpressionCache* cache() const { return repeated_ ? cache_ : nullptr; }

 private:
  struct Binding {
    std::string_view name;
    Value value;
  };

  const Scope* parent_ = nullptr;
  const Object* context_ = nullptr;
  const Value* now_ = nullptr;
  const Object* builtins_ = nullptr;
  absl::Time clock_;
  ExpressionCache* cache_ = nullptr;
  bool repeated_ = false;
  std::array<Binding, 3> bindings_;
  int8_t binding_count_ = 0;
};

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_SCOPE_H_
