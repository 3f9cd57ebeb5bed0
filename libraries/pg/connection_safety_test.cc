// The connection-string side of connection safety: keepalives and a TCP user timeout are added
// to both libpq forms, and what the operator set is kept. (SocketDeadline against a frozen
// server is exercised in pg_pg_test.cc and tests/faults.)
#include "libraries/pg/connection_safety.h"

#include "gtest/gtest.h"

namespace bulwark::pg {
namespace {

TEST(ConnectionSafetyTest, AddsKeepalivesAndUserTimeoutToKeywordForm) {
  std::string dsn = WithConnectionSafety("host=127.0.0.1 port=5432 dbname=bulwark");
  EXPECT_EQ(dsn,
            "host=127.0.0.1 port=5432 dbname=bulwark keepalives=1 keepalives_idle=10 "
            "keepalives_interval=5 keepalives_count=3 tcp_user_timeout=30000");
}

TEST(ConnectionSafetyTest, AddsQueryParametersToAUri) {
  EXPECT_EQ(WithConnectionSafety("postgresql://u@127.0.0.1/db"),
            "postgresql://u@127.0.0.1/db?keepalives=1&keepalives_idle=10&keepalives_interval=5&"
            "keepalives_count=3&tcp_user_timeout=30000");
  EXPECT_EQ(WithConnectionSafety("postgresql://u@127.0.0.1/db?sslmode=disable&keepalives=0"),
            "postgresql://u@127.0.0.1/db?sslmode=disable&keepalives=0&keepalives_idle=10&"
            "keepalives_interval=5&keepalives_count=3&tcp_user_timeout=30000");
}

TEST(ConnectionSafetyTest, KeepsWhatTheOperatorSet) {
  std::string dsn = WithConnectionSafety("host=h keepalives_idle=60 tcp_user_timeout=5000");
  EXPECT_EQ(dsn,
            "host=h keepalives_idle=60 tcp_user_timeout=5000 keepalives=1 "
            "keepalives_interval=5 keepalives_count=3");
}

}  // namespace
}  // namespace bulwark::pg
