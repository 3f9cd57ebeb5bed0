// File: libraries/attest/dsse.h
//
// DSSE (Dead Simple Signing Envelope, v1.0) with Ed25519 through libraries/crypto: the
// pre-authentication encoding (PAE), signing a payload into an envelope, and verifying an envelope
// against a JWK set (the form auth's GetJwks and the verifier's GetAttestationKeys publish).
//
//   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
//   where LEN is the byte length as ASCII decimal without leading zeros and SP is one space.
//
// Envelope JSON (the signature is over PAE(payloadType, payload), never over the base64 text):
//
//   {"payload": "<standard base64 of the payload bytes>",
//    "payloadType": "application/vnd.in-toto+json",
//    "signatures": [{"keyid": "<kid of the JWK>", "sig": "<standard base64, 64 bytes>"}]}
//
// Reading accepts standard or URL-safe base64 (with or without padding), as the DSSE spec allows;
// writing always uses standard base64 with padding.
//
//   BULWARK_ASSIGN_OR_RETURN(Envelope env,
//                            SignEnvelope(kInTotoPayloadType, statement_bytes, key, "verifier-1"));
//   std::string text = EnvelopeToJson(env).dump();
//   BULWARK_ASSIGN_OR_RETURN(Envelope back, ParseEnvelope(text));
//   BULWARK_ASSIGN_OR_RETURN(VerifiedEnvelope v,
//                            VerifyEnvelope(back, jwks, kInTotoPayloadType));
//
// Verification: the payloadType must equal the expected one; the envelope is accepted when at
// least one signature's keyid is in the JWK set and its Ed25519 signature over the PAE verifies.
//
// Thread-safety: pure functions over values; safe from any thread.
// Errors: INVALID_ARGUMENT for an envelope that is not the JSON above (named member, bad base64),
// or a payloadType other than the expected one; NOT_FOUND when no signature's keyid is in the JWK
// set (the ids are listed); DATA_LOSS when a signature by a known key does not verify (the
// payload, its type or the signature was changed); whatever crypto returns for signing.

#ifndef BULWARK_LIBRARIES_ATTEST_DSSE_H_
#define BULWARK_LIBRARIES_ATTEST_DSSE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/jwt.h"
#include "nlohmann/json.hpp"

namespace bulwark::attest {

inline constexpr char kInTotoPayloadType[] = "application/vnd.in-toto+json";

// Largest envelope text ParseEnvelope reads.
inline constexpr size_t kMaxEnvelopeBytes = 16 << 20;

struct DsseSignature {
  std::string keyid;
  std::string sig;  // raw signature bytes (64 for Ed25519)
};

struct Envelope {
  std::string payload_type;
  std::string payload;  // raw payload bytes
  std::vector<DsseSignature> signatures;
};

// The pre-authentication encoding the signatures cover.
std::string Pae(absl::string_view payload_type, absl::string_view payload);

// One signature by `key`, published under `keyid`.
absl::StatusOr<Envelope> SignEnvelope(absl::string_view payload_type, std::string payload,
                                      const crypto::Ed25519PrivateKey& key,
                                      absl::string_view keyid);

nlohmann::json EnvelopeToJson(const Envelope& envelope);
absl::StatusOr<Envelope> EnvelopeFromJson(const nlohmann::json& json);
absl::StatusOr<Envelope> ParseEnvelope(absl::string_view text);

struct VerifiedEnvelope {
  std::string keyid;    // the key whose signature verified
  std::string payload;  // the payload bytes that signature covers
};

absl::StatusOr<VerifiedEnvelope> VerifyEnvelope(const Envelope& envelope,
                                                const crypto::JwkSet& keys,
                                                absl::string_view expected_payload_type);

}  // namespace bulwark::attest

#endif  // BULWARK_LIBRARIES_ATTEST_DSSE_H_
