#include "libraries/crypto/jwt.h"

#include <cstdint>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/key_id.h"
#include "libraries/status/status_macros.h"

namespace bulwark::crypto {
namespace {

using Json = nlohmann::json;

// Both names of the one algorithm: "EdDSA" (RFC 8037, what we sign with) and
// the fully specified "Ed25519" (RFC 9864), which newer libraries may emit.
bool IsEd25519Alg(const Json& alg) { return alg == "EdDSA" || alg == "Ed25519"; }

absl::Status Refuse(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("JWT rejected: ", why));
}

// The JSON object encoded in base64url `encoded`, or a discarded value.
Json DecodeObject(absl::string_view encoded) {
  std::string text;
  if (!Base64UrlDecode(encoded, &text)) return Json(Json::value_t::discarded);
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) return Json(Json::value_t::discarded);
  return value;
}

// A NumericDate claim (RFC 7519 §2: seconds since the epoch, possibly
// fractional), or nullopt if absent. A non-number is an error.
absl::StatusOr<absl::optional<absl::Time>> NumericDate(const Json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end()) return absl::optional<absl::Time>();
  if (it->is_number_unsigned()) {
    uint64_t seconds = it->get<uint64_t>();
    if (seconds > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return absl::optional<absl::Time>(absl::InfiniteFuture());
    }
    return absl::optional<absl::Time>(absl::FromUnixSeconds(static_cast<int64_t>(seconds)));
  }
  if (it->is_number_integer()) {
    return absl::optional<absl::Time>(absl::FromUnixSeconds(it->get<int64_t>()));
  }
  if (it->is_number_float()) {
    return absl::optional<absl::Time>(absl::UnixEpoch() + absl::Seconds(it->get<double>()));
  }
  return Refuse(absl::StrCat("\"", name, "\" is not a number"));
}

absl::Status CheckAudience(const Json& claims, absl::string_view audience) {
  auto aud = claims.find("aud");
  if (aud == claims.end()) return Refuse("no \"aud\" claim");
  if (aud->is_string()) {
    if (aud->get_ref<const std::string&>() == audience) return absl::OkStatus();
  } else if (aud->is_array()) {
    for (const Json& a : *aud) {
      if (!a.is_string()) return Refuse("\"aud\" is not a string or a list of strings");
      if (a.get_ref<const std::string&>() == audience) return absl::OkStatus();
    }
  } else {
    return Refuse("\"aud\" is not a string or a list of strings");
  }
  return Refuse(absl::StrCat("the audience is not \"", audience, "\""));
}

absl::Status CheckTimes(const Json& claims, absl::Time now, const JwtVerifyOptions& options) {
  BULWARK_ASSIGN_OR_RETURN(absl::optional<absl::Time> exp, NumericDate(claims, "exp"));
  BULWARK_ASSIGN_OR_RETURN(absl::optional<absl::Time> nbf, NumericDate(claims, "nbf"));
  BULWARK_ASSIGN_OR_RETURN(absl::optional<absl::Time> iat, NumericDate(claims, "iat"));
  if (!exp.has_value()) return Refuse("no \"exp\" claim");
  if (now >= *exp + options.leeway) return Refuse("expired");
  if (nbf.has_value() && now + options.leeway < *nbf) return Refuse("not valid yet (\"nbf\")");
  if (iat.has_value() && *iat > now + options.leeway) return Refuse("issued in the future");
  if (options.max_lifetime != absl::InfiniteDuration()) {
    if (!iat.has_value()) return Refuse("no \"iat\" claim");
    if (*exp - *iat > options.max_lifetime) {
      return Refuse(absl::StrCat("lifetime exceeds ", absl::FormatDuration(options.max_lifetime)));
    }
  }
  return absl::OkStatus();
}

}  // namespace

nlohmann::json ToJwks(const std::vector<PublicJwk>& keys) {
  Json list = Json::array();
  for (const PublicJwk& k : keys) {
    Json jwk = k.key.ToJwk();
    jwk["kid"] = k.kid;
    jwk["use"] = "sig";
    jwk["alg"] = "EdDSA";
    list.push_back(std::move(jwk));
  }
  return Json{{"keys", std::move(list)}};
}

absl::StatusOr<JwkSet> JwkSet::FromKeys(std::vector<PublicJwk> keys) {
  JwkSet set;
  for (PublicJwk& k : keys) {
    if (k.kid.empty()) return absl::InvalidArgumentError("JWK set: a key has an empty kid");
    std::string kid = k.kid;
    if (!set.keys_.emplace(std::move(k.kid), std::move(k.key)).second) {
      return absl::InvalidArgumentError(absl::StrCat("JWK set: duplicate kid \"", kid, "\""));
    }
  }
  return set;
}

