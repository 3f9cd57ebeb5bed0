// File: libraries/jsonschema/schema_node.h
//
// The compiled form of a JSON Schema (internal): one Node per schema location,
// with every keyword parsed, each regular expression compiled and each `$ref`
// resolved to a Node pointer. Nodes may form cycles through `$ref`. A
// CompiledSchema owns its nodes and the document they point into.
//
// Thread-safety: immutable once built; safe to share across threads.
// Errors: none here (see compiler.h).

#ifndef BULWARK_LIBRARIES_JSONSCHEMA_SCHEMA_NODE_H_
#define BULWARK_LIBRARIES_JSONSCHEMA_SCHEMA_NODE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "libraries/jsonschema/ecma_regex.h"
#include "libraries/jsonschema/formats.h"
#include "nlohmann/json.hpp"

namespace bulwark {
namespace jsonschema {
namespace internal {

// Bits of Node::types.
enum TypeBit : uint8_t {
  kNullBit = 1,
  kBooleanBit = 2,
  kObjectBit = 4,
  kArrayBit = 8,
  kNumberBit = 16,
  kStringBit = 32,
  kIntegerBit = 64,
};

struct Node;

struct PatternProperty {
  EcmaRegex regex;
  const Node* schema;
};

// One entry of `dependencies`: either required property names or a schema.
struct Dependency {
  std::string property;
  std::vector<std::string> required;
  const Node* schema = nullptr;
};

struct Node {
  // Where the schema sits, as a URI with a JSON-pointer fragment:
  // "#/properties/a" in the compiled document,
  // "http://json-schema.org/draft-07/schema#/definitions/x" elsewhere.
  std::string location;

  // A boolean schema: `true` accepts everything, `false` nothing. No keywords
  // apply.
  std::optional<bool> boolean;

  // `$ref`: when set, every sibling keyword is ignored (draft-07).
  const Node* ref = nullptr;

  uint8_t types = 0;       // TypeBit mask; 0 when `type` is absent.
  std::string type_names;  // For messages: "string or null".

  // Values of enum (an array), const, and the numeric bounds, pointing into the
  // document.
  const nlohmann::json* enum_values = nullptr;
  const nlohmann::json* const_value = nullptr;
  const nlohmann::json* multiple_of = nullptr;
  const nlohmann::json* maximum = nullptr;
  const nlohmann::json* exclusive_maximum = nullptr;
  const nlohmann::json* minimum = nullptr;
  const nlohmann::json* exclusive_minimum = nullptr;

  std::optional<uint64_t> max_length, min_length;
  std::optional<EcmaRegex> pattern;
  FormatChecker format = nullptr;
  std::string format_name;

  std::optional<uint64_t> max_items, min_items;
  bool unique_items = false;
  const Node* items = nullptr;         // `items` as one schema for every element.
  std::vector<const Node*> item_list;  // `items` as an array, one schema per position.
  bool items_is_list = false;
  const Node* additional_items = nullptr;  // Only meaningful with items_is_list.
  const Node* contains = nullptr;

  std::optional<uint64_t> max_properties, min_properties;
  std::vector<std::string> required;
  absl::flat_hash_map<std::string, const Node*> properties;
  std::vector<PatternProperty> pattern_properties;
  const Node* additional_properties = nullptr;
  std::vector<Dependency> dependencies;
  const Node* property_names = nullptr;

  std::vector<const Node*> all_of, any_of, one_of;
  const Node* not_schema = nullptr;
  const Node* if_schema = nullptr;
  const Node* then_schema = nullptr;
  const Node* else_schema = nullptr;

  // Whether any object keyword is present (to skip the member loop otherwise).
  bool HasMemberKeywords() const {
    return !properties.empty() || !pattern_properties.empty() || additional_properties;
  }
};

struct CompiledSchema {
  std::shared_ptr<const nlohmann::json> document;
  std::deque<Node> nodes;  // A deque keeps Node addresses stable as it grows.
  const Node* root = nullptr;
};

}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_JSONSCHEMA_SCHEMA_NODE_H_
