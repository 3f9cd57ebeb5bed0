#include "services/hooks/store/hook_definition.h"

#include "gtest/gtest.h"
#include "libraries/proto/struct_json.h"

namespace bulwark::hooks {
namespace {

HookRow Row() {
  HookRow h;
  h.hook_group_id = "g";
  h.hook_id = "a/b";
  h.metadata = {{"name", "n"}, {"owner", "o@example.com"}, {"description", ""}};
  h.schedule = nlohmann::json::array({"0 0 * * *"});
  h.task = {{"z", 3.0}, {"a", {0.1, -0.0, 1e16, nlohmann::json::array()}}, {"é", "ü\"\n"}};
  h.trigger_schema = {{"type", "object"}};
  // Not part of the definition.
  h.sealed_trigger_token = "sealed";
  h.next_task_id = "next";
  h.created = absl::FromUnixSeconds(1);
  return h;
}

TEST(HookDefinitionTest, CanonicalTextIsSortedCompactWithNormalizedNumbers) {
  absl::StatusOr<std::string> text = CanonicalDefinition(Row());
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "{\"hookGroupId\":\"g\",\"hookId\":\"a/b\",\"metadata\":{\"description\":\"\","
            "\"name\":\"n\",\"owner\":\"o@example.com\"},\"schedule\":[\"0 0 * * *\"],"
            "\"task\":{\"a\":[0.1,0,1e+16,[]],\"z\":3,\"\xC3\xA9\":\"\xC3\xBC\\\"\\n\"},"
            "\"triggerSchema\":{\"type\":\"object\"}}");
}

TEST(HookDefinitionTest, OnlyTheDefinitionCounts) {
  HookRow a = Row();
  HookRow b = Row();
  b.sealed_trigger_token = "other";
  b.next_task_id = "other";
  b.next_scheduled_date = absl::FromUnixSeconds(5);
  b.last_modified = absl::FromUnixSeconds(9);
  EXPECT_EQ(*CanonicalDefinition(a), *CanonicalDefinition(b));
  b.metadata["name"] = "renamed";
  EXPECT_NE(*CanonicalDefinition(a), *CanonicalDefinition(b));
  HookRow c = Row();
  c.hook_id = "a/c";  // the same definition under another hook is another document
  EXPECT_NE(*CanonicalDefinition(a), *CanonicalDefinition(c));
}

TEST(HookDefinitionTest, NumbersReadBackFromStructOrJsonbGiveTheSameText) {
  HookRow row = Row();
  std::string canonical = *CanonicalDefinition(row);
  // Through the API's Struct (every number a double).
  HookRow via_struct = row;
  via_struct.task = JsonFromStruct(*StructFromJson(row.task));
  EXPECT_EQ(*CanonicalDefinition(via_struct), canonical);
  // As jsonb prints them: 1e16 in full digits, 3 without a fraction.
  HookRow via_jsonb = row;
  via_jsonb.task = nlohmann::json::parse(
      "{\"z\": 3, \"a\": [0.1, 0, 10000000000000000, []], \"\xC3\xA9\": \"\xC3\xBC\\\"\\n\"}");
  EXPECT_EQ(*CanonicalDefinition(via_jsonb), canonical);
  HookRow changed = row;
  changed.task["z"] = 3.5;
  EXPECT_NE(*CanonicalDefinition(changed), canonical);
}

TEST(HookDefinitionTest, Sha256IsLowercaseHexOfTheBytes) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(IsSha256Hex(Sha256Hex("")));
  EXPECT_FALSE(IsSha256Hex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
  EXPECT_FALSE(IsSha256Hex(std::string(63, 'a')));
  EXPECT_FALSE(IsSha256Hex(std::string(65, 'a')));
  EXPECT_FALSE(IsSha256Hex(std::string(63, 'a') + "g"));
}

TEST(HookDefinitionTest, ParsesBackToTheSameDefinition) {
  std::string canonical = *CanonicalDefinition(Row());
  absl::StatusOr<HookRow> parsed = HookFromDefinition(canonical);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->hook_group_id, "g");
  EXPECT_EQ(parsed->hook_id, "a/b");
  EXPECT_EQ(parsed->task["z"], 3);
  EXPECT_EQ(*CanonicalDefinition(*parsed), canonical);
  // A hook whose group id is a number.
  const char* const numeric_group =
      "{\"hookGroupId\":1,\"hookId\":\"h\",\"metadata\":{},\"schedule\":[],"
      "\"task\":{},\"triggerSchema\":{}}";
  for (const char* bad : {"", "not json", "[]", "{\"hookGroupId\":\"g\"}", numeric_group}) {
    EXPECT_EQ(HookFromDefinition(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(HookDefinitionTest, InvalidUtf8IsRefusedNotThrown) {
  HookRow row = Row();
  row.task["bad"] = std::string("\xFF\xFE");
  absl::StatusOr<std::string> text = CanonicalDefinition(row);
  EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(text.status().message().find("g/a/b"), std::string::npos) << text.status();
}

}  // namespace
}  // namespace bulwark::hooks
