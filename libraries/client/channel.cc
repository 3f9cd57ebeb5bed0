#include "libraries/client/channel.h"

#include "grpcpp/create_channel.h"
#include "libraries/client/internal_channel.h"

namespace bulwark {

std::shared_ptr<grpc::Channel> CreateServiceChannel(const std::string& target,
                                                    const tls::TlsConfig& tls,
                                                    const std::string& tls_name) {
  // Reconnects promptly once a dependency is back (internal_channel.h).
  grpc::ChannelArguments args = InternalChannelArguments();
  if (!tls.plaintext && !tls_name.empty()) args.SetSslTargetNameOverride(tls_name);
  return grpc::CreateCustomChannel(target, tls::ChannelCredentials(tls), args);
}

absl::StatusOr<tls::TlsConfig> ClientTlsFromFlags(const Flags& flags, const std::string& prefix) {
  absl::StatusOr<bool> plaintext = flags.GetBool("plaintext");
  if (!plaintext.ok()) return plaintext.status();
  tls::TlsFiles files;
  files.plaintext = *plaintext;
  files.ca = flags.Get(prefix + "ca");
  files.cert = flags.Get(prefix + "cert");
  files.key = flags.Get(prefix + "key");
  return tls::LoadTlsConfig(files);
}

std::function<std::shared_ptr<grpc::Channel>(const std::string& address)> AuthReplicaDialer(
    const tls::TlsConfig& tls) {
  return [tls](const std::string& address) {
    return CreateServiceChannel(address, tls, /*tls_name=*/"auth");
  };
}

}  // namespace bulwark
