// Fuzz target: the chain-of-trust body a worker writes and signs
// (services/worker/service/chain_of_trust.h), from inputs that a task and a claim control.
//
// The input is JSON text of an object {taskId, runId, workerGroup, workerId, task, artifacts:
// {name: sha256}, environment: {workerPool, workerVersion, hostname}}; missing or mistyped
// fields keep the defaults of a valid run, so mutations reach the body's own checks.
//
// Properties checked, beyond "no crash": refusals are INVALID_ARGUMENT; an accepted body is the
// same bytes twice, ends with one newline, parses as JSON whose fields are exactly the input's,
// re-serializes to itself (the format is canonical), and never names the two chain-of-trust
// artifacts; its signature verifies, and does not verify once a byte of the body changes.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/testing/fuzz/fuzz_check.h"
#include "nlohmann/json.hpp"
#include "services/worker/service/chain_of_trust.h"

namespace {

using bulwark::worker::ChainOfTrustInput;
using nlohmann::json;

const bulwark::crypto::Ed25519PrivateKey& Key() {
  static const auto* key = new bulwark::crypto::Ed25519PrivateKey(
      *bulwark::crypto::Ed25519PrivateKey::FromSeed(std::string(32, '\x07')));
  return *key;
}

template <typename T>
void Take(const json& in, const char* name, T* out) {
  auto it = in.find(name);
  if (it == in.end()) return;
  if constexpr (std::is_same_v<T, int>) {
    // get<int> of a float, or of an integer out of int's range, is undefined (a harness
    // finding of the first 10-minute run: UBSan on 4.4e63).
    if (!it->is_number_integer() || it->get<int64_t>() < std::numeric_limits<int>::min() ||
        it->get<int64_t>() > std::numeric_limits<int>::max()) {
      return;
    }
  }
  try {
    *out = it->get<T>();
  } catch (const json::exception&) {
  }
}

ChainOfTrustInput FromJson(const json& in) {
  ChainOfTrustInput input;
  input.task_id = "fN0aa2tLTYCM5-EHcxUEbw";
  input.run_id = 0;
  input.worker_group = "local";
  input.worker_id = "ci-1";
  input.task = {{"taskQueueId", "proj-demo/ci"}, {"payload", {{"command", {"true"}}}}};
  input.artifact_sha256 = {{"public/logs/live_backing.log", std::string(64, 'a')}};
  input.environment.worker_pool = "proj-demo/ci";
  if (!in.is_object()) return input;
  Take(in, "taskId", &input.task_id);
  Take(in, "runId", &input.run_id);
  Take(in, "workerGroup", &input.worker_group);
  Take(in, "workerId", &input.worker_id);
  if (auto it = in.find("task"); it != in.end()) input.task = *it;
  Take(in, "artifacts", &input.artifact_sha256);
  if (auto env = in.find("environment"); env != in.end() && env->is_object()) {
    Take(*env, "workerPool", &input.environment.worker_pool);
    Take(*env, "workerVersion", &input.environment.worker_version);
    Take(*env, "hostname", &input.environment.hostname);
  }
  return input;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  json in = json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (in.is_discarded()) return 0;
  const ChainOfTrustInput input = FromJson(in);
  absl::StatusOr<std::string> body = bulwark::worker::ChainOfTrustBody(input);
  if (!body.ok()) {
    FUZZ_CHECK(body.status().code() == absl::StatusCode::kInvalidArgument) << body.status();
    return 0;
  }
  absl::StatusOr<std::string> again = bulwark::worker::ChainOfTrustBody(input);
  FUZZ_CHECK(again.ok() && *again == *body) << "not deterministic";
  FUZZ_CHECK(!body->empty() && body->back() == '\n' &&
             (body->size() < 2 || (*body)[body->size() - 2] != '\n'))
      << *body;
  json parsed = json::parse(*body, nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(!parsed.is_discarded()) << *body;
  FUZZ_CHECK(parsed.dump(2, ' ', false) + "\n" == *body) << "not canonical: " << *body;
  FUZZ_CHECK(parsed["chainOfTrustVersion"] == 1);
  FUZZ_CHECK(parsed["taskId"] == input.task_id);
  FUZZ_CHECK(parsed["runId"] == input.run_id);
  FUZZ_CHECK(parsed["workerGroup"] == input.worker_group);
  FUZZ_CHECK(parsed["workerId"] == input.worker_id);
  FUZZ_CHECK(parsed["task"] == input.task) << parsed["task"].dump();
  FUZZ_CHECK(parsed["environment"]["workerPool"] == input.environment.worker_pool);
  FUZZ_CHECK(parsed["artifacts"].size() == input.artifact_sha256.size());
  for (const auto& [name, sha] : input.artifact_sha256) {
    FUZZ_CHECK(parsed["artifacts"][name] == json({{"sha256", sha}})) << name;
  }
  FUZZ_CHECK(!parsed["artifacts"].contains("public/chain-of-trust.json"));
  FUZZ_CHECK(!parsed["artifacts"].contains("public/chain-of-trust.json.sig"));

  absl::StatusOr<bulwark::worker::SignedChainOfTrust> signed_cot =
      bulwark::worker::SignChainOfTrust(input, Key());
  FUZZ_CHECK(signed_cot.ok()) << signed_cot.status();
  FUZZ_CHECK(signed_cot->body == *body);
  const bulwark::crypto::Ed25519PublicKey public_key = Key().PublicKey();
  absl::Status verified =
      bulwark::worker::VerifyChainOfTrust(public_key, signed_cot->body, signed_cot->signature);
  FUZZ_CHECK(verified.ok()) << verified;
  std::string tampered = signed_cot->body;
  tampered[size % tampered.size()] ^= 0x01;
  absl::Status refused =
      bulwark::worker::VerifyChainOfTrust(public_key, tampered, signed_cot->signature);
  FUZZ_CHECK(refused.code() == absl::StatusCode::kFailedPrecondition) << refused;
  return 0;
}
