// Fuzz target: the server-side checks of temporary-credential certificates
// (libraries/hawk/certificate.h), on certificates as a client can send them in ext.
//
// The input is JSON text. When it is an object whose "signature" is the string "SIGN", the
// target replaces it with the correct signature for its fields (when they have the shapes a
// signature can cover), so that the fuzzer also reaches the checks after the signature.
// The first byte's low bit chooses named (issuer "issuer", Hawk id "named") or unnamed
// credentials.
//
// Properties checked, beyond "no crash":
//  - every refusal is UNAUTHENTICATED;
//  - an accepted certificate carries a string signature, its access token is
//    TemporaryAccessToken(issuer token, seed), its scopes are the certificate's, and its expiry
//    lies within the allowed window around `now`;
//  - CheckCertificateScopes never accepts a certificate scope the issuer does not hold.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libraries/hawk/certificate.h"
#include "libraries/hawk/digest.h"
#include "libraries/testing/fuzz/fuzz_check.h"
#include "nlohmann/json.hpp"

namespace {

constexpr char kIssuer[] = "issuer";
constexpr char kIssuerToken[] = "issuer-access-token-issuer-access-token-0000";
// 2026-01-01T00:00:00Z in milliseconds; seeds use times around it.
constexpr int64_t kNowMs = 1767225600000;

void SignInPlace(nlohmann::json& cert, absl::string_view name, bool named) {
  auto signature = cert.find("signature");
  if (signature == cert.end() || *signature != "SIGN") return;
  const auto seed = cert.find("seed");
  const auto start = cert.find("start");
  const auto expiry = cert.find("expiry");
  const auto scopes = cert.find("scopes");
  if (seed == cert.end() || !seed->is_string() || start == cert.end() ||
      !start->is_number_integer() || expiry == cert.end() || !expiry->is_number_integer() ||
      scopes == cert.end() || !scopes->is_array()) {
    return;
  }
  std::vector<std::string> scope_list;
  for (const nlohmann::json& s : *scopes) {
    if (!s.is_string()) return;
    scope_list.push_back(s.get<std::string>());
  }
  const std::string text = bulwark::hawk::CertificateSignatureText(
      name, named ? kIssuer : "", seed->get<std::string>(), absl::StrCat(start->get<int64_t>()),
      absl::StrCat(expiry->get<int64_t>()), scope_list);
  *signature = bulwark::hawk::Base64(bulwark::hawk::HmacSha256(kIssuerToken, text));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool named = (data[0] & 1) != 0;
  const std::string name = named ? "named" : kIssuer;
  nlohmann::json cert = nlohmann::json::parse(reinterpret_cast<const char*>(data) + 1,
                                              reinterpret_cast<const char*>(data) + size,
                                              /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (cert.is_discarded()) return 0;
  if (cert.is_object()) SignInPlace(cert, name, named);
  const absl::Time now = absl::FromUnixMillis(kNowMs);
  absl::StatusOr<bulwark::hawk::CheckedCertificate> checked =
      bulwark::hawk::CheckCertificate(cert, name, kIssuer, kIssuerToken, now);
  if (!checked.ok()) {
    FUZZ_CHECK(checked.status().code() == absl::StatusCode::kUnauthenticated) << checked.status();
    return 0;
  }
  FUZZ_CHECK(cert.is_object()) << cert.dump();
  FUZZ_CHECK(cert["signature"].is_string());
  FUZZ_CHECK(checked->access_token ==
             bulwark::hawk::TemporaryAccessToken(kIssuerToken, cert["seed"].get<std::string>()));
  FUZZ_CHECK(cert["scopes"].get<std::vector<std::string>>() == checked->scopes);
  FUZZ_CHECK(checked->expiry >= now - bulwark::hawk::kCertificateSlack) << checked->expiry;
  FUZZ_CHECK(checked->expiry <=
             now + bulwark::hawk::kCertificateSlack + bulwark::hawk::kMaxCertificateSpan)
      << checked->expiry;

  // An issuer holding only "a:*" (and the right to create "named").
  const std::vector<std::string> issuer_scopes = {"a:*", "auth:create-client:named"};
  absl::Status scopes =
      bulwark::hawk::CheckCertificateScopes(*checked, name, kIssuer, issuer_scopes);
  bool all_held = true;
  for (const std::string& s : checked->scopes) {
    if (s != "auth:create-client:named" && s.rfind("a:", 0) != 0) all_held = false;
  }
  if (scopes.ok()) FUZZ_CHECK(all_held) << cert.dump();
  if (all_held) FUZZ_CHECK(scopes.ok()) << scopes << " for " << cert.dump();
  return 0;
}
