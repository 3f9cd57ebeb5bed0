#include "libraries/attest/dsse.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libraries/crypto/encoding.h"
#include "libraries/status/status_macros.h"

namespace bulwark::attest {
namespace {

using nlohmann::json;

// Standard or URL-safe base64, padded or not (DSSE allows either).
bool DecodeAnyBase64(const std::string& text, std::string* out) {
  if (crypto::Base64Decode(text, out)) return true;
  std::string unpadded = text;
  while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
  return crypto::Base64UrlDecode(unpadded, out);
}

absl::StatusOr<std::string> StringMember(const json& object, const char* key,
                                         const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat(where, " has no string member \"", key, "\""));
  }
  return it->get<std::string>();
}

}  // namespace

std::string Pae(absl::string_view payload_type, absl::string_view payload) {
  return absl::StrCat("DSSEv1 ", payload_type.size(), " ", payload_type, " ", payload.size(), " ",
                      payload);
}

absl::StatusOr<Envelope> SignEnvelope(absl::string_view payload_type, std::string payload,
                                      const crypto::Ed25519PrivateKey& key,
                                      absl::string_view keyid) {
  if (keyid.empty()) return absl::InvalidArgumentError("a DSSE signature needs a keyid");
  Envelope envelope;
  envelope.payload_type = std::string(payload_type);
  envelope.payload = std::move(payload);
  BULWARK_ASSIGN_OR_RETURN(std::string sig, key.Sign(Pae(payload_type, envelope.payload)));
  envelope.signatures.push_back({std::string(keyid), std::move(sig)});
  return envelope;
}

json EnvelopeToJson(const Envelope& envelope) {
  json signatures = json::array();
  for (const DsseSignature& s : envelope.signatures) {
    signatures.push_back({{"keyid", s.keyid}, {"sig", crypto::Base64Encode(s.sig)}});
  }
  return {{"payload", crypto::Base64Encode(envelope.payload)},
          {"payloadType", envelope.payload_type},
          {"signatures", std::move(signatures)}};
}

absl::StatusOr<Envelope> EnvelopeFromJson(const json& in) {
  if (!in.is_object()) return absl::InvalidArgumentError("a DSSE envelope is a JSON object");
  Envelope envelope;
  BULWARK_ASSIGN_OR_RETURN(std::string payload, StringMember(in, "payload", "the envelope"));
  if (!DecodeAnyBase64(payload, &envelope.payload)) {
    return absl::InvalidArgumentError("the envelope's payload is not base64");
  }
  BULWARK_ASSIGN_OR_RETURN(envelope.payload_type, StringMember(in, "payloadType", "the envelope"));
  auto sigs = in.find("signatures");
  if (sigs == in.end() || !sigs->is_array() || sigs->empty()) {
    return absl::InvalidArgumentError("the envelope has no \"signatures\" (a non-empty list)");
  }
  for (size_t i = 0; i < sigs->size(); ++i) {
    const json& s = (*sigs)[i];
    const std::string where = absl::StrCat("signatures[", i, "]");
    if (!s.is_object()) return absl::InvalidArgumentError(where + " is not an object");
    DsseSignature out;
    BULWARK_ASSIGN_OR_RETURN(std::string sig, StringMember(s, "sig", where));
    if (!DecodeAnyBase64(sig, &out.sig)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".sig is not base64"));
    }
    // keyid is optional in DSSE; without one the signature cannot be matched to a key here.
    auto keyid = s.find("keyid");
    if (keyid != s.end()) {
      if (!keyid->is_string()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ".keyid is not a string"));
      }
      out.keyid = keyid->get<std::string>();
    }
    envelope.signatures.push_back(std::move(out));
  }
  return envelope;
}

absl::StatusOr<Envelope> ParseEnvelope(absl::string_view text) {
  if (text.size() > kMaxEnvelopeBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the envelope is ", text.size(), " bytes, more than ", kMaxEnvelopeBytes));
  }
  json parsed = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return absl::InvalidArgumentError("the envelope is not JSON");
  return EnvelopeFromJson(parsed);
}

absl::StatusOr<VerifiedEnvelope> VerifyEnvelope(const Envelope& envelope,
                                                const crypto::JwkSet& keys,
                                                absl::string_view expected_payload_type) {
  if (envelope.payload_type != expected_payload_type) {
    return absl::InvalidArgumentError(absl::StrCat("the envelope's payloadType is \"",
                                                   envelope.payload_type, "\", not \"",
                                                   expected_payload_type, "\""));
  }
  const std::string pae = Pae(envelope.payload_type, envelope.payload);
  std::vector<std::string> unknown;
  std::vector<std::string> failed;
  for (const DsseSignature& s : envelope.signatures) {
    const crypto::Ed25519PublicKey* key = keys.Find(s.keyid);
    if (key == nullptr) {
      unknown.push_back(s.keyid.empty() ? "(no keyid)" : absl::StrCat("\"", s.keyid, "\""));
      continue;
    }
    if (key->Verify(pae, s.sig)) return VerifiedEnvelope{s.keyid, envelope.payload};
    failed.push_back(absl::StrCat("\"", s.keyid, "\""));
  }
  if (!failed.empty()) {
    return absl::DataLossError(absl::StrCat(
        "the signature by key ", absl::StrJoin(failed, ", "),
        " does not verify: the payload, its type or the signature was changed after signing"));
  }
  return absl::NotFoundError(absl::StrCat("the envelope is signed by key ",
                                          absl::StrJoin(unknown, ", "),
                                          ", which the JWK set does not list (", keys.size(),
                                          " keys); fetch the signer's current published keys"));
}

}  // namespace bulwark::attest
