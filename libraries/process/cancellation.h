// File: libraries/process/cancellation.h
//
// Cancellation: a one-way, pollable "stop now" flag shared between a controller (the worker's
// shutdown path, possibly a signal handler) and any number of running subprocesses (subprocess.h
// polls fd() next to the command's output). Once cancelled it stays cancelled.
//
//   BULWARK_ASSIGN_OR_RETURN(std::unique_ptr<Cancellation> stop, Cancellation::Create());
//   // thread A:  Run(options, on_line, stop.get());
//   // thread B:  stop->Cancel();   // A's command gets SIGTERM, then SIGKILL after the grace
//
// Thread-safety: Cancel and IsCancelled may be called from any thread, and Cancel also from a
// signal handler (it only stores an atomic and writes to an eventfd). The object must outlive
// every Run that uses it. Errors: Create returns RESOURCE_EXHAUSTED when no eventfd can be made
// (descriptor limit).

#ifndef BULWARK_LIBRARIES_PROCESS_CANCELLATION_H_
#define BULWARK_LIBRARIES_PROCESS_CANCELLATION_H_

#include <atomic>
#include <memory>

#include "absl/status/statusor.h"
#include "libraries/process/unique_fd.h"

namespace bulwark::process {

class Cancellation {
 public:
  static absl::StatusOr<std::unique_ptr<Cancellation>> Create();

  // Idempotent.
  void Cancel();
  bool IsCancelled() const { return cancelled_.load(std::memory_order_acquire); }

  // Readable (POLLIN) once Cancel was called, forever after. Never read from it.
  int fd() const { return fd_.get(); }

 private:
  explicit Cancellation(UniqueFd fd) : fd_(std::move(fd)) {}

  UniqueFd fd_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace bulwark::process

#endif  // BULWARK_LIBRARIES_PROCESS_CANCELLATION_H_
