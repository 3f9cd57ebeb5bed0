// File: libraries/jsone/json_context.h
//
// JsonContext: a JSON object used as the render context without converting it
// up front. Hook contexts carry whole event payloads of which a template reads
// a few fields, so converting everything on every render would cost more than
// the render: here a top-level member becomes a Value the first time it is
// used as a whole, and property paths such as `event.repository.name` are
// followed in the JSON itself, converting only what they reach.
//
// The JSON must outlive the JsonContext, which lives for one render.
//
// Thread-safety: not thread-safe (it memoizes); one per render.

#ifndef BULWARK_LIBRARIES_JSONE_JSON_CONTEXT_H_
#define BULWARK_LIBRARIES_JSONE_JSON_CONTEXT_H_

#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libraries/jsone/value.h"
#include "nlohmann/json.hpp"

namespace bulwark::jsone {

class JsonContext {
 public:
  // `object` must be a JSON object.
  explicit JsonContext(const nlohmann::json& object);

  JsonContext(const JsonContext&) = delete;
  JsonContext& operator=(const JsonContext&) = delete;

  // The member `name` in JSON form, or nullptr.
  const nlohmann::json* FindJson(std::string_view name) const;

  // `json` (an object member or a value inside one) as a Value; arrays and
  // objects are converted once and remembered.
  const Value& Convert(const nlohmann::json& json);

  // start.p1.p2... as the expression language reads it: each step needs an
  // object ("infix: . expects objects") that has the property ("object has no
  // property \"p\""). Converts only the value reached.
  absl::StatusOr<Value> Walk(const nlohmann::json& start,
                             absl::Span<const std::string_view> properties);

 private:
  const nlohmann::json::object_t& object_;
  // Conversions, by the address of their JSON. Values are boxed so that
  // pointers to them stay valid as the map grows.
  absl::flat_hash_map<const nlohmann::json*, std::unique_ptr<Value>> converted_;
};

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_JSON_CONTEXT_H_
