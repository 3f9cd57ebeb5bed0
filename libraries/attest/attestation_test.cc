#include "libraries/attest/attestation.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "libraries/attest/test_provenance.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/random.h"
#include "libraries/crypto/signing_keyring.h"
#include "nlohmann/json.hpp"

namespace bulwark::attest {
namespace {

using nlohmann::json;

crypto::SigningKey Key(const std::string& id, uint64_t seed) {
  SeededRandom random(seed);
  return {id, crypto::Ed25519PrivateKey::Generate(random).value()};
}

std::string Hex(const std::string& raw) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

class AttestationTest : public ::testing::Test {
 protected:
  AttestationTest()
      : artifact_("release bytes\n"),
        ring_(crypto::SigningKeyring::Create({Key("verifier-1", 1), Key("verifier-2", 2)}).value()),
        statement_(BuildStatement(TestProvenance(Hex(crypto::Sha256(artifact_)))).value()) {}

  std::string artifact_;
  crypto::SigningKeyring ring_;
  json statement_;
};

TEST_F(AttestationTest, SignedByTheCurrentKeyVerifiesWithThePublishedJwks) {
  Envelope envelope = SignStatement(statement_, ring_.current()).value();
  EXPECT_EQ(envelope.signatures[0].keyid, "verifier-2");
  const std::string text = EnvelopeToJson(envelope).dump();
  absl::StatusOr<VerifiedAttestation> a = VerifyAttestation(text, ring_.Jwks());
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->keyid, "verifier-2");
  EXPECT_EQ(a->statement, statement_);
  // The GetJwks response form is accepted too.
  EXPECT_TRUE(VerifyAttestation(text, json{{"jwks", ring_.Jwks()}}).ok());
  absl::StatusOr<ArtifactDigest> subject = MatchSubject(a->view, Hex(crypto::Sha256(artifact_)));
  ASSERT_TRUE(subject.ok()) << subject.status();
  EXPECT_EQ(subject->name, "public/build/app.tar.gz");
}

TEST_F(AttestationTest, ASubjectDigestThatDoesNotMatchTheFileFails) {
  Envelope envelope = SignStatement(statement_, ring_.current()).value();
  VerifiedAttestation a = VerifyAttestation(EnvelopeToJson(envelope).dump(), ring_.Jwks()).value();
  absl::StatusOr<ArtifactDigest> subject =
      MatchSubject(a.view, Hex(crypto::Sha256(artifact_ + "!")));
  EXPECT_EQ(subject.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(subject.status().message().find("public/build/app.tar.gz"), std::string::npos);
}

TEST_F(AttestationTest, AnOldKeyStillVerifiesWhilePublishedAndNotAfter) {
  Envelope old = SignStatement(statement_, ring_.keys()[0]).value();
  const std::string text = EnvelopeToJson(old).dump();
  EXPECT_TRUE(VerifyAttestation(text, ring_.Jwks()).ok());
  crypto::SigningKeyring rotated = crypto::SigningKeyring::Create({Key("verifier-2", 2)}).value();
  EXPECT_EQ(VerifyAttestation(text, rotated.Jwks()).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(AttestationTest, EveryEditedByteOfTheSignedStatementFails) {
  Envelope good = SignStatement(statement_, ring_.current()).value();
  for (size_t i = 0; i < good.payload.size(); ++i) {
    Envelope bad = good;
    bad.payload[i] = static_cast<char>(bad.payload[i] ^ 0x20);
    EXPECT_EQ(VerifyAttestation(EnvelopeToJson(bad).dump(), ring_.Jwks()).status().code(),
              absl::StatusCode::kDataLoss)
        << "byte " << i;
  }
}

TEST_F(AttestationTest, ASignedPayloadThatIsNotProvenanceIsRefused) {
  Envelope not_json =
      SignEnvelope(kInTotoPayloadType, "nope", ring_.current().key, ring_.current().id).value();
  EXPECT_EQ(VerifyAttestation(EnvelopeToJson(not_json).dump(), ring_.Jwks()).status().code(),
            absl::StatusCode::kInvalidArgument);
  json other = statement_;
  other["predicateType"] = "https://example.com/other";
  Envelope wrong = SignStatement(other, ring_.current()).value();
  EXPECT_EQ(VerifyAttestation(EnvelopeToJson(wrong).dump(), ring_.Jwks()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyAttestation("{}", json::object()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::attest
