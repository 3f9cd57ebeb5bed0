#include "libraries/jsonschema/compiler.h"

#include <limits>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libraries/jsonschema/json_compare.h"
#include "libraries/jsonschema/json_pointer.h"
#include "libraries/jsonschema/schema_registry.h"
#include "libraries/status/status_macros.h"

namespace bulwark {
namespace jsonschema {
namespace internal {
namespace {

using json = nlohmann::json;

constexpr std::pair<const char*, TypeBit> kTypeNames[] = {
    {"null", kNullBit},     {"boolean", kBooleanBit}, {"object", kObjectBit},  {"array", kArrayBit},
    {"number", kNumberBit}, {"string", kStringBit},   {"integer", kIntegerBit}};

class Compiler {
 public:
  explicit Compiler(CompiledSchema* out) : out_(*out), registry_(*out->document) {}

  absl::Status Run() {
    const json& document = *out_.document;
    BULWARK_ASSIGN_OR_RETURN(
        out_.root, CompileAt(document, registry_.ScopeOf(document, {kDefaultBaseUri, "#"})));
    return absl::OkStatus();
  }

 private:
  // The node for the schema at `schema` (memoized, so `$ref` cycles terminate).
  absl::StatusOr<const Node*> CompileAt(const json& schema, const SchemaRegistry::Scope& scope) {
    const auto memo = compiled_.find(&schema);
    if (memo != compiled_.end()) return memo->second;
    Node& node = out_.nodes.emplace_back();
    compiled_[&schema] = &node;
    node.location = scope.location;
    if (schema.is_boolean()) {
      node.boolean = schema.get<bool>();
      return &node;
    }
    if (!schema.is_object()) return Invalid(scope, "", "a schema must be an object or a boolean");
    BULWARK_RETURN_IF_ERROR(CompileKeywords(schema, scope, node));
    return &node;
  }

  // The node for the subschema at `schema[keyword]` (`token` further down, if
  // any).
  absl::StatusOr<const Node*> Child(const json& subschema, const SchemaRegistry::Scope& parent,
                                    const std::string& suffix) {
    return CompileAt(subschema,
                     registry_.ScopeOf(subschema, {parent.base, parent.location + suffix}));
  }

  absl::Status CompileKeywords(const json& schema, const SchemaRegistry::Scope& scope, Node& node) {
    if (const auto ref = schema.find("$ref"); ref != schema.end()) {
      if (!ref->is_string()) return Invalid(scope, "$ref", "must be a string");
      absl::StatusOr<SchemaRegistry::Target> target =
          registry_.Resolve(scope.base, ref->get<std::string>());
      if (!target.ok()) return Invalid(scope, "$ref", target.status().message());
      BULWARK_ASSIGN_OR_RETURN(node.ref, CompileAt(*target->schema, target->scope));
      return absl::OkStatus();
    }
    BULWARK_RETURN_IF_ERROR(CompileGeneric(schema, scope, node));
    BULWARK_RETURN_IF_ERROR(CompileScalars(schema, scope, node));
    BULWARK_RETURN_IF_ERROR(CompileArrayKeywords(schema, scope, node));
    BULWARK_RETURN_IF_ERROR(CompileObjectKeywords(schema, scope, node));
    if (const auto definitions = schema.find("definitions"); definitions != schema.end()) {
      if (!definitions->is_object()) return Invalid(scope, "definitions", "must be an object");
      for (auto it = definitions->begin(); it != definitions->end(); ++it) {
        BULWARK_RETURN_IF_ERROR(
            Child(it.value(), scope, "/definitions/" + EscapePointerToken(it.key())).status());
      }
    }
    return absl::OkStatus();
  }

  // type, enum, const and the combinators.
  absl::Status CompileGeneric(const json& schema, const SchemaRegistry::Scope& scope, Node& node) {
    if (const auto type = schema.find("type"); type != schema.end()) {
      const json names = type->is_array() ? *type : json::array({*type});
      for (const json& name : names) {
        TypeBit bit = TypeBit{};
        for (const auto& [type_name, type_bit] : kTypeNames) {
          if (name == type_name) bit = type_bit;
        }
        if (bit == TypeBit{}) return Invalid(scope, "type", "names an unknown type");
        node.types |= bit;
        absl::StrAppend(&node.type_names, node.type_names.empty() ? "" : " or ",
                        name.get<std::string>());
      }
      if (node.types == 0) return Invalid(scope, "type", "must name at least one type");
    }
    if (const auto values = schema.find("enum"); values != schema.end()) {
      if (!values->is_array()) return Invalid(scope, "enum", "must be an array");
      node.enum_values = &*values;
    }
    if (const auto value = schema.find("const"); value != schema.end()) node.const_value = &*value;
    for (auto [keyword, list] :
         {std::make_pair("allOf", &node.all_of), std::make_pair("anyOf", &node.any_of),
          std::make_pair("oneOf", &node.one_of)}) {
      const auto array = schema.find(keyword);
      if (array == schema.end()) continue;
      if (!array->is_array() || array->empty()) {
        return Invalid(scope, keyword, "must be a non-empty array of schemas");
      }
      for (size_t i = 0; i < array->size(); ++i) {
        BULWARK_ASSIGN_OR_RETURN(const Node* child,
                                 Child((*array)[i], scope, absl::StrCat("/", keyword, "/", i)));
        list->push_back(child);
      }
    }
    for (auto [keyword, slot] :
         {std::make_pair("not", &node.not_schema), std::make_pair("if", &node.if_schema),
          std::make_pair("then", &node.then_schema), std::make_pair("else", &node.else_schema)}) {
      BULWARK_RETURN_IF_ERROR(OptionalChild(schema, scope, keyword, slot));
    }
    return absl::OkStatus();
  }

