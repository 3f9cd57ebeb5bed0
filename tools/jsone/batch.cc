#include "tools/jsone/batch.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "libraries/jsone/from_now.h"
#include "libraries/jsone/json_text.h"
#include "libraries/jsone/render.h"
#include "nlohmann/json.hpp"

namespace bulwark::jsone_tool {
namespace {

using nlohmann::json;

struct BatchInput {
  json tmpl;
  json context = json::object();
  absl::Time now;
  std::string error;  // Set when the line is malformed.
};

BatchInput ParseLine(const std::string& line, absl::Time default_now) {
  BatchInput input;
  input.now = default_now;
  json parsed = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() || !parsed.contains("template")) {
    input.error = "input: each line must be a JSON object with a \"template\"";
    return input;
  }
  input.tmpl = std::move(parsed["template"]);
  if (parsed.contains("context")) input.context = std::move(parsed["context"]);
  if (parsed.contains("now")) {
    const json& now = parsed["now"];
    const double ms = now.is_string() ? jsone::ParseDateMs(now.get<std::string>())
                                      : std::numeric_limits<double>::quiet_NaN();
    if (std::isnan(ms)) {
      input.error = "input: \"now\" must be an ISO 8601 date-time string";
      return input;
    }
    input.now = absl::FromUnixMillis(static_cast<int64_t>(ms));
  }
  return input;
}

std::string ErrorLine(std::string_view message) {
  std::string out = "{\"error\":";
  jsone::AppendJsonString(message, &out);
  out.push_back('}');
  return out;
}

std::string OutputLine(const BatchInput& input) {
  if (!input.error.empty()) return ErrorLine(input.error);
  absl::StatusOr<jsone::Value> result = jsone::RenderValue(input.tmpl, input.context, input.now);
  if (!result.ok()) {
    const absl::string_view message = result.status().message();
    return ErrorLine(std::string_view(message.data(), message.size()));
  }
  std::string out = "{\"result\":";
  jsone::AppendStringified(*result, {}, &out);
  out.push_back('}');
  return out;
}

}  // namespace

std::string RenderBatchLine(const std::string& line, absl::Time default_now) {
  return OutputLine(ParseLine(line, default_now));
}

BatchStats RunBatch(std::istream& in, std::ostream& out, int64_t repeat, absl::Time default_now) {
  std::vector<BatchInput> inputs;
  std::string line;
  while (std::getline(in, line)) inputs.push_back(ParseLine(line, default_now));

  BatchStats stats;
  for (const BatchInput& input : inputs) {
    if (repeat > 0 && input.error.empty()) {
      const auto start = std::chrono::steady_clock::now();
      for (int64_t i = 0; i < repeat; ++i) {
        absl::StatusOr<json> rendered = jsone::Render(input.tmpl, input.context, input.now);
        // Keep the optimiser from dropping the work.
        if (rendered.ok() && rendered->is_discarded()) out << "";
      }
      const auto end = std::chrono::steady_clock::now();
      stats.total_ns += std::chrono::duration<double, std::nano>(end - start).count();
      stats.renders += repeat;
    }
    out << OutputLine(input) << '\n';
  }
  return stats;
}

std::string StatsLine(const BatchStats& stats) {
  json line = {{"renders", stats.renders},
               {"ns_per_render", stats.renders > 0 ? stats.total_ns / stats.renders : 0.0}};
  return line.dump();
}

}  // namespace bulwark::jsone_tool
