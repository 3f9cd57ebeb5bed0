// File: services/verifier/service/task_normalizer.h
//
// QueueTaskNormalizer: the engine's TaskNormalizer (verifier_engine.h) built from the queue's
// own rules (libraries/taskdef): a task in JSON form -> the definition the queue would store for
// it under `task_id` (defaults filled), in the JSON form of the ChainSource contract
// (MessageToJson). So a re-rendered hook template or a task-graph entry compares with GetTask
// exactly as the queue would have stored it.
//
// Thread-safety: the normalizer is a pure function. Errors: INVALID_ARGUMENT when the JSON is not
// a task definition or breaks the queue's rules (as CreateTask would refuse it).

#ifndef BULWARK_SERVICES_VERIFIER_SERVICE_TASK_NORMALIZER_H_
#define BULWARK_SERVICES_VERIFIER_SERVICE_TASK_NORMALIZER_H_

#include "services/verifier/service/verifier_engine.h"

namespace bulwark::verifier {

TaskNormalizer QueueTaskNormalizer();

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVICE_TASK_NORMALIZER_H_
