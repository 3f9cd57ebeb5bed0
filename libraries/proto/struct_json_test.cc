#include "libraries/proto/struct_json.h"

#include <cmath>

#include "gtest/gtest.h"

namespace bulwark {
namespace {

TEST(StructJsonTest, RoundTripsJson) {
  nlohmann::json j = {{"a", 1},           {"b", 2.5},
                      {"c", "s"},         {"d", nullptr},
                      {"e", true},        {"f", {1, "x", {{"g", false}}}},
                      {"h", {{"i", -7}}}, {"big", 9007199254740992LL}};
  auto s = StructFromJson(j);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(JsonFromStruct(*s), j);
  google::protobuf::Value huge;
  huge.set_number_value(1e300);
  EXPECT_EQ(JsonFromValue(huge), 1e300);
  google::protobuf::Value nan;
  nan.set_number_value(std::nan(""));
  EXPECT_TRUE(JsonFromValue(nan).is_null());
  EXPECT_EQ(StructFromJson(nlohmann::json::array()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark
