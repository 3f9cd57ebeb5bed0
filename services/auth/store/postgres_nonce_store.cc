#include "services/auth/store/postgres_nonce_store.h"

#include <algorithm>
#include <numeric>
#include <pqxx/pqxx>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libraries/call/call_scope.h"
#include "libraries/logging/log.h"
#include "libraries/pg/connection_safety.h"
#include "libraries/pg/errors.h"
#include "libraries/pg/sql_time.h"
#include "libraries/pg/transaction.h"

namespace bulwark::auth {

struct PostgresNonceStore::Pending {
  std::string hex;  // the digest, as hex
  int64_t forget_after_micros = 0;
  absl::Time issued;  // the request's ts (InfinitePast when not a number)
  absl::Time now;
  absl::Time deadline;
  absl::Status result;
  RecordDone done;
  uint64_t sequence = 0;  // set when queued; never reused (an address can be)
};

namespace {

// One statement per batch, prepared once per connection: the new rows (or revived expired
// ones) come back with their digest; the epoch row comes back with a NULL digest, or not at all
// when a crash emptied the tables.
constexpr char kRecordName[] = "bulwark_record_replay_nonces";
constexpr char kRecordSql[] =
    "WITH recorded AS ("
    " INSERT INTO auth.replay_nonces AS n (digest, forget_after)"
    " SELECT decode(d, 'hex'), timestamptz 'epoch' + f * interval '1 microsecond'"
    " FROM unnest($1::text[], $2::bigint[]) AS t(d, f)"
    " ON CONFLICT (digest) DO UPDATE SET forget_after = excluded.forget_after"
    " WHERE n.forget_after < timestamptz 'epoch' + $3::bigint * interval '1 microsecond'"
    " RETURNING encode(n.digest, 'hex') AS digest) "
    "SELECT digest, NULL::bigint FROM recorded "
    "UNION ALL SELECT NULL, since_micros FROM auth.replay_epoch";

// Runs the prepared batch statement in ONE round trip, in autocommit (RunTransaction would take
// five: BEGIN, isolation, timeout, statement, COMMIT; planning a fresh statement each time
// costs more than the round trip). The server bounds it by the pool's statement_timeout
// (PoolDsn); the deadline bounds it on this side (SocketDeadline). A connection found broken
// is replaced and the statement tried once more (a statement that broke before it finished
// wrote nothing; one whose outcome is unknown is not retried).
absl::StatusOr<pqxx::result> ExecOnce(pg::ConnectionPool& pool, const std::string& digests,
                                      const std::string& forget_after, int64_t now_micros,
                                      absl::Time deadline) {
  constexpr char kName[] = "record replay nonces";
  for (int attempt = 0;; ++attempt) {
    if (deadline <= absl::Now()) {
      return absl::DeadlineExceededError(absl::StrCat(kName, ": the deadline passed"));
    }
    absl::StatusOr<pg::ConnectionPool::Lease> lease = pool.Acquire(deadline);
    if (!lease.ok()) return lease.status();
    pg::SocketDeadline guard(lease->connection(), deadline);
    try {
      lease->connection().prepare(kRecordName, kRecordSql);  // no-op once defined
      pqxx::nontransaction txn(lease->connection());
      return txn.exec_prepared(kRecordName, digests, forget_after, now_micros);
    } catch (const std::exception& e) {
      absl::Status status = pg::StatusFromException(e, kName);
      if (guard.fired()) {
        lease->Discard();
        return absl::DeadlineExceededError(absl::StrCat(kName, ": no answer before the deadline"));
      }
      if (status.code() == absl::StatusCode::kUnavailable) {
        lease->Discard();
        if (attempt == 0 && !pg::IsOutcomeUnknown(e)) continue;
      }
      return status;
    }
  }
}

absl::Status Unavailable(const absl::Status& cause) {
  if (absl::IsDeadlineExceeded(cause)) {
    return absl::DeadlineExceededError(
        "replay protection unavailable: the shared nonce store did not answer before the call's "
        "deadline; the request was not accepted");
  }
  return absl::UnavailableError(absl::StrCat("replay protection unavailable: ", cause.message(),
                                             "; the request was not accepted, retry it"));
}

absl::Time Issued(absl::string_view ts) {
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(ts, &seconds)) return absl::InfinitePast();
  return absl::FromUnixSeconds(seconds);
}

}  // namespace

