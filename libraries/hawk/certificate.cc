#include "libraries/hawk/certificate.h"

#include <charconv>
#include <cmath>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libraries/hawk/digest.h"
#include "libraries/scopes/scope.h"
#include "libraries/scopes/scope_set.h"

// The failures of CheckCertificate and CheckCertificateScopes, in the order
// they are checked (UNAUTHENTICATED, Taskcluster's signaturevalidator
// messages):
//   ext.certificate must be a JSON object
//   ext.certificate.version must be 1
//   ext.certificate.seed must be a string
//   ext.certificate.seed must be 44 characters
//   ext.certificate.start must be a number
//   ext.certificate.expiry must be a number
//   ext.certificate.scopes must be an array
//   ext.certificate.scopes must be an array of valid scopes
//   ext.certificate.start > now
//   ext.certificate.expiry < now
//   ext.certificate cannot last longer than 31 days!
//   ext.certificate.clientId must only be used with ext.certificate.issuer
//   ext.certificate.signature is not valid[, or wrong clientId provided]
// then, in CheckCertificateScopes:
//   ext.certificate issuer `<issuer>` doesn't have
//     `auth:create-client:<name>` for supplied clientId.
//   ext.certificate issuer `<issuer>` doesn't satisfy all certificate scopes
//     <a, b>.  The temporary credentials were not generated correctly.

