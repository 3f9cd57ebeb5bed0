#include "libraries/attest/dsse.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/jwt.h"
#include "libraries/crypto/random.h"
#include "nlohmann/json.hpp"

namespace bulwark::attest {
namespace {

using nlohmann::json;

crypto::Ed25519PrivateKey Key(uint64_t seed) {
  SeededRandom random(seed);
  return crypto::Ed25519PrivateKey::Generate(random).value();
}

class DsseTest : public ::testing::Test {
 protected:
  DsseTest()
      : key_(Key(1)), keys_(crypto::JwkSet::FromKeys({{"verifier-1", key_.PublicKey()}}).value()) {}

  Envelope Signed(const std::string& payload) {
    return SignEnvelope(kInTotoPayloadType, payload, key_, "verifier-1").value();
  }

  crypto::Ed25519PrivateKey key_;
  crypto::JwkSet keys_;
};

TEST(PaeTest, MatchesTheSpecExample) {
  EXPECT_EQ(Pae("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(Pae("", ""), "DSSEv1 0  0 ");
  EXPECT_EQ(Pae("t", std::string("a\0b", 3)), std::string("DSSEv1 1 t 3 a\0b", 16));
}

TEST_F(DsseTest, SignedEnvelopeVerifiesThroughItsJson) {
  const std::string payload = R"({"_type":"https://in-toto.io/Statement/v1"})";
  Envelope envelope = Signed(payload);
  ASSERT_EQ(envelope.signatures.size(), 1u);
  EXPECT_TRUE(
      key_.PublicKey().Verify(Pae(kInTotoPayloadType, payload), envelope.signatures[0].sig));
  json j = EnvelopeToJson(envelope);
  EXPECT_EQ(j["payloadType"], kInTotoPayloadType);
  EXPECT_EQ(j["signatures"][0]["keyid"], "verifier-1");
  EXPECT_EQ(j["payload"], crypto::Base64Encode(payload));
  absl::StatusOr<Envelope> parsed = ParseEnvelope(j.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  absl::StatusOr<VerifiedEnvelope> v = VerifyEnvelope(*parsed, keys_, kInTotoPayloadType);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->keyid, "verifier-1");
  EXPECT_EQ(v->payload, payload);
}

TEST_F(DsseTest, UrlSafeBase64IsAccepted) {
  const std::string payload = "\xfb\xff\xfe?>";  // encodes with '+' and '/' in standard base64
  Envelope envelope = Signed(payload);
  json j = {
      {"payload", crypto::Base64UrlEncode(payload)},
      {"payloadType", kInTotoPayloadType},
      {"signatures",
       {{{"keyid", "verifier-1"}, {"sig", crypto::Base64UrlEncode(envelope.signatures[0].sig)}}}}};
  absl::StatusOr<Envelope> parsed = ParseEnvelope(j.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->payload, payload);
  EXPECT_TRUE(VerifyEnvelope(*parsed, keys_, kInTotoPayloadType).ok());
}

TEST_F(DsseTest, EveryEditedPayloadByteFails) {
  const std::string payload = R"({"subject":[{"name":"a","digest":{"sha256":"00"}}]})";
  const Envelope good = Signed(payload);
  for (size_t i = 0; i < payload.size(); ++i) {
    for (unsigned char bit : {0x01, 0x80}) {
      Envelope bad = good;
      bad.payload[i] = static_cast<char>(bad.payload[i] ^ bit);
      absl::StatusOr<VerifiedEnvelope> v = VerifyEnvelope(bad, keys_, kInTotoPayloadType);
      EXPECT_EQ(v.status().code(), absl::StatusCode::kDataLoss) << "byte " << i;
    }
  }
  Envelope longer = good;
  longer.payload += " ";
  EXPECT_EQ(VerifyEnvelope(longer, keys_, kInTotoPayloadType).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(DsseTest, EveryEditedSignatureByteFails) {
  const Envelope good = Signed("payload");
  for (size_t i = 0; i < good.signatures[0].sig.size(); ++i) {
    Envelope bad = good;
    bad.signatures[0].sig[i] = static_cast<char>(bad.signatures[0].sig[i] ^ 0x01);
    EXPECT_EQ(VerifyEnvelope(bad, keys_, kInTotoPayloadType).status().code(),
              absl::StatusCode::kDataLoss)
        << "byte " << i;
  }
  Envelope truncated = good;
  truncated.signatures[0].sig.pop_back();
  EXPECT_EQ(VerifyEnvelope(truncated, keys_, kInTotoPayloadType).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(DsseTest, EveryEditedByteOfTheEnvelopeTextFails) {
  const std::string text = EnvelopeToJson(Signed(R"({"a":1})")).dump();
  for (size_t i = 0; i < text.size(); ++i) {
    std::string bad = text;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    absl::StatusOr<Envelope> parsed = ParseEnvelope(bad);
    if (!parsed.ok()) continue;
    EXPECT_FALSE(VerifyEnvelope(*parsed, keys_, kInTotoPayloadType).ok())
        << "byte " << i << " of " << text;
  }
}

TEST_F(DsseTest, ThePayloadTypeIsSigned) {
  Envelope envelope = Signed("payload");
  envelope.payload_type = "application/json";
  absl::StatusOr<VerifiedEnvelope> expected_other =
      VerifyEnvelope(envelope, keys_, kInTotoPayloadType);
  EXPECT_EQ(expected_other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyEnvelope(envelope, keys_, "application/json").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(DsseTest, UnknownKeyIsNotFoundAndAnotherKeyUnderTheIdFails) {
  Envelope other = SignEnvelope(kInTotoPayloadType, "p", Key(2), "verifier-2").value();
  absl::StatusOr<VerifiedEnvelope> v = VerifyEnvelope(other, keys_, kInTotoPayloadType);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(v.status().message().find("verifier-2"), std::string::npos) << v.status();
  Envelope impostor = SignEnvelope(kInTotoPayloadType, "p", Key(2), "verifier-1").value();
  EXPECT_EQ(VerifyEnvelope(impostor, keys_, kInTotoPayloadType).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(DsseTest, AnyVerifyingSignatureSuffices) {
  Envelope envelope = SignEnvelope(kInTotoPayloadType, "p", Key(2), "retired").value();
  Envelope mine = Signed("p");
  envelope.signatures.push_back(mine.signatures[0]);
  absl::StatusOr<VerifiedEnvelope> v = VerifyEnvelope(envelope, keys_, kInTotoPayloadType);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->keyid, "verifier-1");
}

TEST_F(DsseTest, MalformedEnvelopesAreInvalidArgument) {
  const std::string sig = crypto::Base64Encode(std::string(64, 'x'));
  for (const std::string& text : {
           std::string("not json"),
           std::string("[]"),
           json{{"payloadType", kInTotoPayloadType}, {"signatures", {{{"sig", sig}}}}}.dump(),
           json{{"payload", "!!"},
                {"payloadType", kInTotoPayloadType},
                {"signatures", {{{"sig", sig}}}}}
               .dump(),
           json{{"payload", "cA=="}, {"signatures", {{{"sig", sig}}}}}.dump(),
           json{{"payload", "cA=="},
                {"payloadType", kInTotoPayloadType},
                {"signatures", json::array()}}
               .dump(),
           json{{"payload", "cA=="},
                {"payloadType", kInTotoPayloadType},
                {"signatures", {{{"sig", "%"}}}}}
               .dump(),
           json{{"payload", "cA=="},
                {"payloadType", kInTotoPayloadType},
                {"signatures", {{{"sig", sig}, {"keyid", 3}}}}}
               .dump(),
       }) {
    EXPECT_EQ(ParseEnvelope(text).status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
  EXPECT_EQ(SignEnvelope(kInTotoPayloadType, "p", Key(1), "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::attest
