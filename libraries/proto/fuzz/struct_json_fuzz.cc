// Fuzz target: Struct <-> JSON conversions (libraries/proto/struct_json.h), both directions.
//
// The first byte chooses the direction:
//  - even: the rest is JSON text. ValueFromJson then JsonFromValue gives the same JSON, with
//    numbers compared as doubles (Struct carries doubles); StructFromJson succeeds exactly for
//    objects.
//  - odd: the rest is a serialized google.protobuf.Value (as gRPC delivers one). JsonFromValue
//    gives JSON that serializes without throwing (strings are valid UTF-8), and converting that
//    JSON back and forth is stable.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/struct.pb.h"
#include "libraries/proto/struct_json.h"
#include "libraries/testing/fuzz/fuzz_check.h"
#include "nlohmann/json.hpp"

namespace {

// Equal as JSON values, numbers compared as the doubles they become.
bool SameAsDoubles(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>(), y = b.get<double>();
    // A number beyond double's range became an infinity, which JSON writes as null.
    if (!std::isfinite(x)) return b.is_null();
    return x == y;
  }
  if (a.is_number() && !std::isfinite(a.get<double>())) return b.is_null();
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SameAsDoubles(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !SameAsDoubles(it.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const char* begin = reinterpret_cast<const char*>(data) + 1;
  const char* end = reinterpret_cast<const char*>(data) + size;
  if ((data[0] & 1) == 0) {
    nlohmann::json json = nlohmann::json::parse(begin, end, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return 0;
    google::protobuf::Value value = bulwark::ValueFromJson(json);
    nlohmann::json back = bulwark::JsonFromValue(value);
    FUZZ_CHECK(SameAsDoubles(json, back)) << json.dump() << " came back as " << back.dump();
    absl::StatusOr<google::protobuf::Struct> s = bulwark::StructFromJson(json);
    FUZZ_CHECK(s.ok() == json.is_object()) << json.dump();
    if (s.ok()) {
      FUZZ_CHECK(SameAsDoubles(json, bulwark::JsonFromStruct(*s))) << json.dump();
    }
    return 0;
  }
  google::protobuf::Value value;
  if (!value.ParseFromArray(begin, static_cast<int>(end - begin))) return 0;
  nlohmann::json json = bulwark::JsonFromValue(value);
  std::string text;
  try {
    text = json.dump();
  } catch (const nlohmann::json::exception& e) {
    FUZZ_CHECK(false) << "JSON from a Value does not serialize: " << e.what();
  }
  nlohmann::json again = bulwark::JsonFromValue(bulwark::ValueFromJson(json));
  FUZZ_CHECK(again == json) << text << " became " << again.dump();
  return 0;
}
