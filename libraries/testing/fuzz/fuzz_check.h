// File: libraries/testing/fuzz/fuzz_check.h
//
// FUZZ_CHECK(condition) << "context": the assertion of fuzz targets. When the condition is
// false it prints the file, line, condition and the streamed context to stderr and aborts, which
// libFuzzer reports as a crash (saving the input) and the corpus replay test as a failure. It is
// active in every build mode (unlike assert), and evaluates its streamed operands only on failure.
//
// Thread-safety: usable from any thread. Errors: none (it aborts).
#ifndef BULWARK_LIBRARIES_TESTING_FUZZ_FUZZ_CHECK_H_
#define BULWARK_LIBRARIES_TESTING_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

namespace bulwark::fuzz {

class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition) {
    stream_ << file << ":" << line << ": FUZZ_CHECK failed: " << condition << " ";
  }
  CheckFailure(const CheckFailure&) = delete;
  CheckFailure& operator=(const CheckFailure&) = delete;
  [[noreturn]] ~CheckFailure() {
    std::string message = stream_.str();
    std::fprintf(stderr, "%s\n", message.c_str());
    std::fflush(stderr);
    std::abort();
  }
  std::ostream& stream() { return stream_; }

 private:
  std::ostringstream stream_;
};

}  // namespace bulwark::fuzz

namespace bulwark::fuzz::internal {
// Turns the stream expression into void, so that both arms of FUZZ_CHECK's ?: are void.
struct Voidify {
  void operator&(std::ostream&) {}
};
}  // namespace bulwark::fuzz::internal

// An expression (a ?: of two voids), not a statement: `if (x) FUZZ_CHECK(y) << z; else ...`
// binds as written, and a false condition runs the failure, whose destructor aborts. (A `while`
// loop here did the same, but reads as an infinite loop to bugprone-infinite-loop.)
#define FUZZ_CHECK(condition)                          \
  (condition) ? static_cast<void>(0)                   \
              : ::bulwark::fuzz::internal::Voidify() & \
                    ::bulwark::fuzz::CheckFailure(__FILE__, __LINE__, #condition).stream()

#endif  // BULWARK_LIBRARIES_TESTING_FUZZ_FUZZ_CHECK_H_
