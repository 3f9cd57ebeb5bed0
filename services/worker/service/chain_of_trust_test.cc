#include "services/worker/service/chain_of_trust.h"

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/keygen.h"
#include "libraries/crypto/random.h"
#include "nlohmann/json.hpp"

namespace bulwark::worker {
namespace {

using nlohmann::json;

const std::string kLogHash(64, 'a');
const std::string kBuildHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

ChainOfTrustInput Input() {
  ChainOfTrustInput input;
  input.task_id = "fN1ZC3BTRbO7t0_Hq0Aqxw";
  input.run_id = 0;
  input.worker_group = "local";
  input.worker_id = "w1";
  input.task =
      json::parse(R"({"payload": {"command": ["true"]}, "metadata": {"name": "caf\u00e9"}})");
  input.artifact_sha256 = {{"public/logs/live_backing.log", kLogHash},
                           {"public/build/x", kBuildHash}};
  input.environment = {"proj/ci", "1.0.0", "host1"};
  return input;
}

// The worker's key, made the way deployments make it (crypto_keygen private-pem).
crypto::Ed25519PrivateKey TestKey(uint64_t seed = 7) {
  SeededRandom random(seed);
  absl::StatusOr<std::string> pem = crypto::RunKeygen({"private-pem"}, random);
  EXPECT_TRUE(pem.ok()) << pem.status();
  absl::StatusOr<crypto::Ed25519PrivateKey> key = crypto::Ed25519PrivateKey::FromPem(*pem);
  EXPECT_TRUE(key.ok()) << key.status();
  return *key;
}

// Verifies with OpenSSL directly, from the raw 32-byte public key: independent of ed25519.h.
bool OpenSslVerifies(const std::string& raw_public_key, const std::string& message,
                     const std::string& signature) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                  reinterpret_cast<const unsigned char*>(raw_public_key.data()),
                                  raw_public_key.size()),
      &EVP_PKEY_free);
  if (key == nullptr) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  if (EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

TEST(ChainOfTrustTest, BodyIsSortedIndentedUtf8WithATrailingNewline) {
  absl::StatusOr<std::string> body = ChainOfTrustBody(Input());
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(*body, R"({
  "artifacts": {
    "public/build/x": {
      "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    },
    "public/logs/live_backing.log": {
      "sha256": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    }
  },
  "chainOfTrustVersion": 1,
  "environment": {
    "hostname": "host1",
    "workerImplementation": "bulwark-worker",
    "workerPool": "proj/ci",
    "workerVersion": "1.0.0"
  },
  "runId": 0,
  "task": {
    "metadata": {
      "name": "café"
    },
    "payload": {
      "command": [
        "true"
      ]
    }
  },
  "taskId": "fN1ZC3BTRbO7t0_Hq0Aqxw",
  "workerGroup": "local",
  "workerId": "w1"
}
)");
}

TEST(ChainOfTrustTest, BodyCarriesEveryField) {
  ChainOfTrustInput input = Input();
  input.run_id = 3;
  absl::StatusOr<std::string> body = ChainOfTrustBody(input);
  ASSERT_TRUE(body.ok()) << body.status();
  json parsed = json::parse(*body);
  EXPECT_EQ(parsed["chainOfTrustVersion"], 1);
  EXPECT_EQ(parsed["taskId"], "fN1ZC3BTRbO7t0_Hq0Aqxw");
  EXPECT_EQ(parsed["runId"], 3);
  EXPECT_EQ(parsed["workerGroup"], "local");
  EXPECT_EQ(parsed["workerId"], "w1");
  EXPECT_EQ(parsed["task"], input.task);
  EXPECT_EQ(parsed["artifacts"]["public/logs/live_backing.log"], json({{"sha256", kLogHash}}));
  EXPECT_EQ(parsed["artifacts"].size(), 2u);
  EXPECT_EQ(parsed["environment"]["workerPool"], "proj/ci");
  EXPECT_EQ(parsed.size(), 8u);
}

TEST(ChainOfTrustTest, BodyIsDeterministic) {
  ChainOfTrustInput a = Input();
  ChainOfTrustInput b = Input();
  // The same task built in another order, with a float and nested arrays.
  a.task = json::parse(R"({"z": 1, "a": {"y": [1, 2.5, {"k": null}], "b": true}})");
  b.task = json::object();
  b.task["a"]["b"] = true;
  b.task["a"]["y"] = json::parse(R"([1, 2.5, {"k": null}])");
  b.task["z"] = 1;
  absl::StatusOr<std::string> first = ChainOfTrustBody(a);
  absl::StatusOr<std::string> second = ChainOfTrustBody(b);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(*first, *ChainOfTrustBody(a));
}

TEST(ChainOfTrustTest, SignatureVerifiesWithOpenSslAndAFlippedByteFails) {
  crypto::Ed25519PrivateKey key = TestKey();
  absl::StatusOr<SignedChainOfTrust> signed_cot = SignChainOfTrust(Input(), key);
  ASSERT_TRUE(signed_cot.ok()) << signed_cot.status();
  EXPECT_EQ(signed_cot->body, *ChainOfTrustBody(Input()));
  ASSERT_EQ(signed_cot->signature.size(), 64u);
  const std::string raw = key.PublicKey().Raw();
  EXPECT_TRUE(OpenSslVerifies(raw, signed_cot->body, signed_cot->signature));
  EXPECT_TRUE(VerifyChainOfTrust(key.PublicKey(), signed_cot->body, signed_cot->signature).ok());

  for (size_t i : {size_t{0}, signed_cot->body.size() / 2, signed_cot->body.size() - 1}) {
    std::string body = signed_cot->body;
    body[i] ^= 0x01;
    EXPECT_FALSE(OpenSslVerifies(raw, body, signed_cot->signature)) << "body byte " << i;
    EXPECT_EQ(VerifyChainOfTrust(key.PublicKey(), body, signed_cot->signature).code(),
              absl::StatusCode::kFailedPrecondition);
  }
  for (size_t i : {size_t{0}, size_t{31}, size_t{63}}) {
    std::string signature = signed_cot->signature;
    signature[i] ^= 0x01;
    EXPECT_FALSE(OpenSslVerifies(raw, signed_cot->body, signature)) << "signature byte " << i;
    EXPECT_FALSE(VerifyChainOfTrust(key.PublicKey(), signed_cot->body, signature).ok());
  }
  absl::Status other =
      VerifyChainOfTrust(TestKey(8).PublicKey(), signed_cot->body, signed_cot->signature);
  EXPECT_EQ(other.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(other.message(), "does not verify with key"));
  EXPECT_EQ(VerifyChainOfTrust(key.PublicKey(), signed_cot->body, "short"),
            absl::InvalidArgumentError("a chain-of-trust signature is 64 bytes, not 5"));
}

TEST(ChainOfTrustTest, RefusesBadInput) {
  auto error = [](const ChainOfTrustInput& input) { return ChainOfTrustBody(input).status(); };
  ChainOfTrustInput input = Input();
  input.task_id = "not-a-task-id";
  EXPECT_EQ(error(input),
            absl::InvalidArgumentError("chain of trust: task id 'not-a-task-id' is not a slugid"));
  input = Input();
  input.run_id = -1;
  EXPECT_EQ(error(input).code(), absl::StatusCode::kInvalidArgument);
  input = Input();
  input.worker_id.clear();
  EXPECT_EQ(error(input).code(), absl::StatusCode::kInvalidArgument);
  input = Input();
  input.environment.worker_pool.clear();
  EXPECT_EQ(error(input).code(), absl::StatusCode::kInvalidArgument);
  input = Input();
  input.task = json::array();
  EXPECT_EQ(error(input),
            absl::InvalidArgumentError("chain of trust: the task definition is not a JSON object"));
  for (const std::string& hash :
       {std::string(64, 'A'), std::string(63, 'a'), std::string(64, 'g'), std::string()}) {
    input = Input();
    input.artifact_sha256["public/x"] = hash;
    EXPECT_EQ(error(input).code(), absl::StatusCode::kInvalidArgument) << hash;
  }
  for (absl::string_view own : {kChainOfTrustArtifact, kChainOfTrustSignatureArtifact}) {
    input = Input();
    input.artifact_sha256[std::string(own)] = kLogHash;
    EXPECT_EQ(error(input), absl::InvalidArgumentError(
                                absl::StrCat("chain of trust: artifact '", own,
                                             "' cannot be listed in the certificate itself")));
  }
  input = Input();
  input.artifact_sha256["/absolute"] = kLogHash;
  EXPECT_EQ(error(input).code(), absl::StatusCode::kInvalidArgument);
  input = Input();
  input.task["metadata"]["name"] = std::string("\xff\xfe");
  EXPECT_EQ(error(input).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::worker
