// File: libraries/jsone/renderer.h
//
// Renderer: walks a JSON-e template (an nlohmann::json value, read in place)
// and renders it in a scope. Numbers, booleans and null render to themselves;
// strings are interpolated; arrays render item by item, dropping delete
// markers; objects either run their one operator (renderer_operators.cc) or
// render each value, drop delete markers, unescape `$$` keys, reject other
// `$identifier` keys and interpolate the rest. Errors inside arrays and plain
// objects get the template location prepended, as in the reference.
//
// Internal to the library: callers use render.h.
//
// Thread-safety: reentrant; the template and scope are only read.

#ifndef BULWARK_LIBRARIES_JSONE_RENDERER_H_
#define BULWARK_LIBRARIES_JSONE_RENDERER_H_

#include "absl/status/statusor.h"
#include "libraries/jsone/scope.h"
#include "libraries/jsone/value.h"
#include "nlohmann/json.hpp"

namespace bulwark::jsone {

using Json = nlohmann::json;

// Renders `tmpl`; the result may be the delete marker.
absl::StatusOr<Value> RenderTemplate(const Json& tmpl, const Scope& scope);

namespace internal {

enum class Operator {
  kEval,
  kFlatten,
  kFlattenDeep,
  kFromNow,
  kIf,
  kJson,
  kLet,
  kMap,
  kReduce,
  kFind,
  kMatch,
  kSwitch,
  kMerge,
  kMergeDeep,
  kReverse,
  kSort,
};

// Runs operator `op` of template object `tmpl` (renderer_operators.cc).
absl::StatusOr<Value> RenderOperator(Operator op, const Json& tmpl, const Scope& scope);

}  // namespace internal
}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_RENDERER_H_
