// File: libraries/proto/message_json.h
//
// MessageToJson: a protobuf message as nlohmann::json in the proto3 JSON mapping (camelCase
// field names, Timestamps as RFC 3339 strings, int64 as strings, default-valued fields left out).
// It is the one JSON form of a task definition that crosses services: the worker signs the
// claimed TaskDefinition in this form in its chain-of-trust artifact, and the verifier compares
// it with the queue's GetTask in the same form, so both must use this function.
//
// Thread-safety: a pure function. Errors: INTERNAL if the message cannot be printed (it always
// can for well-formed messages).

#ifndef BULWARK_LIBRARIES_PROTO_MESSAGE_JSON_H_
#define BULWARK_LIBRARIES_PROTO_MESSAGE_JSON_H_

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "nlohmann/json.hpp"

namespace bulwark {

absl::StatusOr<nlohmann::json> MessageToJson(const google::protobuf::Message& message);

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_PROTO_MESSAGE_JSON_H_
