#include "libraries/hawk/header.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libraries/hawk/mac.h"

namespace bulwark::hawk {
namespace {

// JavaScript's \w and \s (ASCII; a header is ASCII).
bool IsWord(char c) { return absl::ascii_isalnum(c) || c == '_'; }
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

absl::Status BadRequest(absl::string_view message) {
  return absl::UnauthenticatedError(absl::StrCat("Bad Request: ", message));
}

// Where each known attribute is stored, or nullptr.
std::string* Slot(HeaderAttributes& attributes, absl::string_view name) {
  if (name == "id") return &attributes.id;
  if (name == "ts") return &attributes.ts;
  if (name == "nonce") return &attributes.nonce;
  if (name == "hash") return &attributes.hash;
  if (name == "ext") return &attributes.ext;
  if (name == "mac") return &attributes.mac;
  if (name == "app") return &attributes.app;
  if (name == "dlg") return &attributes.dlg;
  return nullptr;
}

// One match of hawk's /(\w+)="([^"\\]*)"\s*(?:,\s*|$)/ at `pos`: returns the
// end of the match and sets `name` and `value`, or returns npos. (The pattern
// never needs backtracking: \w+ must be followed by `="`, the value by `"`, and
// \s* by `,` or the end.)
size_t MatchAttribute(absl::string_view s, size_t pos, absl::string_view* name,
                      absl::string_view* value) {
  size_t i = pos;
  while (i < s.size() && IsWord(s[i])) ++i;
  if (i == pos || s.substr(i, 2) != "=\"") return absl::string_view::npos;
  *name = s.substr(pos, i - pos);
  const size_t value_start = i + 2;
  size_t j = value_start;
  while (j < s.size() && s[j] != '"' && s[j] != '\\') ++j;
  if (j == s.size() || s[j] != '"') return absl::string_view::npos;
  *value = s.substr(value_start, j - value_start);
  ++j;
  while (j < s.size() && IsSpace(s[j])) ++j;
  if (j == s.size()) return j;
  if (s[j] != ',') return absl::string_view::npos;
  ++j;
  while (j < s.size() && IsSpace(s[j])) ++j;
  return j;
}

}  // namespace

bool ValidAttributeValue(absl::string_view value) {
  if (value.empty()) return false;
  for (char c : value) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

absl::StatusOr<HeaderAttributes> ParseAuthorizationHeader(absl::string_view header) {
  if (header.size() > kMaxHeaderLength) {
    return absl::InvalidArgumentError("Bad Request: Header length too long");
  }
  // /^(\w+)(?:\s+(.*))?$/, where `.` excludes line terminators.
  size_t i = 0;
  while (i < header.size() && IsWord(header[i])) ++i;
  if (i == 0) return BadRequest("Invalid header syntax");
  const absl::string_view scheme = header.substr(0, i);
  absl::string_view attributes_string;
  if (i < header.size()) {
    if (!IsSpace(header[i])) return BadRequest("Invalid header syntax");
    while (i < header.size() && IsSpace(header[i])) ++i;
    attributes_string = header.substr(i);
    if (attributes_string.find_first_of("\r\n") != absl::string_view::npos) {
      return BadRequest("Invalid header syntax");
    }
  }
  if (!absl::EqualsIgnoreCase(scheme, "hawk")) {
    return absl::UnauthenticatedError("Unauthorized: Unauthorized");
  }
  if (attributes_string.empty()) return BadRequest("Invalid header syntax");

  // hawk replaces every match of the attribute pattern (a global, unanchored
  // replace) and requires nothing to remain; the last error seen wins.
  HeaderAttributes attributes;
  std::string error;
  bool leftover = false;
  size_t pos = 0;
  while (pos < attributes_string.size()) {
    absl::string_view name, value;
    const size_t end = MatchAttribute(attributes_string, pos, &name, &value);
    if (end == absl::string_view::npos) {
      leftover = true;
      ++pos;
      continue;
    }
    pos = end;
    std::string* slot = Slot(attributes, name);
    if (slot == nullptr) {
      error = absl::StrCat("Unknown attribute: ", name);
    } else if (!ValidAttributeValue(value)) {
      error = absl::StrCat("Bad attribute value: ", name);
    } else if (!slot->empty()) {
      error = absl::StrCat("Duplicate attribute: ", name);
    } else {
      *slot = std::string(value);
    }
  }
  if (!error.empty()) return BadRequest(error);
  if (leftover) return BadRequest("Bad header format");
  return attributes;
}

absl::StatusOr<std::string> BuildHeader(const Credentials& credentials, const Request& request,
                                        int64_t ts, absl::string_view nonce, absl::string_view ext,
                                        absl::string_view hash) {
  if (!ValidAttributeValue(credentials.client_id)) {
    return absl::InvalidArgumentError(
        "Hawk id must be non-empty printable ASCII without '\"' or '\\'");
  }
  if (!ValidAttributeValue(nonce)) {
    return absl::InvalidArgumentError(
        "Hawk nonce must be non-empty printable ASCII without '\"' or '\\'");
  }
  if ((!ext.empty() && !ValidAttributeValue(ext)) ||
      (!hash.empty() && !ValidAttributeValue(hash))) {
    return absl::InvalidArgumentError(
        "Hawk ext and hash must be printable ASCII without '\"' or '\\'");
  }
  const std::string ts_text = absl::StrCat(ts);
  MacFields fields;
  fields.ts = ts_text;
  fields.nonce = nonce;
  fields.method = request.method;
  fields.resource = request.resource;
  fields.host = request.host;
  fields.port = request.port;
  fields.hash = hash;
  fields.ext = ext;
  const std::string mac = CalculateMac(credentials.access_token, fields);

  std::string header = absl::StrCat("Hawk id=\"", credentials.client_id, "\", ts=\"", ts_text,
                                    "\", nonce=\"", nonce);
  if (!hash.empty()) absl::StrAppend(&header, "\", hash=\"", hash);
  if (!ext.empty()) absl::StrAppend(&header, "\", ext=\"", ext);
  absl::StrAppend(&header, "\", mac=\"", mac, "\"");
  if (header.size() > kMaxHeaderLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the Hawk header would be ", header.size(), " characters; servers refuse more than ",
        kMaxHeaderLength, " (use fewer authorizedScopes or certificate scopes)"));
  }
  return header;
}

}  // namespace bulwark::hawk