  // Numeric and string keywords.
  absl::Status CompileScalars(const json& schema, const SchemaRegistry::Scope& scope, Node& node) {
    for (auto [keyword, slot] :
         {std::make_pair("multipleOf", &node.multiple_of), std::make_pair("maximum", &node.maximum),
          std::make_pair("exclusiveMaximum", &node.exclusive_maximum),
          std::make_pair("minimum", &node.minimum),
          std::make_pair("exclusiveMinimum", &node.exclusive_minimum)}) {
      const auto value = schema.find(keyword);
      if (value == schema.end()) continue;
      if (!value->is_number()) return Invalid(scope, keyword, "must be a number");
      *slot = &*value;
    }
    if (node.multiple_of && CompareNumbers(*node.multiple_of, json(0)) <= 0) {
      return Invalid(scope, "multipleOf", "must be greater than 0");
    }
    BULWARK_RETURN_IF_ERROR(Count(schema, scope, "maxLength", &node.max_length));
    BULWARK_RETURN_IF_ERROR(Count(schema, scope, "minLength", &node.min_length));
    if (const auto pattern = schema.find("pattern"); pattern != schema.end()) {
      if (!pattern->is_string()) return Invalid(scope, "pattern", "must be a string");
      absl::StatusOr<EcmaRegex> regex = EcmaRegex::Compile(pattern->get<std::string>());
      if (!regex.ok()) return Invalid(scope, "pattern", regex.status().message());
      node.pattern = *std::move(regex);
    }
    if (const auto format = schema.find("format"); format != schema.end()) {
      if (!format->is_string()) return Invalid(scope, "format", "must be a string");
      node.format_name = format->get<std::string>();
      node.format = FindFormatChecker(node.format_name);
    }
    return absl::OkStatus();
  }

  absl::Status CompileArrayKeywords(const json& schema, const SchemaRegistry::Scope& scope,
                                    Node& node) {
    BULWARK_RETURN_IF_ERROR(Count(schema, scope, "maxItems", &node.max_items));
    BULWARK_RETURN_IF_ERROR(Count(schema, scope, "minItems", &node.min_items));
    if (const auto unique = schema.find("uniqueItems"); unique != schema.end()) {
      if (!unique->is_boolean()) return Invalid(scope, "uniqueItems", "must be a boolean");
      node.unique_items = unique->get<bool>();
    }
    if (const auto items = schema.find("items"); items != schema.end() && items->is_array()) {
      node.items_is_list = true;
      for (size_t i = 0; i < items->size(); ++i) {
        BULWARK_ASSIGN_OR_RETURN(const Node* child,
                                 Child((*items)[i], scope, absl::StrCat("/items/", i)));
        node.item_list.push_back(child);
      }
    } else {
      BULWARK_RETURN_IF_ERROR(OptionalChild(schema, scope, "items", &node.items));
    }
    BULWARK_RETURN_IF_ERROR(
        OptionalChild(schema, scope, "additionalItems", &node.additional_items));
    return OptionalChild(schema, scope, "contains", &node.contains);
  }

