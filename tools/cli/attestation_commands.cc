#include "tools/cli/attestation_commands.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "libraries/attest/attestation.h"
#include "libraries/attest/dsse.h"
#include "libraries/crypto/sha256_stream.h"
#include "libraries/status/status_macros.h"
#include "nlohmann/json.hpp"

namespace bulwark::cli {
namespace {

using nlohmann::json;

absl::StatusOr<std::string> ReadFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", what, " ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (buffer.str().size() > attest::kMaxEnvelopeBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, " is larger than ", attest::kMaxEnvelopeBytes, " bytes"));
  }
  return buffer.str();
}

absl::StatusOr<std::string> Sha256OfFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(
        absl::StrCat("cannot open the artifact ", path, ": ", std::strerror(errno)));
  }
  absl::StatusOr<std::string> digest = crypto::Sha256HexOfFile(fd);
  ::close(fd);
  return digest;
}

}  // namespace

absl::StatusOr<std::string> VerifyAttestationFiles(
    const std::string& attestation_path, const std::string& jwks_path,
    const std::optional<std::string>& artifact_path) {
  BULWARK_ASSIGN_OR_RETURN(std::string envelope, ReadFile(attestation_path, "the attestation"));
  // The JSON of a GetAttestation response carries the envelope as a string.
  json outer = json::parse(envelope, nullptr, /*allow_exceptions=*/false);
  if (outer.is_object() && !outer.contains("payload") && outer.contains("envelope") &&
      outer["envelope"].is_string()) {
    envelope = outer["envelope"].get<std::string>();
  }
  BULWARK_ASSIGN_OR_RETURN(std::string jwks_text, ReadFile(jwks_path, "the JWK set"));
  json jwks = json::parse(jwks_text, nullptr, /*allow_exceptions=*/false);
  if (jwks.is_discarded()) {
    return absl::InvalidArgumentError(absl::StrCat("the JWK set ", jwks_path, " is not JSON"));
  }
  absl::StatusOr<attest::VerifiedAttestation> verified = attest::VerifyAttestation(envelope, jwks);
  if (!verified.ok()) {
    return absl::Status(verified.status().code(),
                        absl::StrCat(attestation_path, ": ", verified.status().message()));
  }
  std::string out = absl::StrCat("signature:   OK, key ", verified->keyid, " (", jwks_path, ")\n");
  if (artifact_path.has_value()) {
    BULWARK_ASSIGN_OR_RETURN(std::string digest, Sha256OfFile(*artifact_path));
    absl::StatusOr<attest::ArtifactDigest> subject = attest::MatchSubject(verified->view, digest);
    if (!subject.ok()) {
      return absl::Status(subject.status().code(),
                          absl::StrCat(*artifact_path, ": ", subject.status().message()));
    }
    absl::StrAppend(&out, "artifact:    OK, ", *artifact_path, " is subject ", subject->name,
                    " (sha256 ", digest, ")\n");
  }
  absl::StrAppend(&out, attest::SummaryText(verified->view));
  return out;
}

}  // namespace bulwark::cli
