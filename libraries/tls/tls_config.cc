#include "libraries/tls/tls_config.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "grpc/grpc_security_constants.h"

namespace bulwark::tls {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read the ", what, " file '", path, "'"));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", what, " file '", path, "' holds no PEM block"));
  }
  return text;
}

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

std::unique_ptr<BIO, BioDeleter> MemBio(absl::string_view text) {
  return std::unique_ptr<BIO, BioDeleter>(
      BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

X509Ptr ParseCertificate(absl::string_view pem) {
  auto bio = MemBio(pem);
  if (!bio) return nullptr;
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::string IpText(const ASN1_OCTET_STRING* ip) {
  const unsigned char* p = ASN1_STRING_get0_data(ip);
  int n = ASN1_STRING_length(ip);
  if (n == 4) return absl::StrCat(p[0], ".", p[1], ".", p[2], ".", p[3]);
  if (n == 16) {
    char buf[64];
    std::string out;
    for (int i = 0; i < 16; i += 2) {
      snprintf(buf, sizeof(buf), "%x", (p[i] << 8) | p[i + 1]);
      absl::StrAppend(&out, i == 0 ? "" : ":", buf);
    }
    return out;
  }
  return "";
}

}  // namespace

absl::StatusOr<TlsConfig> LoadTlsConfig(const TlsFiles& files) {
  TlsConfig config;
  config.plaintext = files.plaintext;
  if (files.plaintext) return config;
  if (!files.ca.empty()) {
    auto ca = ReadPem(files.ca, "CA certificate (--tls-ca)");
    if (!ca.ok()) return ca.status();
    if (!ParseCertificate(*ca)) {
      return absl::InvalidArgumentError(
          absl::StrCat("the CA file '", files.ca, "' holds no readable certificate"));
    }
    config.ca_pem = *ca;
  }
  if (files.cert.empty() != files.key.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert and --tls-key go together: give both (the certificate and its private key) "
        "or neither");
  }
  if (files.cert.empty()) return config;
  auto cert = ReadPem(files.cert, "certificate (--tls-cert)");
  if (!cert.ok()) return cert.status();
  auto key = ReadPem(files.key, "private key (--tls-key)");
  if (!key.ok()) return key.status();
  X509Ptr x509 = ParseCertificate(*cert);
  if (!x509) {
    return absl::InvalidArgumentError(
        absl::StrCat("the certificate file '", files.cert, "' holds no readable certificate"));
  }
  auto key_bio = MemBio(*key);
  std::unique_ptr<EVP_PKEY, KeyDeleter> pkey(
      key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!pkey) {
    return absl::InvalidArgumentError(
        absl::StrCat("the key file '", files.key, "' holds no readable (unencrypted) private key"));
  }
  if (X509_check_private_key(x509.get(), pkey.get()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the key in '", files.key, "' does not belong to the certificate in '", files.cert, "'"));
  }
  config.cert_pem = *cert;
  config.key_pem = *key;
  return config;
}

absl::Status CheckServerConfig(const TlsConfig& config) {
  if (config.plaintext || !config.cert_pem.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      "serving TLS needs a certificate: give --tls-cert and --tls-key (and --tls-ca for mutual "
      "TLS), or --plaintext to serve without TLS (tests only)");
}

std::shared_ptr<grpc::ServerCredentials> ServerCredentials(const TlsConfig& config) {
  if (config.plaintext) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options(config.ca_pem.empty()
                                                ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                                : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = config.ca_pem;
  options.pem_key_cert_pairs.push_back({config.key_pem, config.cert_pem});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(const TlsConfig& config) {
  if (config.plaintext) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = config.ca_pem;
  options.pem_private_key = config.key_pem;
  options.pem_cert_chain = config.cert_pem;
  return grpc::SslCredentials(options);
}

absl::StatusOr<std::vector<std::string>> CertificateHostNames(absl::string_view cert_pem) {
  X509Ptr x509 = ParseCertificate(cert_pem);
  if (!x509) return absl::InvalidArgumentError("not a PEM certificate");
  std::vector<std::string> names;
  auto* sans = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(x509.get(), NID_subject_alt_name, nullptr, nullptr));
  if (sans == nullptr) return names;
  for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans, i);
    if (name->type == GEN_DNS) {
      const ASN1_IA5STRING* dns = name->d.dNSName;
      names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                         ASN1_STRING_length(dns));
    } else if (name->type == GEN_IPADD) {
      std::string ip = IpText(name->d.iPAddress);
      if (!ip.empty()) names.push_back(ip);
    }
  }
  GENERAL_NAMES_free(sans);
  return names;
}

std::vector<std::string> PeerCertificateNames(const grpc::AuthContext& context) {
  std::set<std::string> names;
  for (const char* property : {GRPC_X509_CN_PROPERTY_NAME, GRPC_X509_SAN_PROPERTY_NAME}) {
    for (const grpc::string_ref& value : context.FindPropertyValues(property)) {
      names.emplace(value.data(), value.size());
    }
  }
  return {names.begin(), names.end()};
}

}  // namespace bulwark::tls
