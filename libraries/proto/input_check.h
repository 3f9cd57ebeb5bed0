// File: libraries/proto/input_check.h
//
// CheckInput: the one validator every service applies to what it receives, before any copy and
// before any write (libraries/grpc_server/input_guard.h runs it on every request message). It
// walks a protobuf message in place, through reflection, and refuses:
//   - a string (any `string` field, map key, Struct key or Value string) that is not valid UTF-8
//     or that contains a NUL byte (PostgreSQL text cannot hold NUL; other stores mis-handle it);
//   - CR or LF in header-like fields (names in kHeaderLikeFields and every `*_id` field), which
//     end up in HTTP headers, log lines or resource paths;
//   - a NaN or infinite double or float (JSON has neither: they would be stored as something
//     else);
//   - JSON values (google.protobuf.Struct / Value / ListValue) nested deeper than
//     InputLimits::max_json_depth or with more than max_json_elements members and items in one
//     message; any message nested deeper than max_message_depth.
// `bytes` fields are opaque and not checked.
//
// CheckText is the string rule alone, for values that arrive outside a message (a continuation
// token after decoding, a header).
//
// Thread-safety: pure functions. Errors: INVALID_ARGUMENT naming the field path
// (`payload.env["A"]`) and the rule; RESOURCE_EXHAUSTED when a size cap is exceeded.

#ifndef BULWARK_LIBRARIES_PROTO_INPUT_CHECK_H_
#define BULWARK_LIBRARIES_PROTO_INPUT_CHECK_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace bulwark {

struct InputLimits {
  // google.protobuf.Struct / ListValue levels (a JSON document's depth).
  int max_json_depth = 32;
  // Struct fields plus ListValue items, summed over the whole message.
  int64_t max_json_elements = 100000;
  // Any message nesting (protobuf's own parser stops at 100).
  int max_message_depth = 96;
};

// OK if `text` is valid UTF-8 without NUL bytes; otherwise INVALID_ARGUMENT naming `what`.
absl::Status CheckText(absl::string_view text, absl::string_view what);

// True if `text` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool IsValidUtf8(absl::string_view text);

absl::Status CheckInput(const google::protobuf::Message& message,
                        const InputLimits& limits = InputLimits());

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_PROTO_INPUT_CHECK_H_
