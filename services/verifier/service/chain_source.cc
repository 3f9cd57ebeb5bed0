#include "services/verifier/service/chain_source.h"

namespace bulwark::verifier {

const char* RunStateName(RunState state) {
  switch (state) {
    case RunState::kPending:
      return "pending";
    case RunState::kRunning:
      return "running";
    case RunState::kCompleted:
      return "completed";
    case RunState::kFailed:
      return "failed";
    case RunState::kException:
      return "exception";
  }
  return "unknown";
}

}  // namespace bulwark::verifier
