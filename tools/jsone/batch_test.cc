#include "tools/jsone/batch.h"

#include <sstream>

#include "gtest/gtest.h"

namespace bulwark::jsone_tool {
namespace {

const absl::Time kNow = absl::FromUnixMillis(1484843240974);  // 2017-01-19T16:27:20.974Z

TEST(BatchTest, RendersResult) {
  EXPECT_EQ(
      RenderBatchLine(
          R"({"template":{"a":{"$eval":"x + 1"},"b":"${y}"},"context":{"x":1.5,"y":"z"}})", kNow),
      R"({"result":{"a":2.5,"b":"z"}})");
}

TEST(BatchTest, UsesLineNowAndDefaultNow) {
  EXPECT_EQ(RenderBatchLine(R"({"template":{"$fromNow":"1 day"},"now":"2020-01-01T00:00:00.000Z"})",
                            kNow),
            R"({"result":"2020-01-02T00:00:00.000Z"})");
  EXPECT_EQ(RenderBatchLine(R"({"template":{"$eval":"now"}})", kNow),
            R"({"result":"2017-01-19T16:27:20.974Z"})");
}

TEST(BatchTest, NothingRendersAsNull) {
  EXPECT_EQ(RenderBatchLine(R"({"template":{"$if":"false","then":1}})", kNow),
            R"({"result":null})");
}

TEST(BatchTest, ErrorIsToString) {
  EXPECT_EQ(RenderBatchLine(R"({"template":{"a":[{"$eval":"nope"}]}})", kNow),
            R"({"error":"InterpreterError at template.a[0]: unknown context value nope"})");
}

TEST(BatchTest, NumbersAreWrittenAsJavaScriptDoes) {
  EXPECT_EQ(RenderBatchLine(R"({"template":{"$eval":"[1.0, 10 ** 22, 0.1 + 0.2, 1/3, 10 ** -7]"}})",
                            kNow),
            R"({"result":[1,1e+22,0.30000000000000004,0.3333333333333333,1e-7]})");
}

TEST(BatchTest, MalformedLines) {
  EXPECT_EQ(RenderBatchLine("not json", kNow).rfind(R"({"error":"input: )", 0), 0u);
  EXPECT_EQ(RenderBatchLine(R"({"context":{}})", kNow).rfind(R"({"error":"input: )", 0), 0u);
  EXPECT_EQ(
      RenderBatchLine(R"({"template":1,"now":"yesterday"})", kNow).rfind(R"({"error":"input: )", 0),
      0u);
}

TEST(BatchTest, RunBatchWritesOneLinePerInputAndCountsRenders) {
  std::istringstream in("{\"template\":1}\n{\"template\":{\"$eval\":\"x\"}}\nbad\n");
  std::ostringstream out;
  const BatchStats stats = RunBatch(in, out, 3, kNow);
  EXPECT_EQ(out.str(),
            "{\"result\":1}\n"
            "{\"error\":\"InterpreterError: unknown context value x\"}\n"
            "{\"error\":\"input: each line must be a JSON object with a "
            "\\\"template\\\"\"}\n");
  EXPECT_EQ(stats.renders, 6);  // Malformed lines are not rendered.
  EXPECT_EQ(StatsLine(BatchStats{4, 100.0}), R"({"ns_per_render":25.0,"renders":4})");
}

}  // namespace
}  // namespace bulwark::jsone_tool
