#include "libraries/jsonschema/validator.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libraries/jsonschema/compiler.h"
#include "libraries/jsonschema/evaluator.h"
#include "libraries/jsonschema/metaschema.h"
#include "libraries/jsonschema/schema_node.h"

namespace bulwark {
namespace jsonschema {
namespace {

std::string JoinErrors(const std::vector<ValidationError>& errors, size_t dropped) {
  std::string message = absl::StrJoin(
      errors, "; ", [](std::string* out, const ValidationError& e) { out->append(e.ToString()); });
  if (dropped > 0) absl::StrAppend(&message, "; and ", dropped, " more");
  return message;
}

const absl::StatusOr<Schema>& MetaSchema() {
  static const auto* const meta_schema =
      new absl::StatusOr<Schema>(CompileWithoutMetaSchemaCheck(Draft07MetaSchemaDocument()));
  return *meta_schema;
}

bool IsDraft07Uri(const std::string& uri) {
  for (const char* accepted :
       {"http://json-schema.org/draft-07/schema#", "http://json-schema.org/draft-07/schema",
        "https://json-schema.org/draft-07/schema#", "https://json-schema.org/draft-07/schema"}) {
    if (uri == accepted) return true;
  }
  return false;
}

// Whether `value` nests deeper than `limit` (counted without recursion).
bool NestsDeeperThan(const nlohmann::json& value, size_t limit) {
  std::vector<std::pair<const nlohmann::json*, size_t>> pending = {{&value, 0}};
  while (!pending.empty()) {
    const auto [current, depth] = pending.back();
    pending.pop_back();
    if (!current->is_structured()) continue;
    if (depth >= limit) return true;
    for (const nlohmann::json& child : *current) pending.emplace_back(&child, depth + 1);
  }
  return false;
}

absl::Status CheckNesting(const nlohmann::json& schema) {
  if (!NestsDeeperThan(schema, Schema::kMaxSchemaNesting)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid JSON Schema: the document nests deeper than ",
                   Schema::kMaxSchemaNesting, " levels"));
}

}  // namespace

absl::Status Schema::Validate(const nlohmann::json& instance, const Limits& limits) const {
  std::vector<ValidationError> errors;
  internal::Evaluator evaluator(&errors, kMaxReportedErrors);
  evaluator.SetBudget(limits.max_steps, limits.deadline);
  if (evaluator.Evaluate(*compiled_->root, instance)) return absl::OkStatus();
  if (evaluator.exhausted()) {
    return absl::ResourceExhaustedError(JoinErrors(errors, evaluator.dropped_errors()));
  }
  return absl::InvalidArgumentError(JoinErrors(errors, evaluator.dropped_errors()));
}

std::vector<ValidationError> Schema::Errors(const nlohmann::json& instance) const {
  std::vector<ValidationError> errors;
  internal::Evaluator evaluator(&errors, kMaxErrors);
  evaluator.SetBudget(Limits().max_steps, absl::InfiniteFuture());
  evaluator.Evaluate(*compiled_->root, instance);
  return errors;
}

bool Schema::IsValid(const nlohmann::json& instance) const {
  internal::Evaluator evaluator(nullptr, 0);
  evaluator.SetBudget(Limits().max_steps, absl::InfiniteFuture());
  return evaluator.Evaluate(*compiled_->root, instance);
}

const nlohmann::json& Schema::document() const { return *compiled_->document; }

absl::StatusOr<Schema> Compile(const nlohmann::json& schema) {
  if (absl::Status nesting = CheckNesting(schema); !nesting.ok()) return nesting;
  const absl::StatusOr<Schema>& meta_schema = MetaSchema();
  if (!meta_schema.ok()) {
    return absl::InternalError(absl::StrCat("the built-in draft-07 meta-schema does not compile: ",
                                            meta_schema.status().message()));
  }
  std::vector<ValidationError> errors;
  internal::Evaluator evaluator(&errors, Schema::kMaxReportedErrors);
  evaluator.SetBudget(Schema::Limits().max_steps, absl::InfiniteFuture());
  if (!evaluator.Evaluate(*meta_schema->compiled_->root, schema)) {
    return absl::InvalidArgumentError(absl::StrCat("not a valid draft-07 JSON Schema: ",
                                                   JoinErrors(errors, evaluator.dropped_errors())));
  }
  if (schema.is_object()) {
    const auto version = schema.find("$schema");
    if (version != schema.end() && !IsDraft07Uri(version->get<std::string>())) {
      return absl::InvalidArgumentError(
          absl::StrCat("unsupported $schema \"", version->get<std::string>(),
                       "\": only draft-07 (http://json-schema.org/draft-07/schema#) is "
                       "supported"));
    }
  }
  return CompileWithoutMetaSchemaCheck(schema);
}

absl::StatusOr<Schema> CompileWithoutMetaSchemaCheck(const nlohmann::json& schema) {
  if (absl::Status nesting = CheckNesting(schema); !nesting.ok()) {
    return nesting;
  }
  absl::StatusOr<std::shared_ptr<const internal::CompiledSchema>> compiled =
      internal::CompileSchema(schema);
  if (!compiled.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid JSON Schema: ", compiled.status().message()));
  }
  return Schema(*std::move(compiled));
}

}  // namespace jsonschema
}  // namespace bulwark
