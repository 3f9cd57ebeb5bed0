// crypto_keygen: prints new keys in the formats of libraries/crypto (see
// keygen.h). Key material goes to stdout only; errors to stderr.

#include <iostream>
#include <string>
#include <vector>

#include "libraries/crypto/keygen.h"
#include "libraries/crypto/random.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<std::string> output = bulwark::crypto::RunKeygen(args, bulwark::Random::Secure());
  if (!output.ok()) {
    std::cerr << output.status().message() << "\n";
    return 2;
  }
  std::cout << *output;
  return 0;
}
