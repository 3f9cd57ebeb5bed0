#include "libraries/hawk/request.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace bulwark::hawk {
namespace {

absl::Status Invalid(absl::string_view authority) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid authority \"", absl::CEscape(authority), "\""));
}

bool ValidHostCharacters(absl::string_view host) {
  for (char c : host) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '/' || c == '@' || c == '\\' || c == '?' || c == '#') {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<HostPort> ParseAuthority(absl::string_view authority, int default_port) {
  absl::string_view host;
  absl::string_view rest;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return Invalid(authority);
    host = authority.substr(1, close - 1);
    rest = authority.substr(close + 1);
    if (host.find_first_of("[]") != absl::string_view::npos) {
      return Invalid(authority);
    }
  } else {
    const size_t colon = authority.rfind(':');
    host = authority.substr(0, colon);
    rest = colon == absl::string_view::npos ? absl::string_view() : authority.substr(colon);
    if (host.find_first_of("[]:") != absl::string_view::npos) {
      return Invalid(authority);
    }
  }
  if (host.empty() || !ValidHostCharacters(host)) return Invalid(authority);

  HostPort result;
  result.host = std::string(host);
  result.port = default_port;
  if (!rest.empty()) {
    if (rest.front() != ':') return Invalid(authority);
    absl::string_view digits = rest.substr(1);
    uint32_t port = 0;
    if (digits.empty() || digits.size() > 5 ||
        !std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit) ||
        !absl::SimpleAtoi(digits, &port) || port > 65535) {
      return Invalid(authority);
    }
    result.port = static_cast<int>(port);
  }
  return result;
}

}  // namespace bulwark::hawk
