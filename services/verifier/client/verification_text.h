// File: services/verifier/client/verification_text.h
//
// Readable forms of a Verification (verifier.proto), for people and for Graphviz:
//   VerificationTree  the verdict, then the chain as a tree (each link under the link that led to
//                     it, by the link's name "signing:build:decision"), every check marked ✓ or
//                     ✗ with its reason, then the checks of the chain as a whole. `bulwark verify`
//                     prints it; a privileged worker uploads it (with the JSON) as
//                     public/logs/chain_of_trust.log.
//   VerificationDot   a Graphviz digraph: one node per link (name, taskId, pool; green when every
//                     check passed, red otherwise, with the failed check names), an edge to each
//                     link's decision task and to each task whose artifacts it consumes.
//
// Thread-safety: functions of their argument. Errors: none (a link whose parent is missing is
// shown at the top level).

#ifndef BULWARK_SERVICES_VERIFIER_CLIENT_VERIFICATION_TEXT_H_
#define BULWARK_SERVICES_VERIFIER_CLIENT_VERIFICATION_TEXT_H_

#include <string>

#include "bulwark/verifier/v1/verifier.pb.h"

namespace bulwark::verifier {

std::string VerificationTree(const v1::Verification& verification);
std::string VerificationDot(const v1::Verification& verification);

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_CLIENT_VERIFICATION_TEXT_H_
