// verify_bench: VerifierEngine::VerifyTask over realistic chains, next to the floor measured in
// the same run (docs/benchmarks.md). In-process: the chains live in a FakeChainSource, which
// streams artifacts from memory in 1 MiB chunks (as the queue's DownloadArtifact does) without
// copying them, so what is measured is the verifier's own work: fetching, parsing, signature
// checks, re-rendering the decision task and hashing every consumed byte.
//
//   verify_bench [--builds=1,5,20] [--total-bytes=1024,10485760,209715200] [--repetitions=5]
//
// A chain of B builds (sample_chain.h): a hook fire creates the decision task, which writes the
// task graph; B build tasks each produce one artifact of total/B bytes; a signing task consumes
// all of them (payload.upstreamArtifacts) and is verified as `signing` after it completed, so the
// chain has B + 2 links and B + 2 signed chain-of-trust documents. Every verification must PASS.
//
// The floor, per chain: (B + 2) Ed25519 verifications (OpenSSL, timed over 2000 of them) plus
// the consumed bytes at OpenSSL's single-threaded SHA-256 rate (timed over 256 MiB in 1 MiB
// updates). Prints one line per measurement as JSON, then a Markdown table of medians.
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libraries/config/flags.h"
#include "libraries/crypto/random.h"
#include "libraries/crypto/sha256_stream.h"
#include "nlohmann/json.hpp"
#include "services/verifier/service/report.h"
#include "services/verifier/service/sample_chain.h"

namespace bulwark::verifier {
namespace {

using nlohmann::json;

// A chain of `builds` builds whose artifacts total `total_bytes`, streamed in 1 MiB chunks.
absl::StatusOr<std::unique_ptr<SampleChain>> MakeChain(int builds, size_t total_bytes) {
  const size_t part = std::max<size_t>(1, total_bytes / builds);
  std::vector<std::pair<std::string, std::string>> artifacts;
  for (int i = 0; i < builds; ++i) {
    std::string bytes(part, '\0');
    for (size_t j = 0; j < part; j += 4096) bytes[j] = static_cast<char>(i + j / 4096);
    artifacts.emplace_back(absl::StrCat("public/build/part-", i, ".bin"), std::move(bytes));
  }
  auto chain = SampleChain::Make(artifacts);
  if (chain.ok()) (*chain)->source.set_chunk_size(1 << 20);
  return chain;
}

// Seconds per Ed25519 verification and bytes per second of SHA-256, on this machine, now.
std::pair<double, double> Floor() {
  SeededRandom random(5);
  auto key = *crypto::Ed25519PrivateKey::Generate(random);
  const std::string message(2048, 'm');
  const std::string signature = *key.Sign(message);
  crypto::Ed25519PublicKey pub = key.PublicKey();
  constexpr int kVerifies = 2000;
  absl::Time start = absl::Now();
  for (int i = 0; i < kVerifies; ++i) {
    if (!pub.Verify(message, signature)) std::abort();
  }
  const double verify_s = absl::ToDoubleSeconds(absl::Now() - start) / kVerifies;
  const std::string chunk(1 << 20, 'x');
  constexpr int kChunks = 256;
  crypto::Sha256Stream hash;
  start = absl::Now();
  for (int i = 0; i < kChunks; ++i) hash.Update(chunk);
  std::string digest = hash.FinishHex();
  const double rate = kChunks * double(chunk.size()) / absl::ToDoubleSeconds(absl::Now() - start);
  if (digest.size() != 64) std::abort();
  return {verify_s, rate};
}

std::vector<int64_t> IntList(const std::string& text) {
  std::vector<int64_t> out;
  for (absl::string_view piece : absl::StrSplit(text, ',')) {
    int64_t v;
    if (absl::SimpleAtoi(piece, &v) && v > 0) out.push_back(v);
  }
  return out;
}

int Main(int argc, char** argv) {
  auto flags = Flags::Parse(argc, argv, {"builds", "total-bytes", "repetitions"});
  if (!flags.ok()) {
    std::cerr << flags.status() << "\n";
    return 2;
  }
  const std::vector<int64_t> builds = IntList(flags->Get("builds", "1,5,20"));
  const std::vector<int64_t> totals = IntList(flags->Get("total-bytes", "1024,10485760,209715200"));
  int64_t repetitions = 5;
  if (!absl::SimpleAtoi(flags->Get("repetitions", "5"), &repetitions) || repetitions < 1 ||
      repetitions > 50 || builds.empty() || totals.empty()) {
    std::cerr << "--builds and --total-bytes are lists of positive integers; --repetitions 1..50\n";
    return 2;
  }
  auto [verify_s, sha_rate] = Floor();
  std::cout << json{{"ed25519_verify_us", verify_s * 1e6}, {"sha256_mb_s", sha_rate / 1e6}}.dump()
            << "\n";
  std::string table =
      "| builds (links) | consumed bytes | VerifyTask median ms | floor ms | ratio |\n"
      "|---|---|---|---|---|\n";
  for (int64_t b : builds) {
    for (int64_t total : totals) {
      auto chain = MakeChain(static_cast<int>(b), static_cast<size_t>(total));
      if (!chain.ok()) {
        std::cerr << "building the chain: " << chain.status() << "\n";
        return 1;
      }
      std::vector<double> ms;
      for (int64_t r = 0; r < repetitions; ++r) {
        absl::Time start = absl::Now();
        auto report = (*chain)->Verify();
        ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
        if (!report.ok() || !report->passed) {
          std::cerr << "the bench chain did not verify: "
                    << (report.ok() ? ReportToText(*report) : report.status().ToString()) << "\n";
          return 1;
        }
        std::cout << json{{"builds", b}, {"bytes", total}, {"ms", ms.back()}}.dump() << "\n";
      }
      std::sort(ms.begin(), ms.end());
      const size_t consumed = std::max<size_t>(1, total / b) * b;
      const double floor_ms = ((b + 2) * verify_s + consumed / sha_rate) * 1e3;
      const double median = ms[ms.size() / 2];
      table += absl::StrFormat("| %d (%d) | %d | %.2f | %.2f | %.2f |\n", b, b + 2, consumed,
                               median, floor_ms, median / floor_ms);
    }
  }
  std::cout << "\n" << table;
  return 0;
}

}  // namespace
}  // namespace bulwark::verifier

int main(int argc, char** argv) { return bulwark::verifier::Main(argc, argv); }
