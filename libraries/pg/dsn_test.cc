#include "libraries/pg/dsn.h"

#include "gtest/gtest.h"

namespace bulwark::pg {
namespace {

TEST(DsnTest, ParsesPlainAndQuotedValues) {
  auto f = ParseDsn("host=127.0.0.1 port=5432  password='a b\\'c' dbname=x");
  EXPECT_EQ(f["host"], "127.0.0.1");
  EXPECT_EQ(f["port"], "5432");
  EXPECT_EQ(f["password"], "a b'c");
  EXPECT_EQ(f["dbname"], "x");
  EXPECT_EQ(ParseDsn(FormatDsn(f)), f);
}

TEST(DsnTest, OverridesReplaceRatherThanAppend) {
  std::string d = DsnWith("host=h password=secret dbname=postgres", {{"dbname", "bulwark"}});
  EXPECT_EQ(ParseDsn(d)["dbname"], "bulwark");
  EXPECT_EQ(d.find("postgres"), std::string::npos);
}

TEST(DsnTest, RoleDsnCarriesNoOtherSecret) {
  std::string d = DsnForRole("host=h port=1 user=postgres password=adminpw dbname=postgres",
                             "bulwark", "bulwark_auth", "pw");
  EXPECT_EQ(d.find("adminpw"), std::string::npos);
  EXPECT_EQ(d.find("postgres"), std::string::npos);
  auto f = ParseDsn(d);
  EXPECT_EQ(f["host"], "h");
  EXPECT_EQ(f["port"], "1");
  EXPECT_EQ(f["user"], "bulwark_auth");
  EXPECT_EQ(f["password"], "pw");
}

}  // namespace
}  // namespace bulwark::pg
