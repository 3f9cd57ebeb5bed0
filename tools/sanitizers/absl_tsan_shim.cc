// absl_tsan_shim: an LD_PRELOAD library that tells ThreadSanitizer about the synchronization of
// Debian's Abseil (libabsl_synchronization.so, LTS 20220623, namespace absl::debian3), which is
// not built with -fsanitize=thread. See docs/development.md, "Sanitizers".
//
// What it provides: definitions of the exported absl::Mutex, absl::CondVar, absl::Condition and
// absl::Notification member functions that Bulwark, gRPC and Abseil itself call through the PLT.
// Preloaded, they take the place of the library's: each one forwards to the real function
// (dlsym(RTLD_NEXT, <mangled name>)) and wraps it in TSan's mutex annotations
// (<sanitizer/tsan_interface.h>), the same annotations an instrumented Abseil makes itself:
//   - Lock/ReaderLock/TryLock/ReaderTryLock: pre_lock ... post_lock (read / try flags);
//     Unlock/ReaderUnlock: pre_unlock ... post_unlock.
//   - LockWhen*, ReaderLockWhen*: a lock; Await* and CondVar::Wait*: an unlock of the mutex
//     before the real call and a lock after it (the library releases and reacquires inside;
//     the mode, exclusive or shared, is read from the mutex word's writer bit as Abseil does).
//   - Condition::Eval, which the library calls through the PLT whenever it evaluates a
//     condition (in the waiter, or in another thread that unlocks the mutex): the evaluation
//     is shown to TSan as made with the mutex held, as Abseil's own EvalConditionAnnotated
//     does, and after an acquire of the Condition's address, which every LockWhen*/Await*
//     releases before the real call: the waiter's writes (the Condition and what it points to,
//     on the waiter's stack) happen before any evaluation, as the library's internal lock word
//     orders them.
//   - Notification::Notify releases, and WaitForNotification* (when notified) acquire, the
//     address of the notified flag, so that the inline HasBeenNotified() (an acquire load in
//     instrumented code) and the library's lock-free fast path both see the notifier's writes.
//   - ~Mutex: __tsan_mutex_destroy.
// Nested calls (LockWhenWithTimeout jumps to LockWhenWithDeadline through the PLT, likewise
// AwaitWithTimeout and CondVar::WaitWithTimeout) are annotated once: a wrapper called while the
// same thread is inside a wrapper for the same mutex only forwards.
//
// The __tsan_* functions are weak: in a process without libtsan (bash, psql, pg_ctl started by a
// test under LD_PRELOAD) they are null and every wrapper only forwards.
//
// Thread-safety: every wrapper may be called from any thread; per-thread state is thread_local,
// the resolved function pointers are atomics.
// Errors: if the real function cannot be found (a process that calls Abseil without having
// loaded libabsl_synchronization, which cannot happen through the PLT), the process aborts with
// a message naming the symbol.
//
// This file is compiled by ./dev test --tsan with the host g++, without -fsanitize (its own
// memory accesses must not be instrumented), into .bulwark/tsan/absl_tsan_shim.so.

#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

#pragma weak __tsan_acquire
#pragma weak __tsan_release
#pragma weak __tsan_mutex_destroy
#pragma weak __tsan_mutex_pre_lock
#pragma weak __tsan_mutex_post_lock
#pragma weak __tsan_mutex_pre_unlock
#pragma weak __tsan_mutex_post_unlock