std::string PostgresNonceStore::PoolDsn(const std::string& dsn, absl::Duration statement_timeout) {
  const int64_t ms = std::max<int64_t>(1, absl::ToInt64Milliseconds(statement_timeout));
  // No space in the value (no quoting needed); '=' escaped in a URI's query.
  const bool uri = dsn.find("://") != std::string::npos;
  return pg::AppendDsnOption(pg::WithConnectionSafety(dsn), "options",
                             absl::StrCat("-cstatement_timeout", uri ? "%3D" : "=", ms));
}

absl::StatusOr<std::unique_ptr<PostgresNonceStore>> PostgresNonceStore::Create(
    pg::ConnectionPool& pool, Options options) {
  if (options.max_batch == 0 || options.max_in_flight <= 0 || options.max_pending == 0 ||
      options.max_rows <= 0 || options.purge_batch <= 0 ||
      options.batch_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "replay nonce store: max_batch, max_in_flight, max_pending, max_rows, purge_batch and "
        "batch_timeout must all be positive");
  }
  std::unique_ptr<PostgresNonceStore> store(new PostgresNonceStore(pool, options));
  for (int i = 0; i < options.max_in_flight; ++i) {
    store->writers_.emplace_back([s = store.get()] { s->WriterLoop(); });
  }
  return store;
}

PostgresNonceStore::PostgresNonceStore(pg::ConnectionPool& pool, Options options)
    : pool_(pool), options_(options) {}

PostgresNonceStore::~PostgresNonceStore() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& writer : writers_) writer.join();
}

size_t PostgresNonceStore::pending() {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

absl::Status PostgresNonceStore::Record(absl::string_view id, absl::string_view ts,
                                        absl::string_view nonce, absl::Time now,
                                        absl::Time forget_after, absl::Time deadline) {
  struct Answer {
    absl::Mutex mu;
    bool given ABSL_GUARDED_BY(mu) = false;
    absl::Status status ABSL_GUARDED_BY(mu);
  };
  auto answer = std::make_shared<Answer>();
  const uint64_t queued =
      Queue(PendingFor(id, ts, nonce, now, forget_after, deadline, [answer](absl::Status status) {
        absl::MutexLock lock(&answer->mu);
        answer->status = std::move(status);
        answer->given = true;
      }));
  {
    absl::MutexLock lock(&answer->mu);
    if (answer->mu.AwaitWithDeadline(absl::Condition(&answer->given), deadline)) {
      return answer->status;
    }
  }
  // Given up: a triple still queued leaves the queue (one a writer took may still be written;
  // its request is refused either way).
  absl::MutexLock lock(&mu_);
  auto it = std::find_if(queue_.begin(), queue_.end(), [&](const std::unique_ptr<Pending>& p) {
    return queued != 0 && p->sequence == queued;
  });
  if (it != queue_.end()) queue_.erase(it);
  return Unavailable(absl::DeadlineExceededError("deadline"));
}

void PostgresNonceStore::RecordAsync(absl::string_view id, absl::string_view ts,
                                     absl::string_view nonce, absl::Time now,
                                     absl::Time forget_after, absl::Time deadline,
                                     RecordDone done) {
  Queue(PendingFor(id, ts, nonce, now, forget_after, deadline, std::move(done)));
}

std::unique_ptr<PostgresNonceStore::Pending> PostgresNonceStore::PendingFor(
    absl::string_view id, absl::string_view ts, absl::string_view nonce, absl::Time now,
    absl::Time forget_after, absl::Time deadline, RecordDone done) {
  if (forget_after < now) {  // stale anyway: nothing to remember
    std::move(done)(absl::OkStatus());
    return nullptr;
  }
  if (full_.load()) {
    std::move(done)(absl::ResourceExhaustedError(
        "too many signed requests within the replay window (the shared replay store is full of "
        "live nonces); retry in a minute"));
    return nullptr;
  }
  auto mine = std::make_unique<Pending>();
  const hawk::InMemoryNonceCache::Key key = hawk::InMemoryNonceCache::Digest(id, ts, nonce);
  mine->hex = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
  mine->forget_after_micros = pg::Micros(forget_after);
  mine->issued = Issued(ts);
  mine->now = now;
  mine->deadline = deadline;
  mine->done = std::move(done);
  return mine;
}

uint64_t PostgresNonceStore::Queue(std::unique_ptr<Pending> mine) {
  if (mine == nullptr) return 0;
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      refused = Unavailable(absl::UnavailableError("the auth server is shutting down"));
    } else if (queue_.size() >= options_.max_pending) {
      refused = absl::ResourceExhaustedError(
          "too many signed requests waiting for the shared replay store; retry in a few seconds");
    } else {
      mine->sequence = ++sequence_;
      queue_.push_back(std::move(mine));
      return sequence_;
    }
  }
  std::move(mine->done)(std::move(refused));
  return 0;
}

