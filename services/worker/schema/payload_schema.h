// File: services/worker/schema/payload_schema.h
//
// PayloadSchemaJson: the text of services/worker/schema/payload.schema.json, the published JSON
// Schema (draft-07) of a worker task's payload, embedded into the binary at build time (by a
// genrule in this package) so that the worker validates exactly what is published.
// services/worker/service/payload.h compiles and applies it.
//
// Thread-safety: returns a view of static storage. Errors: none.

#ifndef BULWARK_SERVICES_WORKER_SCHEMA_PAYLOAD_SCHEMA_H_
#define BULWARK_SERVICES_WORKER_SCHEMA_PAYLOAD_SCHEMA_H_

#include "absl/strings/string_view.h"

namespace bulwark::worker {

absl::string_view PayloadSchemaJson();

}  // namespace bulwark::worker

#endif  // BULWARK_SERVICES_WORKER_SCHEMA_PAYLOAD_SCHEMA_H_