namespace bulwark::hawk {
namespace {

absl::Status Fail(absl::string_view message) { return absl::UnauthenticatedError(message); }

// JavaScript's `obj[key]` on a JSON value: nullptr when absent or not an
// object.
const nlohmann::json* Field(const nlohmann::json& value, const char* key) {
  if (!value.is_object()) return nullptr;
  auto it = value.find(key);
  return it == value.end() ? nullptr : &*it;
}

// JavaScript's String.length (UTF-16 code units) of UTF-8 text.
size_t Utf16Length(absl::string_view utf8) {
  size_t length = 0;
  for (char c : utf8) {
    const unsigned char u = static_cast<unsigned char>(c);
    if ((u & 0xc0) != 0x80) length += u >= 0xf0 ? 2 : 1;
  }
  return length;
}

// JavaScript's String(number) for a finite number: the shortest round-trip
// digits, in fixed notation for 1e-6 <= |x| < 1e21 and in exponent notation
// ("1e+21", "1.5e-7") otherwise.
std::string FormatJsNumber(double value) {
  if (value == 0) return "0";
  char buffer[64];
  const double magnitude = std::fabs(value);
  const bool fixed = magnitude >= 1e-6 && magnitude < 1e21;
  auto [end, error] =
      std::to_chars(buffer, buffer + sizeof(buffer), value,
                    fixed ? std::chars_format::fixed : std::chars_format::scientific);
  std::string text(buffer, end);
  if (!fixed) {
    // printf writes at least two exponent digits ("1e-07"); JavaScript writes
    // "1e-7".
    const size_t e = text.find('e');
    size_t digits = e + 2;
    while (digits + 1 < text.size() && text[digits] == '0') {
      text.erase(digits, 1);
    }
  }
  return text;
}

int64_t ToMillis(absl::Time t) { return absl::ToUnixMillis(t); }

}  // namespace

std::string CertificateSignatureText(absl::string_view name, absl::string_view issuer,
                                     absl::string_view seed, absl::string_view start,
                                     absl::string_view expiry,
                                     absl::Span<const std::string> scopes) {
  std::string text = "version:1\n";
  if (!issuer.empty()) {
    absl::StrAppend(&text, "clientId:", name, "\n", "issuer:", issuer, "\n");
  }
  absl::StrAppend(&text, "seed:", seed, "\nstart:", start, "\nexpiry:", expiry, "\nscopes:");
  for (const std::string& scope : scopes) absl::StrAppend(&text, "\n", scope);
  return text;
}

std::string TemporaryAccessToken(absl::string_view issuer_token, absl::string_view seed) {
  return Base64UrlNoPadding(HmacSha256(issuer_token, seed));
}

absl::StatusOr<Credentials> CreateTemporaryCredentials(const Credentials& issuer,
                                                       const TemporaryCredentialsOptions& options,
                                                       Random& random) {
  if (!issuer.certificate.empty()) {
    return absl::InvalidArgumentError(
        "temporary credentials cannot be used to make new temporary "
        "credentials; use permanent credentials as the issuer");
  }
  if (issuer.client_id.empty() || issuer.access_token.empty()) {
    return absl::InvalidArgumentError("the issuer's clientId and accessToken are required");
  }
  if (options.expiry < options.start) {
    return absl::InvalidArgumentError("expiry must not be before start");
  }
  if (ToMillis(options.expiry) - ToMillis(options.start) >
      absl::ToInt64Milliseconds(kMaxCertificateSpan)) {
    return absl::InvalidArgumentError("Credentials cannot span more than 31 days");
  }
  for (const std::string& scope : options.scopes) {
    if (!scopes::ValidScope(scope)) {
      return absl::InvalidArgumentError(
          absl::StrCat("scope \"", absl::CEscape(scope), "\" is not a valid scope"));
    }
  }
  if (options.name == issuer.client_id) {
    return absl::InvalidArgumentError("Credential issuer must be different from the name");
  }
  const bool named = !options.name.empty();
  const int64_t start = ToMillis(options.start);
  const int64_t expiry = ToMillis(options.expiry);
  const std::string seed = NiceSlugid(random) + NiceSlugid(random);
  const std::string signature = Base64(HmacSha256(
      issuer.access_token,
      CertificateSignatureText(options.name, named ? issuer.client_id : "", seed,
                               absl::StrCat(start), absl::StrCat(expiry), options.scopes)));

  nlohmann::ordered_json certificate;
  certificate["version"] = 1;
  certificate["scopes"] = options.scopes;
  certificate["start"] = start;
  certificate["expiry"] = expiry;
  certificate["seed"] = seed;
  certificate["signature"] = signature;
  if (named) certificate["issuer"] = issuer.client_id;

  Credentials result;
  result.client_id = named ? options.name : issuer.client_id;
  result.access_token = TemporaryAccessToken(issuer.access_token, seed);
  result.certificate = certificate.dump();
  return result;
}

absl::StatusOr<CheckedCertificate> CheckCertificate(const nlohmann::json& certificate,
                                                    absl::string_view credential_name,
                                                    absl::string_view issuer_id,
                                                    absl::string_view issuer_token,
                                                    absl::Time now) {
  // JavaScript's `cert instanceof Object`: objects and arrays.
  if (!certificate.is_object() && !certificate.is_array()) {
    return Fail("ext.certificate must be a JSON object");
  }
  const nlohmann::json* version = Field(certificate, "version");
  if (version == nullptr || !version->is_number() || version->get<double>() != 1) {
    return Fail("ext.certificate.version must be 1");
  }
  const nlohmann::json* seed = Field(certificate, "seed");
  if (seed == nullptr || !seed->is_string()) {
    return Fail("ext.certificate.seed must be a string");
  }
  const std::string& seed_text = seed->get_ref<const std::string&>();
  if (Utf16Length(seed_text) != 44) {
    return Fail("ext.certificate.seed must be 44 characters");
  }
  const nlohmann::json* start = Field(certificate, "start");
  if (start == nullptr || !start->is_number()) {
    return Fail("ext.certificate.start must be a number");
  }
  const nlohmann::json* expiry = Field(certificate, "expiry");
  if (expiry == nullptr || !expiry->is_number()) {
    return Fail("ext.certificate.expiry must be a number");
  }
  const nlohmann::json* scopes = Field(certificate, "scopes");
  if (scopes == nullptr || !scopes->is_array()) {
    return Fail("ext.certificate.scopes must be an array");
  }
  CheckedCertificate result;
  result.scopes.reserve(scopes->size());
  for (const nlohmann::json& scope : *scopes) {
    if (!scope.is_string() || !scopes::ValidScope(scope.get_ref<const std::string&>())) {
      return Fail("ext.certificate.scopes must be an array of valid scopes");
    }
    result.scopes.push_back(scope.get<std::string>());
  }

  const double start_ms = start->get<double>();
  const double expiry_ms = expiry->get<double>();
  const double now_ms = static_cast<double>(ToMillis(now));
  const double slack_ms = absl::ToDoubleMilliseconds(kCertificateSlack);
  if (start_ms > now_ms + slack_ms) return Fail("ext.certificate.start > now");
  if (expiry_ms < now_ms - slack_ms) {
    return Fail("ext.certificate.expiry < now");
  }
  if (expiry_ms - start_ms > absl::ToDoubleMilliseconds(kMaxCertificateSpan)) {
    return Fail("ext.certificate cannot last longer than 31 days!");
  }

  const bool named = issuer_id != credential_name;
  if (!named && certificate.is_object() && certificate.contains("clientId")) {
    return Fail(
        "ext.certificate.clientId must only be used with "
        "ext.certificate.issuer");
  }

  const std::string expected = Base64(
      HmacSha256(issuer_token, CertificateSignatureText(credential_name, named ? issuer_id : "",
                                                        seed_text, FormatJsNumber(start_ms),
                                                        FormatJsNumber(expiry_ms), result.scopes)));
  const nlohmann::json* signature = Field(certificate, "signature");
  if (signature == nullptr || !signature->is_string() ||
      !ConstantTimeEquals(signature->get_ref<const std::string&>(), expected)) {
    return Fail(named ? "ext.certificate.signature is not valid, or wrong "
                        "clientId provided"
                      : "ext.certificate.signature is not valid");
  }

  result.access_token = TemporaryAccessToken(issuer_token, seed_text);
  result.expiry = absl::UnixEpoch() + absl::Milliseconds(expiry_ms);
  return result;
}

absl::Status CheckCertificateScopes(const CheckedCertificate& certificate,
                                    absl::string_view credential_name, absl::string_view issuer_id,
                                    absl::Span<const std::string> issuer_scopes) {
  if (issuer_id != credential_name) {
    // A name under static/ would impersonate one of the deployment's own clients (for
    // instance in the queue's record of who created a task); no scope can allow it.
    if (absl::StartsWith(credential_name, "static/")) {
      return Fail(absl::StrCat("temporary credentials cannot be named `", credential_name,
                               "`: static/ names belong to the deployment's own clients"));
    }
    const std::string create_scope = absl::StrCat("auth:create-client:", credential_name);
    if (!scopes::SetSatisfies(issuer_scopes, create_scope)) {
      return Fail(absl::StrCat("ext.certificate issuer `", issuer_id, "` doesn't have `",
                               create_scope, "` for supplied clientId."));
    }
  }
  for (const std::string& scope : certificate.scopes) {
    if (!scopes::SetSatisfies(issuer_scopes, scope)) {
      return Fail(absl::StrCat("ext.certificate issuer `", issuer_id,
                               "` doesn't satisfy all certificate scopes ",
                               absl::StrJoin(certificate.scopes, ", "),
                               ".  The temporary credentials were not generated correctly."));
    }
  }
  return absl::OkStatus();
}

}  // namespace bulwark::hawk
