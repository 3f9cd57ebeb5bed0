#include "services/auth/service/partitioned_nonce_cache.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libraries/logging/log.h"

namespace bulwark::auth {
namespace {

absl::Time Issued(absl::string_view ts) {
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(ts, &seconds)) return absl::InfinitePast();
  return absl::FromUnixSeconds(seconds);
}

absl::Status NoOwner(int partition) {
  return absl::UnavailableError(absl::StrCat(
      "replay protection unavailable: no auth replica owns the nonce's partition (", partition,
      ") right now (replicas are starting or moving partitions); the request was "
      "not accepted, retry it in a few seconds"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<PartitionedNonceCache>> PartitionedNonceCache::Create(
    Options options, ReplayPartitionStore& store, ReplayForwarder& forwarder, const Clock& clock) {
  if (options.replica.empty()) {
    return absl::InvalidArgumentError("partitioned replay protection: the replica needs an id");
  }
  if (options.lease <= absl::ZeroDuration() || options.maintain_interval <= absl::ZeroDuration() ||
      options.write_behind_timeout <= absl::ZeroDuration() ||
      options.margin <= options.write_behind_timeout ||
      2 * options.maintain_interval > options.lease - options.margin) {
    return absl::InvalidArgumentError(
        "partitioned replay protection: need 0 < write_behind_timeout < margin and "
        "2 x maintain_interval <= lease - margin (a lease is renewed at least twice before this "
        "replica stops accepting it)");
  }
  hawk::InMemoryNonceCache::Options memory_options;
  memory_options.max_entries = options.max_entries;
  absl::StatusOr<std::unique_ptr<hawk::InMemoryNonceCache>> memory =
      hawk::InMemoryNonceCache::Create(memory_options);
  if (!memory.ok()) return memory.status();
  return std::unique_ptr<PartitionedNonceCache>(
      new PartitionedNonceCache(std::move(options), store, forwarder, clock, std::move(*memory)));
}

PartitionedNonceCache::PartitionedNonceCache(Options options, ReplayPartitionStore& store,
                                             ReplayForwarder& forwarder, const Clock& clock,
                                             std::unique_ptr<hawk::InMemoryNonceCache> memory)
    : options_(std::move(options)),
      store_(store),
      forwarder_(forwarder),
      clock_(clock),
      memory_(std::move(memory)) {}

void PartitionedNonceCache::SetAddress(std::string address) {
  absl::MutexLock lock(&address_mu_);
  address_ = std::move(address);
  // This process listens at the address from now on: its predecessor there has closed it.
  listening_since_ = clock_.Now();
}

std::string PartitionedNonceCache::OwnerOf(int partition) const {
  if (partition < 0 || partition >= kReplayPartitions) return "";
  const Partition& part = partitions_[partition];
  {
    absl::MutexLock lock(&part.mu);
    if (!part.mine) return part.owner;
  }
  absl::MutexLock lock(&address_mu_);
  return address_;
}

PartitionedNonceCache::~PartitionedNonceCache() {
  // Writes behind answer exactly once (the store's contract): wait for those in flight, whose
  // answers come back here.
  for (Partition& part : partitions_) {
    absl::MutexLock lock(&part.mu);
    part.mu.Await(absl::Condition(
        +[](Partition* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu) { return p->writing == 0; }, &part));
  }
}

PartitionedNonceCache::Route PartitionedNonceCache::Decide(
    absl::string_view id, absl::string_view ts, absl::string_view nonce, absl::Time now,
    absl::Time forget_after, int& partition, absl::Status& status, std::string& owner) {
  const hawk::InMemoryNonceCache::Key key = hawk::InMemoryNonceCache::Digest(id, ts, nonce);
  partition = ReplayPartitionOf(key);
  const Route route =
      DecideLocked(key, ts, now, forget_after, partitions_[partition], status, owner);
  if (route == Route::kAccepted && forget_after >= now) {
    WriteBehind(partition, Triple{key, now, forget_after});
  }
  return route;
}

PartitionedNonceCache::Route PartitionedNonceCache::DecideLocked(
    const hawk::InMemoryNonceCache::Key& key, absl::string_view ts, absl::Time now,
    absl::Time forget_after, Partition& part, absl::Status& status, std::string& owner) {
  absl::MutexLock lock(&part.mu);
  if (!part.mine) {
    owner = part.owner;
    return owner.empty() ? Route::kNoOwner : Route::kForward;
  }
  // The cut-off is checked on this replica's own clock, now, not on the caller's `now` (taken
  // before the caller's own work, which may have waited for the database meanwhile).
  if (clock_.Now() >= part.accept_until) {
    status = absl::UnavailableError(
        "replay protection unavailable: this auth replica's lease on the nonce's partition ran "
        "out (the shared store did not answer its renewals); the request was not accepted, "
        "retry it");
    return Route::kRefused;
  }
  if (!part.failed.empty()) {
    status = absl::UnavailableError(
        "replay protection unavailable: the shared nonce table is not taking writes; the "
        "request was not accepted, retry it");
    return Route::kRefused;
  }
  if (Issued(ts) < part.since) {
    status = absl::AlreadyExistsError(
        absl::StrCat("signed before replay protection restarted at ",
                     absl::FormatTime(part.since, absl::UTCTimeZone()),
                     " after its shared nonces were lost; sign the request again"));
    return Route::kRefused;
  }
  status = memory_->RecordKey(key, now, forget_after);
  if (!status.ok()) return Route::kRefused;
  if (forget_after >= now) ++part.writing;  // WriteBehind follows, outside the lock
  return Route::kAccepted;
}

void PartitionedNonceCache::WriteBehind(int partition, const Triple& triple) {
  store_.WriteBehind(triple.key, triple.now, triple.forget_after,
                     absl::Now() + options_.write_behind_timeout,
                     [this, partition, triple](const absl::Status& written) {
                       Partition& part = partitions_[partition];
                       absl::MutexLock lock(&part.mu);
                       --part.writing;
                       // ALREADY_EXISTS: the row is there.
                       if (!written.ok() && !absl::IsAlreadyExists(written))
                         part.failed.push_back(triple);
                     });
}

void PartitionedNonceCache::RecordAsync(absl::string_view id, absl::string_view ts,
                                        absl::string_view nonce, absl::Time now,
                                        absl::Time forget_after, absl::Time deadline,
                                        RecordDone done) {
  int partition = 0;
  absl::Status status;
  std::string owner;
  switch (Decide(id, ts, nonce, now, forget_after, partition, status, owner)) {
    case Route::kAccepted:
      std::move(done)(absl::OkStatus());
      return;
    case Route::kRefused:
      std::move(done)(std::move(status));
      return;
    case Route::kNoOwner:
      std::move(done)(NoOwner(partition));
      return;
    case Route::kForward:
      forwarder_.Forward(owner, id, ts, nonce, forget_after, deadline, std::move(done));
      return;
  }
}

absl::Status PartitionedNonceCache::Record(absl::string_view id, absl::string_view ts,
                                           absl::string_view nonce, absl::Time now,
                                           absl::Time forget_after, absl::Time deadline) {
  struct Answer {
    absl::Mutex mu;
    bool given ABSL_GUARDED_BY(mu) = false;
    absl::Status status ABSL_GUARDED_BY(mu);
  };
  auto answer = std::make_shared<Answer>();
  RecordAsync(id, ts, nonce, now, forget_after, deadline, [answer](absl::Status status) {
    absl::MutexLock lock(&answer->mu);
    answer->status = std::move(status);
    answer->given = true;
  });
  absl::MutexLock lock(&answer->mu);
  if (answer->mu.AwaitWithDeadline(absl::Condition(&answer->given), deadline)) {
    return answer->status;
  }
  return absl::DeadlineExceededError(
      "replay protection unavailable: the auth replica owning the nonce's partition did not "
      "answer before the call's deadline; the request was not accepted");
}

absl::Status PartitionedNonceCache::RecordHere(absl::string_view id, absl::string_view ts,
                                               absl::string_view nonce, absl::Time now,
                                               absl::Time forget_after) {
  int partition = 0;
  absl::Status status;
  std::string owner;
  switch (Decide(id, ts, nonce, now, forget_after, partition, status, owner)) {
    case Route::kAccepted:
      return absl::OkStatus();
    case Route::kRefused:
      return status;
    case Route::kNoOwner:
    case Route::kForward:
      break;
  }
  return absl::FailedPreconditionError(
      absl::StrCat("this auth replica does not own replay partition ", partition, " (any more)"));
}

absl::StatusOr<int64_t> PartitionedNonceCache::PurgeExpired(absl::Time now, absl::Time deadline) {
  (void)memory_->PurgeExpired(now, deadline);
  return store_.PurgeNonces(now, deadline);
}

void PartitionedNonceCache::RetryFailed() {
  const absl::Time now = clock_.Now();
  for (int p = 0; p < kReplayPartitions; ++p) {
    std::vector<Triple> retry;
    {
      Partition& part = partitions_[p];
      absl::MutexLock lock(&part.mu);
      // A write may land up to write_behind_timeout from now: only while that is still before
      // the cut-off (so before anyone else can load the partition). A partition lost to its
      // lease meanwhile keeps its failed writes out of the table: the documented gap.
      if (!part.mine || now + options_.write_behind_timeout >= part.accept_until) continue;
      for (const Triple& t : part.failed) {
        if (t.forget_after >= now) retry.push_back(t);  // else: nothing to protect
      }
      part.failed.clear();
      part.writing += static_cast<int>(retry.size());
    }
    for (const Triple& t : retry) WriteBehind(p, t);
  }
}

absl::Status PartitionedNonceCache::Load(int partition, absl::Time accept_until,
                                         absl::Time deadline) {
  const absl::Time now = clock_.Now();
  absl::StatusOr<ReplayPartitionStore::PartitionNonces> loaded =
      store_.LoadPartition(partition, now, deadline);
  if (!loaded.ok()) {
    // Leave it to the next round, or (too many nonces to read) to another replica.
    if (absl::IsResourceExhausted(loaded.status())) {
      (void)store_.Release(options_.replica, {partition}, deadline);
    }
    return loaded.status();
  }
  for (const auto& [key, forget_after] : loaded->nonces) {
    absl::Status held = memory_->RecordKey(key, now, forget_after);
    if (absl::IsResourceExhausted(held)) {
      // No room to hold what the last owner accepted: leave the partition to another replica.
      (void)store_.Release(options_.replica, {partition}, deadline);
      return held;
    }
  }
  Partition& part = partitions_[partition];
  absl::MutexLock lock(&part.mu);
  part.since = loaded->since;
  part.accept_until = accept_until;
  part.owner.clear();
  part.mine = true;
  return absl::OkStatus();
}

absl::Status PartitionedNonceCache::GiveUpAll(const std::vector<int>& partitions,
                                              std::vector<ReplayPartitionStore::Member> takers,
                                              int up_to, bool release_untaken,
                                              absl::Time deadline) {
  // Stop accepting them all at once, so that one wait covers every write behind in flight.
  std::vector<bool> was_mine(partitions.size());
  for (size_t i = 0; i < partitions.size(); ++i) {
    Partition& part = partitions_[partitions[i]];
    absl::MutexLock lock(&part.mu);
    was_mine[i] = part.mine;
    part.mine = false;
  }
  absl::Status first;
  auto keep = [&](size_t i, absl::Status why) {
    Partition& part = partitions_[partitions[i]];
    absl::MutexLock lock(&part.mu);
    part.mine = was_mine[i];  // what it accepted is only here: keep it (if it was accepting)
    if (first.ok()) first = std::move(why);
  };
  for (size_t i = 0; i < partitions.size(); ++i) {
    const int p = partitions[i];
    // To the taker holding the fewest, while one holds fewer than `up_to`.
    auto fewest =
        std::min_element(takers.begin(), takers.end(),
                         [](const ReplayPartitionStore::Member& a,
                            const ReplayPartitionStore::Member& b) { return a.held < b.held; });
    const ReplayPartitionStore::Member* to =
        fewest != takers.end() && fewest->held < up_to ? &*fewest : nullptr;
    if (to == nullptr && !release_untaken) {
      keep(i, absl::OkStatus());
      continue;
    }
    {
      Partition& part = partitions_[p];
      absl::MutexLock lock(&part.mu);
      const bool flushed = part.mu.AwaitWithDeadline(
          absl::Condition(
              +[](Partition* q) ABSL_EXCLUSIVE_LOCKS_REQUIRED(q->mu) { return q->writing == 0; },
              &part),
          deadline);
      if (!flushed || !part.failed.empty()) {
        part.mine = was_mine[i];
        if (first.ok()) {
          first = absl::UnavailableError(
              absl::StrCat("replay partition ", p,
                           " kept: its nonces could not all be written behind for the next owner"));
        }
        continue;
      }
    }
    absl::Status given = to != nullptr ? store_.HandOver(options_.replica, {p}, to->replica,
                                                         to->address, options_.lease, deadline)
                                       : absl::FailedPreconditionError("no replica to take it");
    if (absl::IsFailedPrecondition(given) && release_untaken) {
      to = nullptr;  // the taker left meanwhile: free it for whoever claims it
      given = store_.Release(options_.replica, {p}, deadline);
    }
    if (!given.ok()) {
      // Still ours (a failed Release leaves the lease, reloaded by the next round).
      keep(i, given);
      continue;
    }
    if (to != nullptr) {
      ++fewest->held;
      Partition& part = partitions_[p];
      absl::MutexLock lock(&part.mu);
      part.owner = to->address;  // forwarded there from now on
    }
  }
  return first;
}

absl::Status PartitionedNonceCache::Maintain(absl::Time deadline) {
  std::string address;
  absl::Time listening_since;
  {
    absl::MutexLock lock(&address_mu_);
    address = address_;
    listening_since = listening_since_;
  }
  if (address.empty()) {
    return absl::FailedPreconditionError(
        "replay partitions: this replica's address is not known yet");
  }
  RetryFailed();
  const absl::Time start = clock_.Now();
  absl::StatusOr<int> alive = store_.Heartbeat(options_.replica, address, options_.lease, deadline);
  if (!alive.ok()) return alive.status();
  if (!succeeded_) {
    absl::StatusOr<std::vector<int>> taken =
        store_.Succeed(options_.replica, address, options_.lease, deadline);
    if (!taken.ok()) return taken.status();
    for (int p : *taken) from_predecessor_[p] = true;
    if (!taken->empty()) {
      LogInfo("replay protection: took over the partitions of this address's previous process",
              {{"partitions", taken->size()}});
    }
    succeeded_ = true;
  }
  absl::StatusOr<std::vector<int>> held = store_.Renew(options_.replica, options_.lease, deadline);
  if (!held.ok()) return held.status();
  std::array<absl::Time, kReplayPartitions> accept_until;
  accept_until.fill(absl::InfinitePast());
  for (int p : *held) accept_until[p] = start + options_.lease - options_.margin;
  for (int p = 0; p < kReplayPartitions; ++p) {
    Partition& part = partitions_[p];
    absl::MutexLock lock(&part.mu);
    if (!part.mine) continue;
    if (accept_until[p] == absl::InfinitePast()) {
      part.mine = false;
      LogWarning("replay protection: lost the lease on a partition (not renewed in time)",
                 {{"partition", p}});
    } else {
      part.accept_until = accept_until[p];
    }
  }

  absl::Status first;
  absl::StatusOr<std::vector<ReplayPartitionStore::Member>> members = store_.Members(deadline);
  if (!members.ok()) return members.status();
  const int replicas = std::max(*alive, 1);
  const int fair = (kReplayPartitions + replicas - 1) / replicas;
  std::vector<int> mine = *held;
  if (static_cast<int>(mine.size()) > fair) {
    // Beyond the fair share: the highest ones, handed to the replicas below theirs.
    std::vector<int> extra(mine.begin() + fair, mine.end());
    mine.resize(fair);
    std::vector<ReplayPartitionStore::Member> takers;
    for (const auto& m : *members) {
      if (m.replica != options_.replica) takers.push_back(m);
    }
    first = GiveUpAll(extra, std::move(takers), fair, /*release_untaken=*/true, deadline);
    for (int p : extra) {
      absl::MutexLock lock(&partitions_[p].mu);
      if (!partitions_[p].mine) accept_until[p] = absl::InfinitePast();
    }
  } else if (static_cast<int>(mine.size()) < fair) {
    const absl::Time claim_start = clock_.Now();
    absl::StatusOr<std::vector<int>> claimed = store_.Claim(
        options_.replica, address, options_.lease, fair - static_cast<int>(mine.size()), deadline);
    if (!claimed.ok()) {
      first = claimed.status();
    } else {
      for (int p : *claimed) accept_until[p] = claim_start + options_.lease - options_.margin;
    }
  }
  bool all_loaded = true;
  for (int p = 0; p < kReplayPartitions; ++p) {
    if (accept_until[p] == absl::InfinitePast()) continue;
    bool loaded = false;
    {
      Partition& part = partitions_[p];
      absl::MutexLock lock(&part.mu);
      loaded = part.mine;
    }
    if (loaded) continue;
    if (from_predecessor_[p] && clock_.Now() < listening_since + options_.write_behind_timeout) {
      all_loaded = false;  // the predecessor's last writes may still land: next round
      continue;
    }
    from_predecessor_[p] = false;
    absl::Status status = Load(p, accept_until[p], deadline);
    if (!status.ok()) {
      all_loaded = false;
      if (first.ok()) first = status;
    }
  }

  absl::StatusOr<std::vector<ReplayPartitionStore::Owner>> owners = store_.Owners(deadline);
  if (!owners.ok()) return owners.status();
  std::array<std::string, kReplayPartitions> owner_address;
  for (const ReplayPartitionStore::Owner& owner : *owners) {
    if (owner.partition < 0 || owner.partition >= kReplayPartitions) continue;
    if (owner.replica != options_.replica) owner_address[owner.partition] = owner.address;
  }
  bool all_known = true;
  int owned = 0;
  for (int p = 0; p < kReplayPartitions; ++p) {
    Partition& part = partitions_[p];
    absl::MutexLock lock(&part.mu);
    if (!part.mine) part.owner = std::move(owner_address[p]);
    if (part.mine) ++owned;
    if (!part.mine && part.owner.empty()) all_known = false;
  }
  // Ready to serve once every partition has an owner known here and this replica holds its
  // share (or nobody holds more than theirs to give it): a new replica reports NOT_SERVING
  // until the others have handed it partitions, so no caller meets the hand-over.
  bool balanced = owned >= kReplayPartitions / replicas;
  if (!balanced) {
    balanced = std::all_of(members->begin(), members->end(),
                           [&](const ReplayPartitionStore::Member& m) { return m.held <= fair; });
  }
  if (all_known && all_loaded && balanced) ready_.store(true);
  return first;
}

absl::Status PartitionedNonceCache::HandOverAll(absl::Time deadline) {
  return Depart(/*release_untaken=*/false, deadline);
}

absl::Status PartitionedNonceCache::Leave(absl::Time deadline) {
  return Depart(/*release_untaken=*/true, deadline);
}

absl::Status PartitionedNonceCache::Depart(bool release_untaken, absl::Time deadline) {
  ready_.store(false);
  RetryFailed();  // a write that failed lately gets one more chance before the hand-over
  std::vector<int> mine, rest;
  for (int p = 0; p < kReplayPartitions; ++p) {
    Partition& part = partitions_[p];
    absl::MutexLock lock(&part.mu);
    (part.mine ? mine : rest).push_back(p);
  }
  // Leave the members first, so that no one hands this replica anything more.
  absl::Status first = store_.Leave(options_.replica, deadline);
  std::vector<ReplayPartitionStore::Member> takers;
  if (absl::StatusOr<std::vector<ReplayPartitionStore::Member>> members = store_.Members(deadline);
      members.ok()) {
    for (const auto& m : *members) {
      if (m.replica != options_.replica) takers.push_back(m);
    }
  }
  absl::Status given =
      GiveUpAll(mine, std::move(takers), kReplayPartitions, release_untaken, deadline);
  if (!given.ok() && first.ok()) first = given;
  // Held but not loaded, or not held: releasing is harmless.
  absl::Status others = store_.Release(options_.replica, rest, deadline);
  if (!others.ok() && first.ok()) first = others;
  return first;
}

bool PartitionedNonceCache::Ready() const { return ready_.load(); }

std::vector<int> PartitionedNonceCache::Owned() const {
  std::vector<int> owned;
  for (int p = 0; p < kReplayPartitions; ++p) {
    absl::MutexLock lock(&partitions_[p].mu);
    if (partitions_[p].mine) owned.push_back(p);
  }
  return owned;
}

}  // namespace bulwark::auth
