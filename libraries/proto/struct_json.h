// File: libraries/proto/struct_json.h
//
// Conversions between nlohmann::json and google.protobuf.Struct / Value, the API's carrier for
// JSON-valued fields (templates, payloads, schemas). Numbers become doubles, as JSON numbers
// are in JavaScript; integers up to 2^53 survive exactly.
//
// Thread-safety: pure functions. Errors: StructFromJson returns INVALID_ARGUMENT when the JSON
// is not an object.

#ifndef BULWARK_LIBRARIES_PROTO_STRUCT_JSON_H_
#define BULWARK_LIBRARIES_PROTO_STRUCT_JSON_H_

#include "absl/status/statusor.h"
#include "google/protobuf/struct.pb.h"
#include "nlohmann/json.hpp"

namespace bulwark {

nlohmann::json JsonFromValue(const google::protobuf::Value& value);
nlohmann::json JsonFromStruct(const google::protobuf::Struct& s);
google::protobuf::Value ValueFromJson(const nlohmann::json& json);
absl::StatusOr<google::protobuf::Struct> StructFromJson(const nlohmann::json& json);

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_PROTO_STRUCT_JSON_H_
