// Fuzz target: the ECMAScript regular expression engine (libraries/jsonschema/ecma_regex.h).
//
// The input is "<pattern>\n<text>" (no newline: the whole input is the pattern, matched against
// itself). Properties checked, beyond "no crash" and "no hang" (libFuzzer's -timeout): Compile
// fails only with INVALID_ARGUMENT; Search returns a bool or RESOURCE_EXHAUSTED; Search is
// deterministic; a pattern of letters and digits only matches exactly when it is a substring of
// the text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "libraries/jsonschema/ecma_regex.h"
#include "libraries/testing/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const absl::string_view pattern = input.substr(0, newline);
  const absl::string_view text =
      newline == absl::string_view::npos ? input : input.substr(newline + 1);
  absl::StatusOr<bulwark::jsonschema::EcmaRegex> regex =
      bulwark::jsonschema::EcmaRegex::Compile(pattern);
  if (!regex.ok()) {
    FUZZ_CHECK(regex.status().code() == absl::StatusCode::kInvalidArgument) << regex.status();
    return 0;
  }
  absl::StatusOr<bool> found = regex->Search(text);
  if (!found.ok()) {
    FUZZ_CHECK(found.status().code() == absl::StatusCode::kResourceExhausted) << found.status();
    return 0;
  }
  absl::StatusOr<bool> again = regex->Search(text);
  FUZZ_CHECK(again.ok() && *again == *found) << pattern;
  bool literal = true;
  for (char c : pattern) literal = literal && absl::ascii_isalnum(static_cast<unsigned char>(c));
  if (literal) {
    FUZZ_CHECK(*found == (text.find(pattern) != absl::string_view::npos))
        << "pattern " << pattern << " text " << text;
  }
  return 0;
}
