#include "libraries/authn/host_binding.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libraries/hawk/request.h"

namespace bulwark {
namespace {

// Port 0 stands for "no port given" (ParseAuthority's default).
constexpr int kNoPort = -1;

}  // namespace

absl::StatusOr<HostBinding> HostBinding::Of(const std::vector<std::string>& names) {
  HostBinding binding;
  for (const std::string& raw : names) {
    absl::string_view name = absl::StripAsciiWhitespace(raw);
    if (name.empty()) {
      return absl::InvalidArgumentError("a host name in --hostnames is empty");
    }
    // A bare IPv6 address ("::1") has colons but no port.
    bool bare_ipv6 = name.front() != '[' && name.find(':') != name.rfind(':');
    auto parsed =
        hawk::ParseAuthority(bare_ipv6 ? absl::StrCat("[", name, "]") : std::string(name), kNoPort);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--hostnames: '", name, "' is not host or host:port: ", parsed.status().message()));
    }
    std::string host = absl::AsciiStrToLower(parsed->host);
    if (parsed->port == kNoPort) {
      binding.hosts_.insert(host);
    } else {
      binding.host_ports_.insert({host, parsed->port});
    }
  }
  return binding;
}

absl::StatusOr<HostBinding> HostBinding::Parse(absl::string_view list) {
  std::vector<std::string> names = absl::StrSplit(list, ',', absl::SkipWhitespace());
  return Of(names);
}

std::string HostBinding::ToString() const {
  std::vector<std::string> all(hosts_.begin(), hosts_.end());
  for (const auto& [host, port] : host_ports_) all.push_back(absl::StrCat(host, ":", port));
  return absl::StrJoin(all, ", ");
}

absl::Status HostBinding::CheckAuthority(absl::string_view authority) const {
  if (!binds()) return absl::OkStatus();
  auto parsed = hawk::ParseAuthority(authority);
  if (!parsed.ok()) return parsed.status();
  std::string host = absl::AsciiStrToLower(parsed->host);
  if (hosts_.count(host) > 0 || host_ports_.count({host, parsed->port}) > 0) {
    return absl::OkStatus();
  }
  return absl::UnauthenticatedError(absl::StrCat(
      "the request was signed for '", authority, "', which is not a name this server answers to (",
      ToString(), "); sign it for the address you call"));
}

absl::Status HostBinding::Check(const CallInfo& call) const {
  if (call.authorization.empty()) return absl::OkStatus();
  return CheckAuthority(call.authority);
}

absl::StatusOr<Caller> HostBoundAuthenticator::Authenticate(const CallInfo& call) const {
  if (absl::Status s = binding_.Check(call); !s.ok()) return s;
  return inner_.Authenticate(call);
}

}  // namespace bulwark