  absl::Status CompileObjectKeywords(const json& schema, const SchemaRegistry::Scope& scope,
                                     Node& node) {
    BULWARK_RETURN_IF_ERROR(Count(schema, scope, "maxProperties", &node.max_properties));
    BULWARK_RETURN_IF_ERROR(Count(schema, scope, "minProperties", &node.min_properties));
    if (const auto required = schema.find("required"); required != schema.end()) {
      BULWARK_ASSIGN_OR_RETURN(node.required, Strings(*required, scope, "required"));
    }
    BULWARK_RETURN_IF_ERROR(
        ForEachMember(schema, scope, "properties", [&](const std::string& name, const Node* child) {
          node.properties.emplace(name, child);
          return absl::OkStatus();
        }));
    BULWARK_RETURN_IF_ERROR(ForEachMember(
        schema, scope, "patternProperties", [&](const std::string& name, const Node* child) {
          absl::StatusOr<EcmaRegex> regex = EcmaRegex::Compile(name);
          if (!regex.ok()) return Invalid(scope, "patternProperties", regex.status().message());
          node.pattern_properties.push_back({*std::move(regex), child});
          return absl::OkStatus();
        }));
    BULWARK_RETURN_IF_ERROR(
        OptionalChild(schema, scope, "additionalProperties", &node.additional_properties));
    BULWARK_RETURN_IF_ERROR(OptionalChild(schema, scope, "propertyNames", &node.property_names));
    if (const auto dependencies = schema.find("dependencies"); dependencies != schema.end()) {
      if (!dependencies->is_object()) return Invalid(scope, "dependencies", "must be an object");
      for (auto it = dependencies->begin(); it != dependencies->end(); ++it) {
        Dependency& dependency = node.dependencies.emplace_back();
        dependency.property = it.key();
        if (it->is_array()) {
          BULWARK_ASSIGN_OR_RETURN(dependency.required, Strings(it.value(), scope, "dependencies"));
        } else {
          BULWARK_ASSIGN_OR_RETURN(
              dependency.schema,
              Child(it.value(), scope, "/dependencies/" + EscapePointerToken(it.key())));
        }
      }
    }
    return absl::OkStatus();
  }

  // Compiles each member of the object `schema[keyword]` and passes it to
  // `take`.
  template <typename Take>
  absl::Status ForEachMember(const json& schema, const SchemaRegistry::Scope& scope,
                             const char* keyword, Take take) {
    const auto map = schema.find(keyword);
    if (map == schema.end()) return absl::OkStatus();
    if (!map->is_object()) return Invalid(scope, keyword, "must be an object");
    for (auto it = map->begin(); it != map->end(); ++it) {
      BULWARK_ASSIGN_OR_RETURN(
          const Node* child,
          Child(it.value(), scope, absl::StrCat("/", keyword, "/", EscapePointerToken(it.key()))));
      BULWARK_RETURN_IF_ERROR(take(it.key(), child));
    }
    return absl::OkStatus();
  }

  absl::Status OptionalChild(const json& schema, const SchemaRegistry::Scope& scope,
                             const char* keyword, const Node** slot) {
    const auto child = schema.find(keyword);
    if (child == schema.end()) return absl::OkStatus();
    BULWARK_ASSIGN_OR_RETURN(*slot, Child(*child, scope, absl::StrCat("/", keyword)));
    return absl::OkStatus();
  }

  // A non-negative integer keyword (1.0 counts as 1).
  absl::Status Count(const json& schema, const SchemaRegistry::Scope& scope, const char* keyword,
                     std::optional<uint64_t>* slot) {
    const auto value = schema.find(keyword);
    if (value == schema.end()) return absl::OkStatus();
    if (!IsInteger(*value) || CompareNumbers(*value, json(0)) < 0) {
      return Invalid(scope, keyword, "must be a non-negative integer");
    }
    if (value->is_number_float()) {
      const double d = value->get<double>();
      *slot = d >= 18446744073709551615.0 ? std::numeric_limits<uint64_t>::max()
                                          : static_cast<uint64_t>(d);
    } else {
      *slot = value->get<uint64_t>();
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<std::string>> Strings(const json& value,
                                                   const SchemaRegistry::Scope& scope,
                                                   const char* keyword) {
    if (!value.is_array()) return Invalid(scope, keyword, "must be an array of strings");
    std::vector<std::string> strings;
    for (const json& item : value) {
      if (!item.is_string()) return Invalid(scope, keyword, "must be an array of strings");
      strings.push_back(item.get<std::string>());
    }
    return strings;
  }

  static absl::Status Invalid(const SchemaRegistry::Scope& scope, absl::string_view keyword,
                              absl::string_view problem) {
    return absl::InvalidArgumentError(
        absl::StrCat(scope.location, keyword.empty() ? "" : "/", keyword, ": ", problem));
  }

  CompiledSchema& out_;
  SchemaRegistry registry_;
  absl::flat_hash_map<const json*, const Node*> compiled_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<const CompiledSchema>> CompileSchema(const json& schema) {
  auto compiled = std::make_shared<CompiledSchema>();
  compiled->document = std::make_shared<const json>(schema);
  Compiler compiler(compiled.get());
  BULWARK_RETURN_IF_ERROR(compiler.Run());
  return std::shared_ptr<const CompiledSchema>(std::move(compiled));
}

}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark
