// File: tools/cli/attestation_commands.h
//
// `bulwark verify-attestation FILE --jwks KEYS [--artifact PATH]`, offline: reads the DSSE
// envelope in FILE (or the JSON of a GetAttestation response, whose "envelope" it takes), checks
// its signature against the JWK set in KEYS (a {"keys": [...]} set, or the JSON of a
// GetAttestationKeys / GetJwks response), checks that the payload is an in-toto Statement v1 with
// a SLSA Provenance v1 predicate, and, with --artifact, that the file's SHA-256 is the digest of
// one of its subjects. Returns a readable summary: the signing key, the matched subject, then the
// provenance (hook, repository, revision, builder, subjects, chain, consumed artifacts).
// Nothing here opens a connection.
//
// Thread-safety: a pure function of the files. Errors: NOT_FOUND / FAILED_PRECONDITION for a file
// that cannot be read; INVALID_ARGUMENT for a file that is not what it should be (named);
// NOT_FOUND when the envelope's key is not in the set; DATA_LOSS when its signature does not
// verify; FAILED_PRECONDITION when the artifact's digest matches no subject.

#ifndef BULWARK_TOOLS_CLI_ATTESTATION_COMMANDS_H_
#define BULWARK_TOOLS_CLI_ATTESTATION_COMMANDS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace bulwark::cli {

absl::StatusOr<std::string> VerifyAttestationFiles(const std::string& attestation_path,
                                                   const std::string& jwks_path,
                                                   const std::optional<std::string>& artifact_path);

}  // namespace bulwark::cli

#endif  // BULWARK_TOOLS_CLI_ATTESTATION_COMMANDS_H_
