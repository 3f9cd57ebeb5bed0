#include "libraries/jsonschema/schema_registry.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libraries/jsonschema/json_pointer.h"
#include "libraries/jsonschema/metaschema.h"
#include "libraries/jsonschema/uri.h"

namespace bulwark {
namespace jsonschema {
namespace internal {
namespace {

using json = nlohmann::json;

// Draft-07 keywords whose value is a schema, an array of schemas, or an object
// of schemas.
constexpr const char* kSchemaKeywords[] = {"additionalItems",
                                           "additionalProperties",
                                           "contains",
                                           "propertyNames",
                                           "not",
                                           "if",
                                           "then",
                                           "else"};
constexpr const char* kSchemaArrayKeywords[] = {"allOf", "anyOf", "oneOf"};
constexpr const char* kSchemaMapKeywords[] = {"properties", "patternProperties", "definitions",
                                              "dependencies"};

bool IsSchema(const json& value) { return value.is_object() || value.is_boolean(); }

}  // namespace

void ForEachSubschema(const json& schema,
                      const std::function<void(const json&, const std::string&)>& visit) {
  if (!schema.is_object()) return;
  const auto visit_array = [&](const json& array, const std::string& prefix) {
    for (size_t i = 0; i < array.size(); ++i) {
      if (IsSchema(array[i])) visit(array[i], absl::StrCat(prefix, "/", i));
    }
  };
  for (const char* keyword : kSchemaKeywords) {
    const auto it = schema.find(keyword);
    if (it != schema.end() && IsSchema(*it)) visit(*it, absl::StrCat("/", keyword));
  }
  for (const char* keyword : kSchemaArrayKeywords) {
    const auto it = schema.find(keyword);
    if (it != schema.end() && it->is_array()) visit_array(*it, absl::StrCat("/", keyword));
  }
  for (const char* keyword : kSchemaMapKeywords) {
    const auto it = schema.find(keyword);
    if (it == schema.end() || !it->is_object()) continue;
    for (auto member = it->begin(); member != it->end(); ++member) {
      if (IsSchema(member.value())) {
        visit(member.value(), absl::StrCat("/", keyword, "/", EscapePointerToken(member.key())));
      }
    }
  }
  const auto items = schema.find("items");
  if (items != schema.end()) {
    if (IsSchema(*items)) visit(*items, "/items");
    if (items->is_array()) visit_array(*items, "/items");
  }
}

SchemaRegistry::SchemaRegistry(const json& document) {
  resources_[kDefaultBaseUri] = &document;
  Index(document, kDefaultBaseUri, "#");
}

void SchemaRegistry::Index(const json& schema, const std::string& base,
                           const std::string& location) {
  std::string scope_base = base;
  const auto id = schema.is_object() ? schema.find("$id") : schema.end();
  if (id != schema.end() && id->is_string() && !schema.contains("$ref")) {
    const std::string& id_text = id->get_ref<const std::string&>();
    auto [uri, fragment] = SplitFragment(ResolveUri(base, id_text));
    if (!absl::StartsWith(id_text, "#")) {
      scope_base = uri;
      resources_.emplace(uri, &schema);
    }
    fragment = PercentDecode(fragment);
    if (!fragment.empty() && fragment[0] != '/') {
      anchors_.emplace(absl::StrCat(uri, "#", fragment), &schema);
    }
  }
  scopes_.emplace(&schema, Scope{scope_base, location});
  ForEachSubschema(schema, [&](const json& subschema, const std::string& suffix) {
    Index(subschema, scope_base, location + suffix);
  });
}

SchemaRegistry::Scope SchemaRegistry::ScopeOf(const json& schema, const Scope& fallback) const {
  const auto it = scopes_.find(&schema);
  return it == scopes_.end() ? fallback : it->second;
}

absl::StatusOr<SchemaRegistry::Target> SchemaRegistry::Resolve(absl::string_view base,
                                                               absl::string_view ref) {
  const std::string resolved = ResolveUri(base, ref);
  auto [uri, raw_fragment] = SplitFragment(resolved);
  const std::string fragment = PercentDecode(raw_fragment);
  const auto unresolvable = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot resolve $ref \"", ref, "\" (", resolved, "): ", why));
  };
  if (uri == kDraft07MetaSchemaUri && !metaschema_indexed_) {
    metaschema_indexed_ = true;
    Index(Draft07MetaSchemaDocument(), uri, uri + "#");
  }
  const auto resource = resources_.find(uri);
  if (resource == resources_.end()) {
    return unresolvable("no schema with that URI here; remote references are not fetched");
  }
  const json* target = resource->second;
  if (absl::StartsWith(fragment, "/")) {
    absl::StatusOr<const json*> pointed = ResolvePointer(*target, fragment);
    if (!pointed.ok()) return unresolvable(pointed.status().message());
    target = *pointed;
  } else if (!fragment.empty()) {
    const auto anchor = anchors_.find(absl::StrCat(uri, "#", fragment));
    if (anchor == anchors_.end()) return unresolvable("no such anchor");
    target = anchor->second;
  }
  const Scope document_scope = ScopeOf(*resource->second, Scope{uri, uri + "#"});
  return Target{target, ScopeOf(*target, Scope{document_scope.base, resolved})};
}

}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark
