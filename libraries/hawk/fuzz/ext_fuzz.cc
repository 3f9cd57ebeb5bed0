// Fuzz target: the Hawk `ext` decoder (libraries/hawk/ext.h).
//
// Properties checked, beyond "no crash":
//  - every refusal is UNAUTHENTICATED "Failed to parse ext";
//  - an accepted ext is a JSON object, and EncodeExt of it decodes to an equal object;
//  - BuildExt of credentials whose certificate is that object's `certificate` (when an object)
//    decodes back to the same certificate.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libraries/hawk/credentials.h"
#include "libraries/hawk/ext.h"
#include "libraries/testing/fuzz/fuzz_check.h"
#include "nlohmann/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view ext(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<nlohmann::json> decoded = bulwark::hawk::DecodeExt(ext);
  if (!decoded.ok()) {
    FUZZ_CHECK(decoded.status().code() == absl::StatusCode::kUnauthenticated) << decoded.status();
    FUZZ_CHECK(decoded.status().message() == "Failed to parse ext") << decoded.status();
    return 0;
  }
  FUZZ_CHECK(decoded->is_object()) << decoded->dump();
  // nlohmann::json::dump throws on invalid UTF-8; the parser only accepts valid UTF-8.
  std::string reencoded;
  try {
    reencoded = bulwark::hawk::EncodeExt(*decoded);
  } catch (const nlohmann::json::exception& e) {
    FUZZ_CHECK(false) << "EncodeExt threw: " << e.what();
  }
  absl::StatusOr<nlohmann::json> again = bulwark::hawk::DecodeExt(reencoded);
  FUZZ_CHECK(again.ok()) << again.status() << " for " << reencoded;
  FUZZ_CHECK(*again == *decoded) << reencoded;

  auto certificate = decoded->find("certificate");
  if (certificate != decoded->end() && certificate->is_object()) {
    bulwark::hawk::Credentials credentials;
    credentials.client_id = "c";
    credentials.access_token = "t";
    credentials.certificate = certificate->dump();
    absl::StatusOr<std::string> built = bulwark::hawk::BuildExt(credentials);
    FUZZ_CHECK(built.ok()) << built.status();
    absl::StatusOr<nlohmann::json> built_decoded = bulwark::hawk::DecodeExt(*built);
    FUZZ_CHECK(built_decoded.ok()) << built_decoded.status();
    FUZZ_CHECK((*built_decoded)["certificate"] == *certificate) << *built;
  }
  return 0;
}
