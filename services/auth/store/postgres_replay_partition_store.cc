#include "services/auth/store/postgres_replay_partition_store.h"

#include <algorithm>
#include <array>
#include <pqxx/pqxx>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "libraries/logging/log.h"
#include "libraries/pg/sql_time.h"
#include "libraries/pg/transaction.h"

namespace bulwark::auth {
namespace {

// now() plus parameter $n (bigint microseconds): the end of a lease or membership.
std::string NowPlus(int n) {
  return absl::StrCat("(now() + $", n, "::bigint * interval '1 microsecond')");
}

// `ttl` in microseconds, kept within what a PostgreSQL interval holds (a century either way).
int64_t TtlMicros(absl::Duration ttl) {
  const absl::Duration century = absl::Hours(24 * 365 * 100);
  return absl::ToInt64Microseconds(std::clamp(ttl, -century, century));
}

// The `partition` column of every row, ascending.
std::vector<int> SortedPartitions(const pqxx::result& rows) {
  std::vector<int> partitions;
  partitions.reserve(rows.size());
  for (const pqxx::row& row : rows) partitions.push_back(row[0].as<int>());
  std::sort(partitions.begin(), partitions.end());
  return partitions;
}

// A block entry: the 16-byte digest and its forget_after (big-endian microseconds).
constexpr size_t kEntryBytes = 24;

void AppendBigEndian(int64_t value, std::string& out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((static_cast<uint64_t>(value) >> shift) & 0xff));
  }
}
int64_t ReadBigEndian(const char* in) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(in[i]);
  return static_cast<int64_t>(value);
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresReplayPartitionStore>> PostgresReplayPartitionStore::Create(
    pg::ConnectionPool& pool, Options options) {
  if (options.max_load_rows <= 0 || options.max_pending == 0 || options.purge_batch <= 0 ||
      options.linger < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "replay partitions: max_load_rows, max_pending and purge_batch must be positive and "
        "linger not negative");
  }
  std::unique_ptr<PostgresReplayPartitionStore> store(
      new PostgresReplayPartitionStore(pool, options));
  store->writer_ = std::thread([s = store.get()] { s->WriterLoop(); });
  return store;
}

PostgresReplayPartitionStore::~PostgresReplayPartitionStore() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  writer_.join();
}

