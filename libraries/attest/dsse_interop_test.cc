// Format compatibility of our DSSE envelopes with an independent implementation: plain node
// `crypto` (testdata/dsse_check.mjs, written from the DSSE protocol description):
// - node verifies, with our published JWK set, an attestation the verifier's code signed, and
//   rejects it when a byte of the payload or of the signature was changed;
// - we verify an envelope node signed with a key it generated, given only its public JWK;
// - node's PAE of a payload with multi-byte characters equals ours.
// Needs node on PATH; fails when it is missing. Usage: dsse_interop_test <path of dsse_check.mjs>.

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/attest/attestation.h"
#include "libraries/attest/test_provenance.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/random.h"
#include "libraries/crypto/signing_keyring.h"
#include "nlohmann/json.hpp"

namespace bulwark::attest {
namespace {

using nlohmann::json;

std::string script_path;  // from argv[1]

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

absl::StatusOr<json> RunNode(const std::string& mode, const json& request) {
  std::string in = absl::StrCat(TempDir(), "/", mode, ".request.json");
  std::string out = absl::StrCat(TempDir(), "/", mode, ".out.json");
  std::string err = absl::StrCat(TempDir(), "/", mode, ".err.txt");
  std::ofstream(in) << request.dump();
  std::string command =
      absl::StrCat("node '", script_path, "' ", mode, " < '", in, "' > '", out, "' 2> '", err, "'");
  int status = std::system(command.c_str());
  std::stringstream output, errors;
  output << std::ifstream(out).rdbuf();
  errors << std::ifstream(err).rdbuf();
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat("`", command, "` failed (status ", status,
                                            "; is node on PATH?): ", errors.str()));
  }
  json result = json::parse(output.str(), nullptr, /*allow_exceptions=*/false);
  if (result.is_discarded()) {
    return absl::InternalError(absl::StrCat("node printed no JSON: ", output.str()));
  }
  return result;
}

crypto::SigningKeyring Ring() {
  SeededRandom random(7);
  return crypto::SigningKeyring::Create(
             {{"verifier-2026-05", crypto::Ed25519PrivateKey::Generate(random).value()},
              {"verifier-2026-11", crypto::Ed25519PrivateKey::Generate(random).value()}})
      .value();
}

TEST(DsseInteropTest, NodeVerifiesOurAttestationsAndRejectsEditedOnes) {
  crypto::SigningKeyring ring = Ring();
  json statement = BuildStatement(TestProvenance(std::string(64, 'e'))).value();
  Envelope current = SignStatement(statement, ring.current()).value();
  Envelope old = SignStatement(statement, ring.keys()[0]).value();
  Envelope payload_edited = current;
  payload_edited.payload[payload_edited.payload.size() / 2] ^= 0x01;
  Envelope signature_edited = current;
  signature_edited.signatures[0].sig[10] ^= 0x01;
  Envelope type_edited = current;
  type_edited.payload_type = "application/json";
  absl::StatusOr<json> result = RunNode(
      "verify", {{"jwks", ring.Jwks()},
                 {"envelopes",
                  {EnvelopeToJson(current).dump(), EnvelopeToJson(old).dump(),
                   EnvelopeToJson(payload_edited).dump(), EnvelopeToJson(signature_edited).dump(),
                   EnvelopeToJson(type_edited).dump()}}});
  ASSERT_TRUE(result.ok()) << result.status();
  const json& r = (*result)["results"];
  ASSERT_EQ(r.size(), 5u) << *result;
  EXPECT_EQ(r[0]["ok"], true) << r[0];
  EXPECT_EQ(r[0]["keyid"], "verifier-2026-11");
  EXPECT_EQ(r[0]["payloadType"], "application/vnd.in-toto+json");
  EXPECT_EQ(r[0]["statement"], statement);
  EXPECT_EQ(r[1]["ok"], true) << r[1];
  EXPECT_EQ(r[1]["keyid"], "verifier-2026-05");
  EXPECT_EQ(r[2]["ok"], false) << r[2];
  EXPECT_EQ(r[3]["ok"], false) << r[3];
  EXPECT_EQ(r[4]["ok"], false) << r[4];
}

TEST(DsseInteropTest, WeVerifyWhatNodeSigned) {
  json statement = BuildStatement(TestProvenance(std::string(64, 'f'))).value();
  absl::StatusOr<json> signed_by_node = RunNode(
      "sign",
      {{"payloadType", kInTotoPayloadType}, {"payload", statement.dump()}, {"keyid", "node-key"}});
  ASSERT_TRUE(signed_by_node.ok()) << signed_by_node.status();
  const std::string envelope = (*signed_by_node)["envelope"];
  json jwks = {{"keys", {(*signed_by_node)["jwk"]}}};
  absl::StatusOr<VerifiedAttestation> a = VerifyAttestation(envelope, jwks);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->keyid, "node-key");
  EXPECT_EQ(a->statement, statement);
  // Node's key under another id, or our keys, do not verify it.
  EXPECT_EQ(VerifyAttestation(envelope, Ring().Jwks()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(DsseInteropTest, PaeAgrees) {
  const std::string payload = "{\"name\":\"caf\xc3\xa9 \xe2\x9c\x93\"}";
  absl::StatusOr<json> result =
      RunNode("pae", {{"payloadType", kInTotoPayloadType}, {"payload", payload}});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ((*result)["paeHex"], absl::BytesToHexString(Pae(kInTotoPayloadType, payload)));
}

}  // namespace
}  // namespace bulwark::attest

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc < 2) {
    std::cerr << "usage: dsse_interop_test <path of dsse_check.mjs>\n";
    return 2;
  }
  bulwark::attest::script_path = argv[1];
  return RUN_ALL_TESTS();
}
