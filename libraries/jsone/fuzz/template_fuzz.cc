// Fuzz target: JSON-e templates (libraries/jsone/render.h). The input is the template as JSON
// text; see jsone_fuzz_context.h for the context and the properties checked (deterministic
// result, only JSON-e errors, a result that serializes).
#include <cstddef>
#include <cstdint>

#include "libraries/jsone/fuzz/jsone_fuzz_context.h"
#include "nlohmann/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json tmpl = nlohmann::json::parse(data, data + size, nullptr,
                                              /*allow_exceptions=*/false);
  if (tmpl.is_discarded()) return 0;
  bulwark::jsone::fuzz::CheckRender(tmpl);
  return 0;
}