absl::StatusOr<int> PostgresReplayPartitionStore::Heartbeat(absl::string_view replica,
                                                            absl::string_view address,
                                                            absl::Duration ttl,
                                                            absl::Time deadline) {
  if (absl::Status s = CheckReplica(replica); !s.ok()) return s;
  int alive = 0;
  absl::Status s = pg::RunTransaction(
      pool_, pg::TransactionOptions::Named(deadline, "replay partitions: heartbeat"),
      [&](pqxx::work& txn) -> absl::Status {
        txn.exec_params(
            "INSERT INTO auth.replay_replicas (replica, address, alive_until) VALUES ($1, $2, " +
                NowPlus(3) +
                ") ON CONFLICT (replica) DO UPDATE SET address = excluded.address,"
                " alive_until = excluded.alive_until",
            std::string(replica), std::string(address), TtlMicros(ttl));
        // The count's snapshot predates the DELETE; its condition leaves out what it deletes.
        alive = txn.exec1(
                       "WITH gone AS (DELETE FROM auth.replay_replicas WHERE alive_until < now()"
                       " RETURNING 1) "
                       "SELECT count(*) FROM auth.replay_replicas WHERE alive_until >= now()")[0]
                    .as<int>();
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return alive;
}

absl::StatusOr<std::vector<int>> PostgresReplayPartitionStore::Renew(absl::string_view replica,
                                                                     absl::Duration ttl,
                                                                     absl::Time deadline) {
  if (absl::Status s = CheckReplica(replica); !s.ok()) return s;
  std::vector<int> held;
  absl::Status s = pg::RunTransaction(
      pool_, pg::TransactionOptions::Named(deadline, "replay partitions: renew"),
      [&](pqxx::work& txn) -> absl::Status {
        held = SortedPartitions(
            txn.exec_params("UPDATE auth.replay_partitions SET lease_until = " + NowPlus(2) +
                                " WHERE replica = $1 AND lease_until >= now() RETURNING partition",
                            std::string(replica), TtlMicros(ttl)));
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return held;
}

absl::StatusOr<std::vector<int>> PostgresReplayPartitionStore::Claim(absl::string_view replica,
                                                                     absl::string_view address,
                                                                     absl::Duration ttl, int max,
                                                                     absl::Time deadline) {
  if (absl::Status s = CheckReplica(replica); !s.ok()) return s;
  if (max <= 0) return std::vector<int>();
  std::vector<int> taken;
  absl::Status s = pg::RunTransaction(
      pool_, pg::TransactionOptions::Named(deadline, "replay partitions: claim"),
      [&](pqxx::work& txn) -> absl::Status {
        // Rows another claim has locked are skipped; a row another claim took since this
        // statement's snapshot is checked again on its new version (and then left out). The
        // outer condition repeats the inner one for that check.
        taken = SortedPartitions(txn.exec_params(
            "UPDATE auth.replay_partitions SET replica = $1, address = $2, lease_until = " +
                NowPlus(3) +
                " WHERE (replica IS NULL OR lease_until < now()) AND partition IN ("
                "SELECT partition FROM auth.replay_partitions"
                " WHERE replica IS NULL OR lease_until < now()"
                " ORDER BY partition LIMIT $4 FOR UPDATE SKIP LOCKED)"
                " RETURNING partition",
            std::string(replica), std::string(address), TtlMicros(ttl), max));
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return taken;
}

absl::StatusOr<std::vector<int>> PostgresReplayPartitionStore::Succeed(absl::string_view replica,
                                                                       absl::string_view address,
                                                                       absl::Duration ttl,
                                                                       absl::Time deadline) {
  if (absl::Status s = CheckReplica(replica); !s.ok()) return s;
  std::vector<int> taken;
  absl::Status s = pg::RunTransaction(
      pool_, pg::TransactionOptions::Named(deadline, "replay partitions: succeed"),
      [&](pqxx::work& txn) -> absl::Status {
        txn.exec_params("DELETE FROM auth.replay_replicas WHERE address = $2 AND replica <> $1",
                        std::string(replica), std::string(address));
        taken = SortedPartitions(txn.exec_params(
            "UPDATE auth.replay_partitions SET replica = $1, lease_until = " + NowPlus(3) +
                " WHERE address = $2 AND replica <> $1 RETURNING partition",
            std::string(replica), std::string(address), TtlMicros(ttl)));
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return taken;
}

absl::StatusOr<int64_t> PostgresReplayPartitionStore::PurgeNonces(absl::Time now,
                                                                  absl::Time deadline) {
  int64_t total = 0;
  while (true) {
    int64_t deleted = 0;
    absl::Status s = pg::RunTransaction(
        pool_, pg::TransactionOptions::Named(deadline, "replay partitions: purge"),
        [&](pqxx::work& txn) -> absl::Status {
          deleted = txn.exec_params(
                           "DELETE FROM auth.replay_nonce_blocks WHERE ctid IN ("
                           "SELECT ctid FROM auth.replay_nonce_blocks WHERE forget_after < " +
                               pg::TimestampParam(1) + " LIMIT $2)",
                           pg::Micros(now), options_.purge_batch)
                        .affected_rows();
          return absl::OkStatus();
        });
    if (!s.ok()) return s;
    total += deleted;
    if (deleted < options_.purge_batch) return total;
  }
}

absl::Status PostgresReplayPartitionStore::Release(absl::string_view replica,
                                                   const std::vector<int>& partitions,
                                                   absl::Time deadline) {
  if (absl::Status s = CheckReplica(replica); !s.ok()) return s;
  for (int p : partitions) {
    if (absl::Status s = CheckPartition(p); !s.ok()) return s;
  }
  if (partitions.empty()) return absl::OkStatus();
  const std::string array = absl::StrCat("{", absl::StrJoin(partitions, ","), "}");
  return pg::RunTransaction(pool_,
                            pg::TransactionOptions::Named(deadline, "replay partitions: release"),
                            [&](pqxx::work& txn) -> absl::Status {
                              txn.exec_params(
                                  "UPDATE auth.replay_partitions"
                                  " SET replica = NULL, address = NULL, lease_until = '-infinity'"
                                  " WHERE replica = $1 AND partition = ANY($2::int[])",
                                  std::string(replica), array);
                              return absl::OkStatus();
                            });
}

absl::Status PostgresReplayPartitionStore::HandOver(absl::string_view replica,
                                                    const std::vector<int>& partitions,
                                                    absl::string_view to,
                                                    absl::string_view to_address,
                                                    absl::Duration ttl, absl::Time deadline) {
  if (absl::Status s = CheckReplica(replica); !s.ok()) return s;
  if (absl::Status s = CheckReplica(to); !s.ok()) return s;
  for (int p : partitions) {
    if (absl::Status s = CheckPartition(p); !s.ok()) return s;
  }
  if (partitions.empty()) return absl::OkStatus();
  const std::string array = absl::StrCat("{", absl::StrJoin(partitions, ","), "}");
  return pg::RunTransaction(
      pool_, pg::TransactionOptions::Named(deadline, "replay partitions: hand over"),
      [&](pqxx::work& txn) -> absl::Status {
        // The recipient stays a member until this commits (its Leave waits on the lock).
        if (txn.exec_params("SELECT 1 FROM auth.replay_replicas WHERE replica = $1"
                            " AND alive_until >= now() FOR SHARE",
                            std::string(to))
                .empty()) {
          return absl::FailedPreconditionError(
              "replay partitions: the replica to hand over to is not alive");
        }
        txn.exec_params(
            "UPDATE auth.replay_partitions SET replica = $3, address = $4,"
            " lease_until = " +
                NowPlus(5) + " WHERE replica = $1 AND partition = ANY($2::int[])",
            std::string(replica), array, std::string(to), std::string(to_address), TtlMicros(ttl));
        return absl::OkStatus();
      });
}

absl::StatusOr<std::vector<ReplayPartitionStore::Member>> PostgresReplayPartitionStore::Members(
    absl::Time deadline) {
  std::vector<Member> members;
  absl::Status s = pg::RunTransaction(
      pool_,
      pg::TransactionOptions::Named(deadline, "replay partitions: members", /*read_only=*/true),
      [&](pqxx::work& txn) -> absl::Status {
        members.clear();
        for (const pqxx::row& row : txn.exec(
                 "SELECT m.replica, m.address, (SELECT count(*) FROM auth.replay_partitions p"
                 " WHERE p.replica = m.replica AND p.lease_until >= now())"
                 " FROM auth.replay_replicas m WHERE m.alive_until >= now() ORDER BY m.replica")) {
          members.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int>()});
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return members;
}

absl::Status PostgresReplayPartitionStore::Leave(absl::string_view replica, absl::Time deadline) {
  if (absl::Status s = CheckReplica(replica); !s.ok()) return s;
  return pg::RunTransaction(pool_,
                            pg::TransactionOptions::Named(deadline, "replay partitions: leave"),
                            [&](pqxx::work& txn) -> absl::Status {
                              txn.exec_params("DELETE FROM auth.replay_replicas WHERE replica = $1",
                                              std::string(replica));
                              return absl::OkStatus();
                            });
}

absl::StatusOr<std::vector<ReplayPartitionStore::Owner>> PostgresReplayPartitionStore::Owners(
    absl::Time deadline) {
  std::vector<Owner> owners;
  absl::Status s = pg::RunTransaction(
      pool_,
      pg::TransactionOptions::Named(deadline, "replay partitions: owners",
                                    /*read_only=*/true),
      [&](pqxx::work& txn) -> absl::Status {
        owners.clear();
        for (const pqxx::row& row :
             txn.exec("SELECT partition, replica, coalesce(address, '') FROM auth.replay_partitions"
                      " WHERE replica IS NOT NULL AND lease_until >= now() ORDER BY partition")) {
          owners.push_back({row[0].as<int>(), row[1].as<std::string>(), row[2].as<std::string>()});
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return owners;
}

absl::StatusOr<ReplayPartitionStore::PartitionNonces> PostgresReplayPartitionStore::LoadPartition(
    int partition, absl::Time now, absl::Time deadline) {
  if (absl::Status s = CheckPartition(partition); !s.ok()) return s;
  PartitionNonces loaded;
  bool reset = false;
  int64_t since_micros = 0;
  const std::string select =
      "SELECT encode(nonces, 'hex') FROM auth.replay_nonce_blocks"
      " WHERE partition = $1 AND forget_after >= " +
      pg::TimestampParam(2);
  const int64_t now_micros = pg::Micros(now);
  absl::Status s = pg::RunTransaction(
      pool_, pg::TransactionOptions::Named(deadline, "replay partitions: load partition"),
      [&](pqxx::work& txn) -> absl::Status {
        loaded.nonces.clear();
        reset = false;
        pqxx::result epoch = txn.exec("SELECT since_micros FROM auth.replay_epoch");
        if (epoch.empty()) {
          // A crash emptied the unlogged nonce tables: the nonces accepted before now may be
          // lost. The first store to notice sets the time (PostgresNonceStore's rule); the
          // others read it.
          reset = !txn.exec_params(
                          "INSERT INTO auth.replay_epoch (since_micros) VALUES ($1)"
                          " ON CONFLICT DO NOTHING RETURNING since_micros",
                          pg::Micros(now))
                       .empty();
          epoch = txn.exec("SELECT since_micros FROM auth.replay_epoch");
          if (epoch.empty()) {
            return absl::InternalError(
                "replay partitions: auth.replay_epoch is still empty after its reset");
          }
        }
        since_micros = epoch[0][0].as<int64_t>();
        for (const pqxx::row& row : txn.exec_params(select, partition, now_micros)) {
          const std::string block = absl::HexStringToBytes(row[0].as<std::string>());
          if (block.size() % kEntryBytes != 0) {
            return absl::DataLossError("replay partitions: a stored nonce block is malformed");
          }
          for (size_t at = 0; at < block.size(); at += kEntryBytes) {
            hawk::InMemoryNonceCache::Key key{};
            std::copy(block.begin() + at, block.begin() + at + key.size(), key.begin());
            const int64_t forget_after = ReadBigEndian(block.data() + at + key.size());
            if (forget_after < now_micros) continue;
            if (static_cast<int64_t>(loaded.nonces.size()) >= options_.max_load_rows) {
              return absl::ResourceExhaustedError(
                  absl::StrCat("replay partitions: partition ", partition, " holds more than ",
                               options_.max_load_rows, " live nonces; refusing to load it"));
            }
            loaded.nonces.emplace_back(key, absl::FromUnixMicros(forget_after));
          }
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  loaded.since = since_micros == 0 ? absl::InfinitePast() : absl::FromUnixMicros(since_micros);
  if (reset) {
    LogWarning(
        "replay protection: the shared nonces were lost (a PostgreSQL crash or failover); "
        "refusing requests signed before the reset",
        {{"since", absl::FormatTime(loaded.since)}, {"partition", partition}});
  }
  return loaded;
}

void PostgresReplayPartitionStore::WriteBehind(const hawk::InMemoryNonceCache::Key& key,
                                               absl::Time now, absl::Time forget_after,
                                               absl::Time deadline,
                                               hawk::NonceCache::RecordDone done) {
  if (forget_after < now) {  // stale anyway: nothing to keep
    std::move(done)(absl::OkStatus());
    return;
  }
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      refused = absl::UnavailableError("replay partitions: the auth server is shutting down");
    } else if (queue_.size() >= options_.max_pending) {
      refused = absl::ResourceExhaustedError(
          "replay partitions: too many nonces waiting to be written behind");
    } else {
      queue_.push_back({key, forget_after, now, deadline, std::move(done)});
      return;
    }
  }
  std::move(done)(std::move(refused));
}

void PostgresReplayPartitionStore::WriterLoop() {
  while (true) {
    std::vector<Pending> batch, late;
    bool stopping = false;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (!stopping_ && options_.linger > absl::ZeroDuration()) {
        auto full = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return stopping_ || queue_.size() >= options_.max_pending;
        };
        mu_.AwaitWithTimeout(absl::Condition(&full), options_.linger);
      }
      stopping = stopping_;
      const absl::Time now = absl::Now();
      for (Pending& p : queue_) {
        (stopping || p.deadline <= now ? late : batch).push_back(std::move(p));
      }
      queue_.clear();
      if (stopping && late.empty()) return;
    }
    const absl::Status too_late = absl::UnavailableError(
        stopping ? "replay partitions: the auth server is shutting down"
                 : "replay partitions: the nonce was not written behind before its deadline");
    for (Pending& p : late) std::move(p.done)(too_late);
    const absl::Status written = batch.empty() ? absl::OkStatus() : Write(batch);
    if (!stopping) NoteOutcome(late.empty() ? written : too_late, late.size() + batch.size());
    for (Pending& p : batch) std::move(p.done)(written);
  }
}

void PostgresReplayPartitionStore::NoteOutcome(const absl::Status& status, size_t nonces) {
  // Logged when writes behind start failing and when they recover, not per batch.
  if (status.ok() == !failing_) return;
  failing_ = !status.ok();
  if (failing_) {
    LogWarning(
        "replay partitions: writes behind failing; their partitions refuse requests until "
        "they are written",
        {{"error", status.message()}, {"nonces", nonces}});
  } else {
    LogInfo("replay partitions: writes behind succeed again");
  }
}

absl::Status PostgresReplayPartitionStore::Write(const std::vector<Pending>& batch) {
  // A block per partition: its entries and its latest forget_after.
  std::array<std::string, kReplayPartitions> blocks;
  std::array<int64_t, kReplayPartitions> latest{};
  absl::Time deadline = absl::InfiniteFuture();
  absl::Time now = absl::InfinitePast();
  for (const Pending& p : batch) {
    const int partition = ReplayPartitionOf(p.key);
    std::string& block = blocks[partition];
    block.append(reinterpret_cast<const char*>(p.key.data()), p.key.size());
    AppendBigEndian(pg::Micros(p.forget_after), block);
    latest[partition] = std::max(latest[partition], pg::Micros(p.forget_after));
    deadline = std::min(deadline, p.deadline);
    now = std::max(now, p.now);
  }
  std::vector<int> partitions;
  std::vector<int64_t> forget_after;
  std::vector<std::string> hex;
  for (int p = 0; p < kReplayPartitions; ++p) {
    if (blocks[p].empty()) continue;
    partitions.push_back(p);
    forget_after.push_back(latest[p]);
    hex.push_back(absl::BytesToHexString(blocks[p]));
  }
  bool reset = false;
  int64_t since_micros = 0;
  absl::Status s = pg::RunTransaction(
      pool_, pg::TransactionOptions::Named(deadline, "replay partitions: write behind"),
      [&](pqxx::work& txn) -> absl::Status {
        reset = false;
        pqxx::result epoch = txn.exec_params(
            "WITH written AS (INSERT INTO auth.replay_nonce_blocks (partition, forget_after,"
            " nonces) SELECT p, timestamptz 'epoch' + f * interval '1 microsecond',"
            " decode(n, 'hex') FROM unnest($1::int[], $2::bigint[], $3::text[]) AS t(p, f, n)"
            " RETURNING 1) SELECT since_micros, (SELECT count(*) FROM written)"
            " FROM auth.replay_epoch",
            absl::StrCat("{", absl::StrJoin(partitions, ","), "}"),
            absl::StrCat("{", absl::StrJoin(forget_after, ","), "}"),
            absl::StrCat("{", absl::StrJoin(hex, ","), "}"));
        if (epoch.empty()) {
          // A crash emptied the unlogged tables (PostgresNonceStore's rule, as in LoadPartition).
          reset = !txn.exec_params(
                          "INSERT INTO auth.replay_epoch (since_micros) VALUES ($1)"
                          " ON CONFLICT DO NOTHING RETURNING since_micros",
                          pg::Micros(now))
                       .empty();
          if (reset) since_micros = pg::Micros(now);
        }
        return absl::OkStatus();
      });
  if (s.ok() && reset) {
    LogWarning(
        "replay protection: the shared nonces were lost (a PostgreSQL crash or failover); "
        "refusing requests signed before the reset",
        {{"since", absl::FormatTime(absl::FromUnixMicros(since_micros))}});
  }
  if (!s.ok()) {
    return absl::UnavailableError(
        absl::StrCat("replay partitions: nonces not written behind: ", s.message()));
  }
  return absl::OkStatus();
}

}  // namespace bulwark::auth
