// `bulwark verify-attestation`, run as a binary on files only: an attestation signed by the
// verifier's code verifies with the published keys and the artifact; an edited byte of payload or
// signature, another artifact, or keys without the signer fail with exit code 1 and a message.

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/attest/attestation.h"
#include "libraries/attest/test_provenance.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/random.h"
#include "libraries/crypto/signing_keyring.h"
#include "nlohmann/json.hpp"

namespace bulwark::attest {
namespace {

using nlohmann::json;

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string Dir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Write(const std::string& name, const std::string& content) {
  std::string path = absl::StrCat(Dir(), "/", name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

Result RunCli(const std::string& args) {
  static int counter = 0;
  std::string out = absl::StrCat(Dir(), "/run-", counter, ".out");
  std::string err = absl::StrCat(Dir(), "/run-", counter++, ".err");
  std::string command =
      absl::StrCat("tools/cli/bulwark verify-attestation ", args, " > '", out, "' 2> '", err, "'");
  int status = std::system(command.c_str());
  Result r;
  r.exit_code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  return r;
}

class VerifyAttestationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SeededRandom random(3);
    ring_ = std::make_unique<crypto::SigningKeyring>(
        crypto::SigningKeyring::Create(
            {{"verifier-1", crypto::Ed25519PrivateKey::Generate(random).value()}})
            .value());
    artifact_ = Write("app.tar.gz", "the released bytes");
    Provenance p = TestProvenance(absl::BytesToHexString(crypto::Sha256("the released bytes")));
    envelope_ = SignStatement(BuildStatement(p).value(), ring_->current()).value();
    attestation_ = Write("attestation.json", EnvelopeToJson(envelope_).dump());
    jwks_ = Write("jwks.json", ring_->Jwks().dump());
  }

  std::unique_ptr<crypto::SigningKeyring> ring_;
  Envelope envelope_;
  std::string artifact_, attestation_, jwks_;
};

TEST_F(VerifyAttestationTest, VerifiesAndPrintsTheProvenance) {
  Result r = RunCli(absl::StrCat(attestation_, " --jwks ", jwks_, " --artifact=", artifact_));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string& want : {
           std::string("signature:   OK, key verifier-1"),
           absl::StrCat("artifact:    OK, ", artifact_, " is subject public/build/app.tar.gz"),
           std::string("hook:        proj-3/on-push (triggerHook)"),
           std::string("repository:  https://hg.example.org/proj-3"),
           std::string("revision:    4c2b2a1e0f3d9a8b7c6d5e4f3a2b1c0d9e8f7a6b"),
           std::string("builder:     bulwark:worker-pool/proj-3/signing"),
           std::string("signing:build  task BldTaskAAAAAAAAAAAAAAA run 0  pool proj-3/build"),
       }) {
    EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
  }
  // Without --artifact only the signature is checked.
  EXPECT_EQ(RunCli(absl::StrCat(attestation_, " --jwks=", jwks_)).exit_code, 0);
  // A GetAttestation response and a GetAttestationKeys response are accepted as they are.
  std::string response =
      Write("response.json",
            json{{"taskId", "x"}, {"envelope", EnvelopeToJson(envelope_).dump()}}.dump());
  std::string keys =
      Write("keys.json", json{{"jwks", ring_->Jwks()}, {"currentKeyId", "verifier-1"}}.dump());
  EXPECT_EQ(RunCli(absl::StrCat(response, " --jwks=", keys, " --artifact=", artifact_)).exit_code,
            0);
}

TEST_F(VerifyAttestationTest, AnotherArtifactFails) {
  std::string other = Write("other.tar.gz", "the released bytes, edited");
  Result r = RunCli(absl::StrCat(attestation_, " --jwks=", jwks_, " --artifact=", other));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is not the digest of any subject"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(VerifyAttestationTest, EditedPayloadOrSignatureFails) {
  for (size_t i : {size_t{0}, envelope_.payload.size() / 2, envelope_.payload.size() - 1}) {
    Envelope bad = envelope_;
    bad.payload[i] ^= 0x01;
    std::string path = Write("bad-payload.json", EnvelopeToJson(bad).dump());
    Result r = RunCli(absl::StrCat(path, " --jwks=", jwks_, " --artifact=", artifact_));
    EXPECT_EQ(r.exit_code, 1) << "payload byte " << i;
    EXPECT_NE(r.err.find("does not verify"), std::string::npos) << r.err;
  }
  Envelope bad = envelope_;
  bad.signatures[0].sig[63] ^= 0x80;
  std::string path = Write("bad-sig.json", EnvelopeToJson(bad).dump());
  Result r = RunCli(absl::StrCat(path, " --jwks=", jwks_));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("does not verify"), std::string::npos) << r.err;
}

TEST_F(VerifyAttestationTest, KeysWithoutTheSignerOrBadFilesFail) {
  SeededRandom random(4);
  crypto::SigningKeyring other =
      crypto::SigningKeyring::Create(
          {{"verifier-2", crypto::Ed25519PrivateKey::Generate(random).value()}})
          .value();
  std::string other_keys = Write("other-jwks.json", other.Jwks().dump());
  Result r = RunCli(absl::StrCat(attestation_, " --jwks=", other_keys));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("verifier-1"), std::string::npos) << r.err;
  EXPECT_EQ(RunCli(absl::StrCat(Dir(), "/missing.json --jwks=", jwks_)).exit_code, 1);
  EXPECT_EQ(RunCli(absl::StrCat(jwks_, " --jwks=", jwks_)).exit_code, 1);
  EXPECT_EQ(RunCli(absl::StrCat(attestation_)).exit_code, 2);  // --jwks is required
}

}  // namespace
}  // namespace bulwark::attest
