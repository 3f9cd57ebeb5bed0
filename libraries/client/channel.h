// File: libraries/client/channel.h
//
// How Bulwark processes dial each other and how the tools dial Bulwark:
//   CreateServiceChannel(target, tls)   a channel to `target` ("auth:50051"), over TLS verified
//                                       against the configured CA and presenting the process's
//                                       own certificate (mutual TLS on internal edges), or in
//                                       plaintext when the config says so (tests); an
//                                       optional third argument names the certificate to expect
//   ClientTlsFromFlags(flags, prefix)   the client side of a TlsConfig from a tool's flags:
//                                       --<prefix>ca=FILE (the CA; default: the system roots),
//                                       optional --<prefix>cert/--<prefix>key, and --plaintext
// The services themselves read --tls-ca/--tls-cert/--tls-key/--plaintext in
// libraries/service/service_main.h, which hands the TlsConfig to their runtimes.
//
// Thread-safety: pure functions; channels are thread-safe.
// Errors: ClientTlsFromFlags returns INVALID_ARGUMENT naming an unreadable or malformed file.

#ifndef BULWARK_LIBRARIES_CLIENT_CHANNEL_H_
#define BULWARK_LIBRARIES_CLIENT_CHANNEL_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "libraries/config/flags.h"
#include "libraries/tls/tls_config.h"

namespace bulwark {

// `tls_name`, when given, is the name the server's certificate must carry instead of the
// target's host (auth replicas dial each other by pod IP and check for "auth").
std::shared_ptr<grpc::Channel> CreateServiceChannel(const std::string& target,
                                                    const tls::TlsConfig& tls,
                                                    const std::string& tls_name = "");

// How anything dials an auth replica by its own address (a pod's IP, as the replicas advertise
// it): CreateServiceChannel(address, tls, "auth"). Auth replicas use it for each other, the
// other services for the owner of a nonce partition (libraries/authn/auth_replica_router.h).
std::function<std::shared_ptr<grpc::Channel>(const std::string& address)> AuthReplicaDialer(
    const tls::TlsConfig& tls);

// `prefix` is "" for the CLI (--ca, --cert, --key) and "tls-" for daemons (--tls-ca, ...).
absl::StatusOr<tls::TlsConfig> ClientTlsFromFlags(const Flags& flags, const std::string& prefix);

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_CLIENT_CHANNEL_H_
