// File: libraries/tls/tls_config.h
//
// TlsConfig: how a Bulwark process secures its gRPC connections, and the pieces built from it.
//   LoadTlsConfig(files)        reads and checks the PEM files (the CA that signs every Bulwark
//                               certificate, this process's own certificate chain and key)
//   ServerCredentials(config)   what the server listens with: TLS with the own certificate;
//                               when a CA is configured, clients that present a certificate
//                               must present one the CA signed (mutual TLS on internal edges),
//                               while clients without one (the CLI, grpcurl) may still connect
//   ChannelCredentials(config)  what a client dials with: TLS verifying the server against the
//                               CA (the system roots when no CA is given) and presenting the
//                               own certificate, if any, as the client certificate
//   CertificateHostNames(pem)   the DNS and IP subject alternative names of a certificate (the
//                               names a server answers to, for Hawk host binding)
//   PeerCertificateNames(ctx)   the common name and subject alternative names of the verified
//                               certificate the peer of a call presented (empty without one)
// A plaintext config (the default, and `--plaintext`) gives insecure credentials on both sides;
// it exists for tests and must be asked for explicitly (service_main.h).
//
// Thread-safety: TlsConfig is a value; the functions are pure (OpenSSL is thread-safe).
// Errors: LoadTlsConfig returns INVALID_ARGUMENT naming the file that is missing, unreadable,
// not PEM, or a key that does not belong to the certificate; CertificateHostNames returns
// INVALID_ARGUMENT for text that is not a PEM certificate.

#ifndef BULWARK_LIBRARIES_TLS_TLS_CONFIG_H_
#define BULWARK_LIBRARIES_TLS_TLS_CONFIG_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace bulwark::tls {

struct TlsConfig {
  bool plaintext = true;
  std::string ca_pem;    // trust anchors; empty: the system roots (client side), no mTLS (server)
  std::string cert_pem;  // own certificate chain (leaf first); may be empty for a pure client
  std::string key_pem;   // its private key
};

// Paths of the PEM files; all empty with plaintext = false makes a client that trusts the
// system roots.
struct TlsFiles {
  bool plaintext = false;
  std::string ca;
  std::string cert;
  std::string key;
};

absl::StatusOr<TlsConfig> LoadTlsConfig(const TlsFiles& files);

// A server needs a certificate: FAILED_PRECONDITION when the config has none (and is not
// plaintext), naming the flags to give.
absl::Status CheckServerConfig(const TlsConfig& config);

std::shared_ptr<grpc::ServerCredentials> ServerCredentials(const TlsConfig& config);
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(const TlsConfig& config);

absl::StatusOr<std::vector<std::string>> CertificateHostNames(absl::string_view cert_pem);

std::vector<std::string> PeerCertificateNames(const grpc::AuthContext& context);

}  // namespace bulwark::tls

#endif  // BULWARK_LIBRARIES_TLS_TLS_CONFIG_H_
