// Fuzz target: JSON-e expressions (the lexer, parser and interpreter behind render.h). The input
// is expression source text, rendered both as {"$eval": source} and as the interpolation
// "${source}"; see jsone_fuzz_context.h for the properties checked. Invalid UTF-8 is skipped
// (a JSON template cannot hold it).
#include <cstddef>
#include <cstdint>
#include <string>

#include "libraries/jsone/fuzz/jsone_fuzz_context.h"
#include "nlohmann/json.hpp"

namespace {

bool ValidUtf8(const std::string& s) {
  try {
    (void)nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string source(reinterpret_cast<const char*>(data), size);
  if (!ValidUtf8(source)) return 0;
  bulwark::jsone::fuzz::CheckRender(nlohmann::json{{"$eval", source}});
  bulwark::jsone::fuzz::CheckRender(nlohmann::json("${" + source + "}"));
  return 0;
}
