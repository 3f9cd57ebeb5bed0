#include "libraries/proto/input_check.h"

#include <cmath>
#include <limits>
#include <string>

#include "bulwark/queue/v1/queue.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libraries/proto/struct_json.h"

namespace bulwark {
namespace {

using bulwark::queue::v1::CreateArtifactRequest;
using bulwark::queue::v1::CreateTaskRequest;
using ::testing::HasSubstr;

CreateTaskRequest Task(const nlohmann::json& payload) {
  CreateTaskRequest r;
  r.set_task_id("fN1TVX9dQ8uZ6Z0E3LjC5g");
  r.mutable_task()->set_task_queue_id("proj/linux");
  *r.mutable_task()->mutable_payload() = *StructFromJson(payload);
  return r;
}

TEST(InputCheckTest, AcceptsOrdinaryInput) {
  CreateTaskRequest r = Task({{"command", {"echo", "h\u00e9llo\nworld \xF0\x9F\x98\x80"}},
                              {"n", 2.5},
                              {"deep", {{"a", {{"b", {1, 2, {{"c", nullptr}}}}}}}}});
  r.mutable_task()->mutable_metadata()->set_description("line one\r\nline two");
  (*r.mutable_task()->mutable_tags())["k"] = "v\nw";
  EXPECT_TRUE(CheckInput(r).ok()) << CheckInput(r);
}

TEST(InputCheckTest, RefusesNulAnywhere) {
  CreateTaskRequest in_id = Task(nlohmann::json::object());
  in_id.set_task_id(std::string("abc\0def", 7));
  absl::Status s = CheckInput(in_id);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("task_id contains a NUL byte"));

  CreateTaskRequest in_value = Task({{"env", {{"A", std::string("x\0y", 3)}}}});
  s = CheckInput(in_value);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("task.payload.env.A"));

  CreateTaskRequest in_key = Task({{std::string("k\0", 2), 1}});
  EXPECT_EQ(CheckInput(in_key).code(), absl::StatusCode::kInvalidArgument);

  CreateTaskRequest in_tag = Task(nlohmann::json::object());
  (*in_tag.mutable_task()->mutable_tags())["t"] = std::string("\0", 1);
  EXPECT_EQ(CheckInput(in_tag).code(), absl::StatusCode::kInvalidArgument);
}

TEST(InputCheckTest, RefusesInvalidUtf8) {
  for (const std::string bad :
       {"\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80", "a\xE2\x82"}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << bad;
    CreateTaskRequest r = Task({{"s", bad}});
    EXPECT_EQ(CheckInput(r).code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(IsValidUtf8("\xE2\x82\xAC \xF4\x8F\xBF\xBF \xC2\x80"));
}

TEST(InputCheckTest, RefusesLineBreaksInHeaderLikeFields) {
  CreateArtifactRequest r;
  r.set_name("public/log.txt");
  r.set_content_type("text/plain\r\nX-Injected: 1");
  r.set_content(std::string("\0\xFF\r\n", 4));  // bytes are opaque
  absl::Status s = CheckInput(r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("content_type must not contain a line break"));
  r.set_content_type("text/plain");
  EXPECT_TRUE(CheckInput(r).ok());
  r.set_task_id("abc\n");
  EXPECT_EQ(CheckInput(r).code(), absl::StatusCode::kInvalidArgument);
}

TEST(InputCheckTest, RefusesNonFiniteNumbers) {
  for (double d :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity()}) {
    CreateTaskRequest r = Task(nlohmann::json::object());
    google::protobuf::Value v;
    v.set_number_value(d);
    (*r.mutable_task()->mutable_payload()->mutable_fields())["n"] = v;
    absl::Status s = CheckInput(r);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(s.message()), HasSubstr("task.payload.n"));
  }
}

TEST(InputCheckTest, CapsJsonDepthAndElements) {
  nlohmann::json deep = 1;
  for (int i = 0; i < 40; ++i) deep = nlohmann::json::array({deep});
  absl::Status s = CheckInput(Task({{"d", deep}}));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(s.message()), HasSubstr("deeper than 32"));

  InputLimits small;
  small.max_json_elements = 1000;
  nlohmann::json wide = nlohmann::json::array();
  for (int i = 0; i < 1001; ++i) wide.push_back(i);
  EXPECT_EQ(CheckInput(Task({{"w", wide}}), small).code(), absl::StatusCode::kResourceExhausted);
  wide.erase(wide.begin());
  wide.erase(wide.begin());
  EXPECT_TRUE(CheckInput(Task({{"w", wide}}), small).ok());
}

}  // namespace
}  // namespace bulwark
