// Fuzz target: the Hawk Authorization header parser (libraries/hawk/header.h).
//
// Properties checked, beyond "no crash":
//  - only headers over kMaxHeaderLength give INVALID_ARGUMENT; every other refusal is
//    UNAUTHENTICATED with a "Bad Request: " or "Unauthorized: " message;
//  - an accepted header's attribute values are each empty (absent) or a valid attribute value;
//  - round trip: the attributes written back as a canonical header parse to the same attributes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "libraries/hawk/header.h"
#include "libraries/testing/fuzz/fuzz_check.h"

namespace {

using bulwark::hawk::HeaderAttributes;

std::string Canonical(const HeaderAttributes& a) {
  std::string out = "Hawk ";
  bool first = true;
  auto add = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    absl::StrAppend(&out, first ? "" : ", ", name, "=\"", value, "\"");
    first = false;
  };
  add("id", a.id);
  add("ts", a.ts);
  add("nonce", a.nonce);
  add("hash", a.hash);
  add("ext", a.ext);
  add("mac", a.mac);
  add("app", a.app);
  add("dlg", a.dlg);
  return out;
}

bool Same(const HeaderAttributes& a, const HeaderAttributes& b) {
  return a.id == b.id && a.ts == b.ts && a.nonce == b.nonce && a.hash == b.hash && a.ext == b.ext &&
         a.mac == b.mac && a.app == b.app && a.dlg == b.dlg;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view header(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<HeaderAttributes> parsed = bulwark::hawk::ParseAuthorizationHeader(header);
  if (!parsed.ok()) {
    const absl::Status& s = parsed.status();
    if (size > bulwark::hawk::kMaxHeaderLength) {
      FUZZ_CHECK(s.code() == absl::StatusCode::kInvalidArgument) << s;
    } else {
      FUZZ_CHECK(s.code() == absl::StatusCode::kUnauthenticated) << s;
      FUZZ_CHECK(absl::StartsWith(s.message(), "Bad Request: ") ||
                 absl::StartsWith(s.message(), "Unauthorized: "))
          << s;
    }
    return 0;
  }
  FUZZ_CHECK(size <= bulwark::hawk::kMaxHeaderLength) << size;
  const HeaderAttributes& a = *parsed;
  for (const std::string* value :
       {&a.id, &a.ts, &a.nonce, &a.hash, &a.ext, &a.mac, &a.app, &a.dlg}) {
    FUZZ_CHECK(value->empty() || bulwark::hawk::ValidAttributeValue(*value)) << *value;
  }
  // A header with no attribute at all is refused ("Invalid header syntax").
  const std::string canonical = Canonical(a);
  FUZZ_CHECK(canonical != "Hawk ") << header;
  if (canonical.size() <= bulwark::hawk::kMaxHeaderLength) {
    absl::StatusOr<HeaderAttributes> again = bulwark::hawk::ParseAuthorizationHeader(canonical);
    FUZZ_CHECK(again.ok()) << again.status() << " for " << canonical;
    FUZZ_CHECK(Same(a, *again)) << canonical;
  }
  return 0;
}