void PostgresNonceStore::WriterLoop() {
  while (true) {
    // Everything queued meanwhile goes into the next batch (up to max_batch); a triple whose
    // caller's deadline has passed is answered without being written.
    std::vector<std::unique_ptr<Pending>> batch, late;
    bool stopping = false;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](PostgresNonceStore* s)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) { return s->stopping_ || !s->queue_.empty(); },
          this));
      stopping = stopping_;
      const absl::Time now = absl::Now();
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        std::unique_ptr<Pending> next = std::move(queue_.front());
        queue_.pop_front();
        (stopping || next->deadline <= now ? late : batch).push_back(std::move(next));
      }
      if (stopping && batch.empty() && late.empty()) return;
    }
    for (auto& p : late) {
      std::move(p->done)(
          stopping ? Unavailable(absl::UnavailableError("the auth server is shutting down"))
                   : Unavailable(absl::DeadlineExceededError("deadline")));
    }
    if (batch.empty()) continue;
    Write(batch);
    for (auto& p : batch) std::move(p->done)(std::move(p->result));
  }
}

void PostgresNonceStore::Write(const std::vector<std::unique_ptr<Pending>>& batch) {
  // The batch is written for every caller in it, whatever became of any one of them
  // (libraries/call/call_scope.h).
  CallScope for_the_batch = CallScope::Detached();
  // Distinct digests, sorted (one lock order for every batch of every replica).
  absl::flat_hash_map<std::string, size_t> first;
  absl::Time now = absl::InfinitePast();
  absl::Time deadline = absl::InfinitePast();
  for (size_t i = 0; i < batch.size(); ++i) {
    first.try_emplace(batch[i]->hex, i);
    now = std::max(now, batch[i]->now);
    deadline = std::max(deadline, batch[i]->deadline);
  }
  deadline = std::min(deadline, absl::Now() + options_.batch_timeout);
  std::vector<size_t> distinct;
  distinct.reserve(first.size());
  for (const auto& [hex, i] : first) distinct.push_back(i);
  std::sort(distinct.begin(), distinct.end(),
            [&](size_t a, size_t b) { return batch[a]->hex < batch[b]->hex; });
  std::string digests = "{", forget_after = "{";
  for (size_t n = 0; n < distinct.size(); ++n) {
    const Pending& p = *batch[distinct[n]];
    absl::StrAppend(&digests, n == 0 ? "" : ",", p.hex);
    absl::StrAppend(&forget_after, n == 0 ? "" : ",", p.forget_after_micros);
  }
  digests += "}";
  forget_after += "}";

  absl::flat_hash_set<std::string> recorded;
  int64_t since_micros = 0;
  bool reset = true;
  absl::Status written;
  absl::StatusOr<pqxx::result> rows =
      ExecOnce(pool_, digests, forget_after, pg::Micros(now), deadline);
  if (!rows.ok()) {
    written = rows.status();
  } else {
    try {
      for (const pqxx::row& row : *rows) {
        if (row[0].is_null()) {
          since_micros = row[1].as<int64_t>();
          reset = false;
        } else {
          recorded.insert(row[0].as<std::string>());
        }
      }
    } catch (const std::exception& e) {
      written = pg::StatusFromException(e, "record replay nonces");
    }
  }
  if (written.ok() && reset) {
    // The nonces were lost (a crash emptied the unlogged tables): from now on, requests signed
    // before now may have been accepted already. The first replica to notice sets the time;
    // the others read it.
    written = pg::RunTransaction(
        pool_, pg::TransactionOptions::Named(deadline, "reset replay protection"),
        [&](pqxx::work& txn) -> absl::Status {
          txn.exec_params(
              "INSERT INTO auth.replay_epoch (since_micros) VALUES ($1) ON CONFLICT DO NOTHING",
              pg::Micros(now));
          since_micros = txn.exec1("SELECT since_micros FROM auth.replay_epoch")[0].as<int64_t>();
          return absl::OkStatus();
        });
  }
  batches_.fetch_add(1);
  if (written.ok() && reset) {
    LogWarning(
        "replay protection: the shared nonces were lost (a PostgreSQL crash or failover); "
        "refusing requests signed before the reset",
        {{"since", absl::FormatTime(absl::FromUnixMicros(since_micros))}});
  }
  const absl::Time since = absl::FromUnixMicros(since_micros);
  for (size_t i = 0; i < batch.size(); ++i) {
    Pending& p = *batch[i];
    if (!written.ok()) {
      p.result = Unavailable(written);
    } else if (first[p.hex] != i || !recorded.contains(p.hex)) {
      p.result = absl::AlreadyExistsError(hawk::kNonceAlreadyUsed);
    } else if (since_micros > 0 && p.issued < since) {
      p.result = absl::AlreadyExistsError(
          absl::StrCat("signed before replay protection restarted at ",
                       absl::FormatTime(since, absl::UTCTimeZone()),
                       " after its shared nonces were lost; sign the request again"));
    } else {
      p.result = absl::OkStatus();
    }
  }
}