absl::StatusOr<JwkSet> JwkSet::FromJson(const nlohmann::json& jwks) {
  if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array()) {
    return absl::InvalidArgumentError("JWK set: expected {\"keys\": [...]}");
  }
  std::vector<PublicJwk> keys;
  const Json& list = jwks["keys"];
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& jwk = list[i];
    if (!jwk.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat("JWK set: keys[", i, "] is not an object"));
    }
    // Not ours to use: other key types, encryption keys, other algorithms, keys
    // without a kid (our tokens always name their key).
    if (jwk.value("kty", Json()) != "OKP" || jwk.value("crv", Json()) != "Ed25519" ||
        (jwk.contains("use") && jwk["use"] != "sig") ||
        (jwk.contains("alg") && !IsEd25519Alg(jwk["alg"])) || !jwk.contains("kid")) {
      continue;
    }
    if (!jwk["kid"].is_string() || jwk["kid"].get_ref<const std::string&>().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("JWK set: keys[", i, "] has a kid that is not a non-empty string"));
    }
    absl::StatusOr<Ed25519PublicKey> key = Ed25519PublicKey::FromJwk(jwk);
    if (!key.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("JWK set: keys[", i, "] (kid \"",
                                                     jwk["kid"].get<std::string>(),
                                                     "\"): ", key.status().message()));
    }
    keys.push_back({jwk["kid"].get<std::string>(), *std::move(key)});
  }
  return FromKeys(std::move(keys));
}

const Ed25519PublicKey* JwkSet::Find(absl::string_view kid) const {
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : &it->second;
}

absl::StatusOr<std::string> SignJwt(const nlohmann::json& claims, const Ed25519PrivateKey& key,
                                    absl::string_view kid) {
  if (!claims.is_object()) return absl::InvalidArgumentError("JWT claims must be a JSON object");
  if (kid.empty()) return absl::InvalidArgumentError("a JWT key id must not be empty");
  Json header = {{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", std::string(kid)}};
  std::string header_text, claims_text;
  try {
    header_text = header.dump();
    claims_text = claims.dump();  // throws on invalid UTF-8
  } catch (const Json::exception&) {
    return absl::InvalidArgumentError("JWT claims or key id are not valid UTF-8");
  }
  std::string signing_input =
      absl::StrCat(Base64UrlEncode(header_text), ".", Base64UrlEncode(claims_text));
  BULWARK_ASSIGN_OR_RETURN(std::string signature, key.Sign(signing_input));
  return absl::StrCat(signing_input, ".", Base64UrlEncode(signature));
}

absl::StatusOr<VerifiedJwt> VerifyJwt(absl::string_view token, const JwkSet& keys,
                                      const Clock& clock, const JwtVerifyOptions& options) {
  if (options.audience.empty()) {
    return absl::InvalidArgumentError("VerifyJwt needs the expected audience");
  }
  if (token.size() > kMaxJwtBytes) return Refuse("too long");
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Refuse("not a compact JWS (header.payload.signature)");

  VerifiedJwt jwt;
  jwt.header = DecodeObject(parts[0]);
  if (jwt.header.is_discarded()) return Refuse("the header is not base64url of a JSON object");
  if (!jwt.header.contains("alg") || !IsEd25519Alg(jwt.header["alg"])) {
    return Refuse("\"alg\" is not \"EdDSA\"");
  }
  if (jwt.header.contains("crit")) return Refuse("unsupported \"crit\" header");
  if (jwt.header.contains("typ") &&
      !(jwt.header["typ"].is_string() &&
        absl::EqualsIgnoreCase(jwt.header["typ"].get_ref<const std::string&>(), "JWT"))) {
    return Refuse("\"typ\" is not \"JWT\"");
  }
  if (!jwt.header.contains("kid") || !jwt.header["kid"].is_string()) {
    return Refuse("no \"kid\" in the header");
  }
  const std::string& kid = jwt.header["kid"].get_ref<const std::string&>();
  const Ed25519PublicKey* key = keys.Find(kid);
  if (key == nullptr) {
    return Refuse(IsValidKeyId(kid) ? absl::StrCat("unknown key id \"", kid, "\"")
                                    : std::string("unknown key id"));
  }
  std::string signature;
  if (!Base64UrlDecode(parts[2], &signature) || signature.size() != kEd25519SignatureBytes) {
    return Refuse("the signature is not base64url of 64 bytes");
  }
  std::string signing_input = absl::StrCat(parts[0], ".", parts[1]);
  if (!key->Verify(signing_input, signature)) return Refuse("bad signature");

  jwt.claims = DecodeObject(parts[1]);
  if (jwt.claims.is_discarded()) return Refuse("the payload is not base64url of a JSON object");
  BULWARK_RETURN_IF_ERROR(CheckTimes(jwt.claims, clock.Now(), options));
  BULWARK_RETURN_IF_ERROR(CheckAudience(jwt.claims, options.audience));
  if (!options.issuer.empty() && jwt.claims.value("iss", Json()) != options.issuer) {
    return Refuse(absl::StrCat("the issuer is not \"", options.issuer, "\""));
  }
  return jwt;
}

absl::StatusOr<VerifiedJwt> VerifyJwt(absl::string_view token, const JwkSet& keys,
                                      const Clock& clock, absl::string_view audience) {
  JwtVerifyOptions options;
  options.audience = std::string(audience);
  return VerifyJwt(token, keys, clock, options);
}

}  // namespace bulwark::crypto
