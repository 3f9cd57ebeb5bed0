// File: libraries/process/unique_fd.h
//
// UniqueFd: sole ownership of a POSIX file descriptor, closed when the owner goes away (the fd
// counterpart of std::unique_ptr). Used by the subprocess runner and by the worker's artifact
// resolver, which hands open descriptors to its caller.
//
//   UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
//   if (!fd.valid()) return ErrnoStatus(...);
//   read(fd.get(), ...);  // closed at end of scope
//
// Thread-safety: like any value type, one object must not be used from two threads at once;
// distinct objects are independent. Errors: none (a failing close(2) is ignored: the descriptor
// is released either way on Linux).

#ifndef BULWARK_LIBRARIES_PROCESS_UNIQUE_FD_H_
#define BULWARK_LIBRARIES_PROCESS_UNIQUE_FD_H_

#include <unistd.h>

#include <utility>

namespace bulwark::process {

class UniqueFd {
 public:
  UniqueFd() = default;
  // Takes ownership of `fd` (negative means none).
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }

  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(other.Release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

  // Gives up ownership without closing; returns the descriptor.
  int Release() { return std::exchange(fd_, -1); }

  // Closes the owned descriptor (if any) and takes `fd`.
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace bulwark::process

#endif  // BULWARK_LIBRARIES_PROCESS_UNIQUE_FD_H_
