// healthcheck: asks a gRPC server's grpc.health.v1.Health service whether it is SERVING.
//
//   healthcheck 127.0.0.1:50051 [--service=NAME] [--wait=30s]
//               [--ca=FILE [--cert=FILE --key=FILE] | --plaintext]
//
// TLS by default (the server is checked against --ca, or the system roots); --plaintext for a
// plaintext server (tests). Each flag also reads BULWARK_<NAME> from the environment.
//
// Prints the status and exits 0 when SERVING, 1 otherwise; with --wait, polls until SERVING
// or the time is up. Used by ./dev to wait for the services, and usable as a Kubernetes exec
// probe.
#include <iostream>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "libraries/client/channel.h"
#include "libraries/config/flags.h"

int main(int argc, char** argv) {
  auto flags =
      bulwark::Flags::Parse(argc, argv, {"service", "wait", "ca", "cert", "key"}, {"plaintext"});
  if (!flags.ok() || flags->positional().size() != 1) {
    std::cerr << "usage: healthcheck HOST:PORT [--service=NAME] [--wait=30s] "
                 "[--ca=FILE [--cert=FILE --key=FILE] | --plaintext]\n";
    return 2;
  }
  auto tls = bulwark::ClientTlsFromFlags(*flags, "");
  if (!tls.ok()) {
    std::cerr << tls.status().message() << "\n";
    return 2;
  }
  auto wait = flags->GetDuration("wait", absl::ZeroDuration());
  if (!wait.ok()) {
    std::cerr << wait.status().message() << "\n";
    return 2;
  }
  auto stub = grpc::health::v1::Health::NewStub(
      bulwark::CreateServiceChannel(flags->positional()[0], *tls));
  absl::Time deadline = absl::Now() + *wait;
  std::string last;
  do {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(flags->Get("service"));
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = stub->Check(&context, request, &response);
    last = status.ok()
               ? grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status())
               : "UNREACHABLE (" + status.error_message() + ")";
    if (status.ok() && response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      std::cout << last << "\n";
      return 0;
    }
    if (absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(200));
  } while (absl::Now() < deadline);
  std::cout << last << "\n";
  return 1;
}
