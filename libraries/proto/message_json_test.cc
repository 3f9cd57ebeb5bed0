#include "libraries/proto/message_json.h"

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "gtest/gtest.h"

namespace bulwark {
namespace {

TEST(MessageToJsonTest, UsesTheProto3JsonMapping) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(1795435200);
  ts.set_nanos(5000000);
  auto json = MessageToJson(ts);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json, "2026-11-23T12:00:00.005Z");

  google::protobuf::Struct s;
  (*s.mutable_fields())["b"].set_number_value(2);
  (*s.mutable_fields())["a"].set_string_value("x");
  json = MessageToJson(s);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->dump(), R"({"a":"x","b":2})");
}

}  // namespace
}  // namespace bulwark