absl::StatusOr<int64_t> PostgresNonceStore::PurgeExpired(absl::Time now, absl::Time deadline) {
  int64_t total = 0;
  while (true) {
    int64_t deleted = 0;
    absl::Status s = pg::RunTransaction(
        pool_, pg::TransactionOptions::Named(deadline, "purge replay nonces"),
        [&](pqxx::work& txn) -> absl::Status {
          // The outer condition is checked again on a row a concurrent batch just revived.
          deleted = txn.exec_params("DELETE FROM auth.replay_nonces WHERE forget_after < " +
                                        pg::TimestampParam(1) +
                                        " AND digest IN (SELECT digest FROM auth.replay_nonces"
                                        " WHERE forget_after < " +
                                        pg::TimestampParam(1) + " ORDER BY forget_after LIMIT $2)",
                                    pg::Micros(now), options_.purge_batch)
                        .affected_rows();
          return absl::OkStatus();
        });
    if (!s.ok()) return s;
    total += deleted;
    if (deleted < options_.purge_batch) break;
  }
  int64_t live = 0;
  absl::Status counted = pg::RunTransaction(
      pool_, pg::TransactionOptions::Named(deadline, "count replay nonces", /*read_only=*/true),
      [&](pqxx::work& txn) -> absl::Status {
        live =
            txn.exec_params1("SELECT count(*) FROM (SELECT 1 FROM auth.replay_nonces LIMIT $1) s",
                             options_.max_rows)[0]
                .as<int64_t>();
        return absl::OkStatus();
      });
  if (!counted.ok()) return counted;
  const bool full = live >= options_.max_rows;
  if (full != full_.exchange(full)) {
    if (full) {
      LogWarning(
          "replay protection: the shared nonce table is full of live nonces; refusing "
          "signed requests until it has room",
          {{"rows", live}});
    } else {
      LogInfo("replay protection: the shared nonce table has room again", {{"rows", live}});
    }
  }
  return total;
}

}  // namespace bulwark::auth