namespace {

// True when the process has the TSan runtime.
bool Tsan() { return &__tsan_mutex_pre_lock != nullptr; }

// Looks up the real definition of `symbol` (the next one after this library) once.
void* Real(std::atomic<void*>& cache, const char* symbol) {
  void* fn = cache.load(std::memory_order_acquire);
  if (fn != nullptr) return fn;
  fn = dlsym(RTLD_NEXT, symbol);
  if (fn == nullptr) {
    std::fprintf(stderr, "absl_tsan_shim: no definition of %s after the shim: %s\n", symbol,
                 dlerror());
    std::abort();
  }
  cache.store(fn, std::memory_order_release);
  return fn;
}

#define REAL(type, symbol)                              \
  ([]() {                                               \
    static std::atomic<void*> cache{nullptr};           \
    return reinterpret_cast<type>(Real(cache, symbol)); \
  }())

// What this thread's innermost wrapper told TSan about its mutex: kLocking after pre_lock
// (not yet post_lock), kUnlocking after pre_unlock (not yet post_unlock).
enum class State { kLocking, kUnlocking };
struct Frame {
  const void* mu;
  State state;
  unsigned flags;  // __tsan_mutex_read_lock or 0
};
constexpr int kMaxDepth = 16;
thread_local Frame frames[kMaxDepth];
thread_local int depth = 0;
thread_local int in_eval = 0;

// True when this thread is already inside a wrapper for `mu` (a nested call to forward as is).
bool Nested(const void* mu) { return depth > 0 && frames[depth - 1].mu == mu; }

// Records a wrapper for the duration of a scope; a nested one records nothing.
class Scope {
 public:
  Scope(const void* mu, State state, unsigned flags) : pushed_(depth < kMaxDepth) {
    if (pushed_) frames[depth++] = Frame{mu, state, flags};
  }
  ~Scope() {
    if (pushed_) --depth;
  }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  bool pushed_;
};

void* Addr(const void* p) { return const_cast<void*>(p); }

// Abseil's kMuWriter: set in the mutex word while a writer holds it (mutex.cc; checked against
// the disassembly of Mutex::TryLock and Mutex::AwaitCommon in libabsl_synchronization.so).
constexpr intptr_t kMuWriter = 0x0008;

// An exclusive lock (pre_lock ... post_lock) around `call`.
template <typename Call>
auto Locking(const void* mu, unsigned flags, const void* cond, Call call) {
  if (!Tsan() || Nested(mu)) return call();
  if (cond != nullptr) __tsan_release(Addr(cond));
  __tsan_mutex_pre_lock(Addr(mu), flags);
  Scope scope(mu, State::kLocking, flags);
  auto result = call();
  __tsan_mutex_post_lock(Addr(mu), flags, 0);
  return result;
}

// A held mutex released and reacquired around `call` (Await*, CondVar::Wait*); `word` is the
// mutex's own word (Mutex::mu_), whose writer bit says whether it is held exclusive or shared.
template <typename Call>
auto Waiting(const void* mu, const std::atomic<intptr_t>& word, const void* cond, Call call) {
  if (!Tsan() || Nested(mu)) return call();
  const bool writer = (word.load(std::memory_order_relaxed) & kMuWriter) != 0;
  const unsigned flags = writer ? 0 : __tsan_mutex_read_lock;
  if (cond != nullptr) __tsan_release(Addr(cond));
  __tsan_mutex_pre_unlock(Addr(mu), flags);
  Scope scope(mu, State::kUnlocking, flags);
  auto result = call();
  __tsan_mutex_post_unlock(Addr(mu), flags);
  __tsan_mutex_pre_lock(Addr(mu), flags);
  __tsan_mutex_post_lock(Addr(mu), flags, 0);
  return result;
}

// Adapts a void call for the templates above.
template <typename Call>
auto Void(Call call) {
  return [call]() {
    call();
    return 0;
  };
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  Locking(this, 0, nullptr, Void([this] {
            REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex4LockEv")
            (this);
          }));
}

void Mutex::ReaderLock() {
  Locking(this, __tsan_mutex_read_lock, nullptr, Void([this] {
            REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex10ReaderLockEv")
            (this);
          }));
}

namespace {
template <typename Call>
bool Trying(const void* mu, unsigned flags, Call call) {
  if (!Tsan() || Nested(mu)) return call();
  flags |= __tsan_mutex_try_lock;
  __tsan_mutex_pre_lock(Addr(mu), flags);
  Scope scope(mu, State::kLocking, flags);
  bool locked = call();
  __tsan_mutex_post_lock(Addr(mu), locked ? flags : flags | __tsan_mutex_try_lock_failed, 0);
  return locked;
}

template <typename Call>
void Unlocking(const void* mu, unsigned flags, Call call) {
  if (!Tsan() || Nested(mu)) return call();
  __tsan_mutex_pre_unlock(Addr(mu), flags);
  Scope scope(mu, State::kUnlocking, flags);
  call();
  __tsan_mutex_post_unlock(Addr(mu), flags);
}
}  // namespace

bool Mutex::TryLock() {
  return Trying(
      this, 0, [this] { return REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex7TryLockEv")(this); });
}

bool Mutex::ReaderTryLock() {
  return Trying(this, __tsan_mutex_read_lock, [this] {
    return REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex13ReaderTryLockEv")(this);
  });
}

void Mutex::Unlock() {
  Unlocking(this, 0, [this] { REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex6UnlockEv")(this); });
}

void Mutex::ReaderUnlock() {
  Unlocking(this, __tsan_mutex_read_lock, [this] {
    REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex12ReaderUnlockEv")(this);
  });
}

void Mutex::LockWhen(const Condition& cond) {
  Locking(this, 0, &cond, Void([this, &cond] {
            REAL(void (*)(Mutex*, const Condition&),
                 "_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE")
            (this, cond);
          }));
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  Locking(this, __tsan_mutex_read_lock, &cond, Void([this, &cond] {
            REAL(void (*)(Mutex*, const Condition&),
                 "_ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE")
            (this, cond);
          }));
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  return Locking(this, 0, &cond, [&] {
    return REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
                "_ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE")(
        this, cond, timeout);
  });
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  return Locking(this, 0, &cond, [&] {
    return REAL(bool (*)(Mutex*, const Condition&, absl::Time),
                "_ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE")(
        this, cond, deadline);
  });
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  return Locking(this, __tsan_mutex_read_lock, &cond, [&] {
    return REAL(
        bool (*)(Mutex*, const Condition&, absl::Duration),
        "_ZN4absl7debian35Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE")(
        this, cond, timeout);
  });
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  return Locking(this, __tsan_mutex_read_lock, &cond, [&] {
    return REAL(bool (*)(Mutex*, const Condition&, absl::Time),
                "_ZN4absl7debian35Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE")(
        this, cond, deadline);
  });
}

void Mutex::Await(const Condition& cond) {
  Waiting(this, mu_, &cond, Void([this, &cond] {
            REAL(void (*)(Mutex*, const Condition&),
                 "_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE")
            (this, cond);
          }));
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  return Waiting(this, mu_, &cond, [&] {
    return REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
                "_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE")(
        this, cond, timeout);
  });
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  return Waiting(this, mu_, &cond, [&] {
    return REAL(bool (*)(Mutex*, const Condition&, absl::Time),
                "_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE")(this, cond,
                                                                                         deadline);
  });
}

Mutex::~Mutex() {
  if (Tsan()) __tsan_mutex_destroy(this, __tsan_mutex_not_static);
  REAL(void (*)(Mutex*), "_ZN4absl7debian35MutexD2Ev")(this);
}

void CondVar::Wait(Mutex* mu) {
  Waiting(mu, mu->mu_, nullptr, Void([this, mu] {
            REAL(void (*)(CondVar*, Mutex*), "_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE")
            (this, mu);
          }));
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  return Waiting(mu, mu->mu_, nullptr, [&] {
    return REAL(bool (*)(CondVar*, Mutex*, absl::Duration),
                "_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE")(this, mu,
                                                                                        timeout);
  });
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  return Waiting(mu, mu->mu_, nullptr, [&] {
    return REAL(bool (*)(CondVar*, Mutex*, absl::Time),
                "_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE")(this, mu,
                                                                                     deadline);
  });
}

// Called by the library whenever it evaluates a condition, always with the mutex held (by this
// thread, or handed to it): shown to TSan as an evaluation under the innermost wrapper's mutex.
bool Condition::Eval() const {
  auto real = REAL(bool (*)(const Condition*), "_ZNK4absl7debian39Condition4EvalEv");
  if (!Tsan() || depth == 0 || in_eval > 0) return real(this);
  const Frame& f = frames[depth - 1];
  void* mu = Addr(f.mu);
  ++in_eval;
  bool result;
  if (f.state == State::kLocking) {
    // As if the lock had been taken, then released and the locking restarted (the wrapper's
    // post_lock follows); post_lock, pre_unlock would look like a recursive lock.
    __tsan_mutex_post_lock(mu, f.flags, 0);
    __tsan_acquire(Addr(this));
    result = real(this);
    __tsan_mutex_pre_unlock(mu, f.flags & __tsan_mutex_read_lock);
    __tsan_mutex_post_unlock(mu, f.flags & __tsan_mutex_read_lock);
    __tsan_mutex_pre_lock(mu, f.flags);
  } else {
    // As if the mutex had been released, locked again for the evaluation, and the unlocking
    // restarted (the wrapper's post_unlock follows).
    __tsan_mutex_post_unlock(mu, f.flags);
    __tsan_mutex_pre_lock(mu, f.flags);
    __tsan_mutex_post_lock(mu, f.flags, 0);
    __tsan_acquire(Addr(this));
    result = real(this);
    __tsan_mutex_pre_unlock(mu, f.flags);
  }
  --in_eval;
  return result;
}

void Notification::Notify() {
  if (Tsan()) __tsan_release(Addr(&notified_yet_));
  REAL(void (*)(Notification*), "_ZN4absl7debian312Notification6NotifyEv")(this);
}

void Notification::WaitForNotification() const {
  REAL(void (*)(const Notification*), "_ZNK4absl7debian312Notification19WaitForNotificationEv")
  (this);
  if (Tsan()) __tsan_acquire(Addr(&notified_yet_));
}

bool Notification::WaitForNotificationWithTimeout(absl::Duration timeout) const {
  bool notified =
      REAL(bool (*)(const Notification*, absl::Duration),
           "_ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE")(
          this, timeout);
  if (notified && Tsan()) __tsan_acquire(Addr(&notified_yet_));
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(absl::Time deadline) const {
  bool notified =
      REAL(bool (*)(const Notification*, absl::Time),
           "_ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_4TimeE")(this,
                                                                                          deadline);
  if (notified && Tsan()) __tsan_acquire(Addr(&notified_yet_));
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl
