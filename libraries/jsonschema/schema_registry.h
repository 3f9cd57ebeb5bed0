// File: libraries/jsonschema/schema_registry.h
//
// SchemaRegistry (internal): indexes the schema locations of a document and
// resolves `$ref` the draft-07 way. Each schema location gets a base URI (from
// the nearest enclosing `$id`, resolved per RFC 3986; an `$id` beside `$ref` is
// ignored) and a location string. A `$ref` resolves against its base URI to a
// document (the compiled one, one of its `$id` resources, or the draft-07
// meta-schema, which is built in), then its fragment: empty, a JSON pointer
// (percent-decoded), or a plain-name anchor from an `$id` such as "#foo".
// Nothing is fetched over the network.
//
// Thread-safety: not thread-safe; used by one compilation at a time.
// Errors: Resolve returns INVALID_ARGUMENT naming the reference when it cannot
// be resolved.

#ifndef BULWARK_LIBRARIES_JSONSCHEMA_SCHEMA_REGISTRY_H_
#define BULWARK_LIBRARIES_JSONSCHEMA_SCHEMA_REGISTRY_H_

#include <functional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace bulwark {
namespace jsonschema {
namespace internal {

// The base URI of a document without `$id`.
inline constexpr char kDefaultBaseUri[] = "bulwark:///schema.json";

// Calls `visit(subschema, location_suffix)` for each direct subschema of
// `schema` (an object or boolean), where the suffix is the JSON-pointer path
// from `schema`, e.g. "/items/0". Keyword values of the wrong type are skipped.
void ForEachSubschema(const nlohmann::json& schema,
                      const std::function<void(const nlohmann::json&, const std::string&)>& visit);

class SchemaRegistry {
 public:
  struct Scope {
    std::string base;      // The base URI in effect at the schema.
    std::string location;  // "#/properties/a", or "<uri>#/..." outside the main
                           // document.
  };

  struct Target {
    const nlohmann::json* schema;
    Scope scope;
  };

  // Indexes `document`, which must outlive the registry.
  explicit SchemaRegistry(const nlohmann::json& document);

  SchemaRegistry(const SchemaRegistry&) = delete;
  SchemaRegistry& operator=(const SchemaRegistry&) = delete;

  // The scope of an indexed schema, or `fallback` for one that is not.
  Scope ScopeOf(const nlohmann::json& schema, const Scope& fallback) const;

  // Resolves `ref`, found in a schema whose base URI is `base`.
  absl::StatusOr<Target> Resolve(absl::string_view base, absl::string_view ref);

 private:
  void Index(const nlohmann::json& schema, const std::string& base, const std::string& location);

  // Absolute URIs without fragment -> the schema they identify.
  absl::flat_hash_map<std::string, const nlohmann::json*> resources_;
  // "<absolute URI>#<name>" -> the schema whose `$id` declares that anchor.
  absl::flat_hash_map<std::string, const nlohmann::json*> anchors_;
  absl::flat_hash_map<const nlohmann::json*, Scope> scopes_;
  bool metaschema_indexed_ = false;
};

}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_JSONSCHEMA_SCHEMA_REGISTRY_H_
