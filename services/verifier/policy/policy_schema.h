// File: services/verifier/policy/policy_schema.h
//
// PolicySchemaJson: the text of policy.schema.json (the JSON Schema of the verifier's policy),
// embedded into the binary at build time so that the verifier validates a policy without reading
// any file but the policy itself.
//
// Thread-safety: returns a view of a static constant. Errors: none.

#ifndef BULWARK_SERVICES_VERIFIER_POLICY_POLICY_SCHEMA_H_
#define BULWARK_SERVICES_VERIFIER_POLICY_POLICY_SCHEMA_H_

#include "absl/strings/string_view.h"

namespace bulwark::verifier {

absl::string_view PolicySchemaJson();

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_POLICY_POLICY_SCHEMA_H_
