#include "libraries/attest/test_provenance.h"

namespace bulwark::attest {

Provenance TestProvenance(const std::string& subject_sha256) {
  Provenance p;
  p.task_id = "SgnTaskAAAAAAAAAAAAAAA";
  p.run_id = 0;
  p.task_type = "signing";
  p.worker_pool = "proj-3/signing";
  p.task_definition = {{"taskQueueId", "proj-3/signing"},
                       {"taskGroupId", "DecTaskAAAAAAAAAAAAAAA"},
                       {"payload",
                        {{"upstreamArtifacts",
                          {{{"taskId", "BldTaskAAAAAAAAAAAAAAA"},
                            {"taskType", "build"},
                            {"paths", {"public/build/app.tar.gz"}}}}}}}};
  p.finished = absl::FromUnixSeconds(1800000000);
  p.subjects = {{"public/build/app.tar.gz", subject_sha256}};
  p.decision_task_id = "DecTaskAAAAAAAAAAAAAAA";
  p.hook_group_id = "proj-3";
  p.hook_id = "on-push";
  p.fired_by = "triggerHook";
  p.payload = {{"revision", "4c2b2a1e0f3d9a8b7c6d5e4f3a2b1c0d9e8f7a6b"}};
  p.hook_version_sha256 = std::string(64, 'c');
  p.repository = "https://hg.example.org/proj-3";
  p.revision = "4c2b2a1e0f3d9a8b7c6d5e4f3a2b1c0d9e8f7a6b";
  p.upstream = {{"BldTaskAAAAAAAAAAAAAAA", 0, "build", "signing:build", "SgnTaskAAAAAAAAAAAAAAA",
                 "public/build/app.tar.gz", subject_sha256}};
  p.chain = {{"signing", "SgnTaskAAAAAAAAAAAAAAA", "signing", "proj-3/signing", 0},
             {"signing:build", "BldTaskAAAAAAAAAAAAAAA", "build", "proj-3/build", 0},
             {"signing:decision", "DecTaskAAAAAAAAAAAAAAA", "decision", "proj-3/decision", 0}};
  p.verification_id = "VerIdAAAAAAAAAAAAAAAAA";
  p.policy_version = "2026-11-01";
  p.policy_sha256 = std::string(64, 'd');
  p.verified_on = absl::FromUnixSeconds(1800000060);
  return p;
}

}  // namespace bulwark::attest
