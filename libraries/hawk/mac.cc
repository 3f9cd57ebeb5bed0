#include "libraries/hawk/mac.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libraries/hawk/digest.h"

namespace bulwark::hawk {

std::string NormalizedString(const MacFields& fields) {
  std::string out;
  out.reserve(64 + fields.ts.size() + fields.nonce.size() + fields.resource.size() +
              fields.host.size() + fields.hash.size() + fields.ext.size());
  absl::StrAppend(&out, "hawk.1.header\n", fields.ts, "\n", fields.nonce, "\n",
                  absl::AsciiStrToUpper(fields.method), "\n", fields.resource, "\n",
                  absl::AsciiStrToLower(fields.host), "\n", fields.port, "\n", fields.hash, "\n");
  for (char c : fields.ext) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\n');
  if (!fields.app.empty()) {
    absl::StrAppend(&out, fields.app, "\n", fields.dlg, "\n");
  }
  return out;
}

std::string CalculateMac(absl::string_view key, const MacFields& fields) {
  return Base64(HmacSha256(key, NormalizedString(fields)));
}

std::string PayloadHash(absl::string_view payload, absl::string_view content_type) {
  absl::string_view type = content_type.substr(0, content_type.find(';'));
  return Base64(Sha256(absl::StrCat("hawk.1.payload\n",
                                    absl::AsciiStrToLower(absl::StripAsciiWhitespace(type)), "\n",
                                    payload, "\n")));
}

}  // namespace bulwark::hawk
