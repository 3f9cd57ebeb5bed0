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
  bool taken = false;  // in a batch being written
  bool done = false;
  absl::Status result;
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
  return std::unique_ptr<PostgresNonceStore>(new PostgresNonceStore(pool, options));
}

size_t PostgresNonceStore::pending() {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

absl::Status PostgresNonceStore::Record(absl::string_view id, absl::string_view ts,
                                        absl::string_view nonce, absl::Time now,
                                        absl::Time forget_after, absl::Time deadline) {
  if (forget_after < now) return absl::OkStatus();  // stale anyway: nothing to remember
  if (full_.load()) {
    return absl::ResourceExhaustedError(
        "too many signed requests within the replay window (the shared replay store is full of "
        "live nonces); retry in a minute");
  }
  auto mine = std::make_shared<Pending>();
  const hawk::InMemoryNonceCache::Key key = hawk::InMemoryNonceCache::Digest(id, ts, nonce);
  mine->hex = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
  mine->forget_after_micros = pg::Micros(forget_after);
  mine->issued = Issued(ts);
  mine->now = now;
  mine->deadline = deadline;

  absl::MutexLock lock(&mu_);
  if (queue_.size() >= options_.max_pending) {
    return absl::ResourceExhaustedError(
        "too many signed requests waiting for the shared replay store; retry in a few seconds");
  }
  queue_.push_back(mine);
  // Only the caller at the front of the queue leads the next batch: the Condition wakes that
  // one waiter when a batch slot frees up, not every waiter to find out who gets it.
  auto can_lead = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return in_flight_ < options_.max_in_flight && !queue_.empty() && queue_.front() == mine;
  };
  auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return mine->done || can_lead(); };
  while (!mine->done) {
    if (can_lead()) {
      // Lead a batch: whatever is queued, this caller's triple first.
      std::vector<std::shared_ptr<Pending>> batch;
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        queue_.front()->taken = true;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      ++in_flight_;
      mu_.Unlock();
      Write(batch);
      mu_.Lock();
      --in_flight_;
      for (const auto& p : batch) p->done = true;
      continue;
    }
    if (!mu_.AwaitWithDeadline(absl::Condition(&ready), deadline) && !mine->done) {
      if (!mine->taken) queue_.erase(std::find(queue_.begin(), queue_.end(), mine));
      return Unavailable(absl::DeadlineExceededError("deadline"));
    }
  }
  return mine->result;
}

void PostgresNonceStore::Write(const std::vector<std::shared_ptr<Pending>>& batch) {
  // The batch is written for every caller in it, not only the one leading it: the leader's
  // caller going away (libraries/call/call_scope.h) must not fail the others' requests.
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
