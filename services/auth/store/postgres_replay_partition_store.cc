#include "services/auth/store/postgres_replay_partition_store.h"

#include <algorithm>
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

absl::Status CheckReplica(absl::string_view replica) {
  if (replica.empty()) {
    return absl::InvalidArgumentError("replay partitions: the replica id must not be empty");
  }
  return absl::OkStatus();
}

absl::Status CheckPartition(int partition) {
  if (partition < 0 || partition >= kReplayPartitions) {
    return absl::InvalidArgumentError(absl::StrCat("replay partitions: partition ", partition,
                                                   " is outside [0, ", kReplayPartitions, ")"));
  }
  return absl::OkStatus();
}

// The `partition` column of every row, ascending.
std::vector<int> SortedPartitions(const pqxx::result& rows) {
  std::vector<int> partitions;
  partitions.reserve(rows.size());
  for (const pqxx::row& row : rows) partitions.push_back(row[0].as<int>());
  std::sort(partitions.begin(), partitions.end());
  return partitions;
}

// The digest bound (hex, one byte) where the partition `p` starts: its digests are those from
// Bound(p) inclusive to Bound(p + 1) exclusive (a 16-byte digest sorts after its first byte
// alone). The last partition has no upper bound.
std::string Bound(int p) { return absl::StrFormat("%02x", p << 2); }

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresReplayPartitionStore>> PostgresReplayPartitionStore::Create(
    pg::ConnectionPool& pool, PostgresNonceStore& nonces, Options options) {
  if (options.max_load_rows <= 0) {
    return absl::InvalidArgumentError("replay partitions: max_load_rows must be positive");
  }
  return std::unique_ptr<PostgresReplayPartitionStore>(
      new PostgresReplayPartitionStore(pool, nonces, options));
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
  return nonces_.PurgeExpired(now, deadline);
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
  // The partition's digests: from its first byte on, up to (not including) the next
  // partition's first byte; the last one runs to the end of the key space.
  std::string range = "digest >= decode($2, 'hex')";
  if (partition + 1 < kReplayPartitions) range += " AND digest < decode($3, 'hex')";
  const std::string select = "SELECT encode(digest, 'hex'), " + pg::MicrosOf("forget_after") +
                             " FROM auth.replay_nonces WHERE " + range +
                             " AND forget_after >= " + pg::TimestampParam(1) + " LIMIT $" +
                             (partition + 1 < kReplayPartitions ? "4" : "3");
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
        const int64_t limit = options_.max_load_rows + 1;
        pqxx::result rows = partition + 1 < kReplayPartitions
                                ? txn.exec_params(select, pg::Micros(now), Bound(partition),
                                                  Bound(partition + 1), limit)
                                : txn.exec_params(select, pg::Micros(now), Bound(partition), limit);
        if (static_cast<int64_t>(rows.size()) > options_.max_load_rows) {
          return absl::ResourceExhaustedError(
              absl::StrCat("replay partitions: partition ", partition, " holds more than ",
                           options_.max_load_rows, " live nonces; refusing to load it"));
        }
        loaded.nonces.reserve(rows.size());
        for (const pqxx::row& row : rows) {
          const std::string digest = absl::HexStringToBytes(row[0].as<std::string>());
          hawk::InMemoryNonceCache::Key key{};
          if (digest.size() != key.size()) {
            return absl::InternalError("replay partitions: a stored digest is not 16 bytes");
          }
          std::copy(digest.begin(), digest.end(), key.begin());
          loaded.nonces.emplace_back(key, pg::TimeFromMicros(row[1]));
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

void PostgresReplayPartitionStore::WriteBehind(absl::string_view id, absl::string_view ts,
                                               absl::string_view nonce, absl::Time now,
                                               absl::Time forget_after, absl::Time deadline,
                                               hawk::NonceCache::RecordDone done) {
  nonces_.RecordAsync(id, ts, nonce, now, forget_after, deadline, std::move(done));
}

}  // namespace bulwark::auth
