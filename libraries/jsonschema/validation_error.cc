#include "libraries/jsonschema/validation_error.h"

#include "absl/strings/str_cat.h"

namespace bulwark {
namespace jsonschema {

std::string ValidationError::ToString() const {
  return absl::StrCat(instance_path.empty() ? "(root)" : instance_path, ": ", message, " (",
                      keyword, ")");
}

}  // namespace jsonschema
}  // namespace bulwark
