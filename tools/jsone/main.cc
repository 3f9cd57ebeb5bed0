// jsone: render JSON-e templates from the command line.
//
//   jsone render TEMPLATE.json [CONTEXT.json] [--now ISO]
//       Prints the rendered JSON (2-space indent); on a JSON-e error prints the
//       error's toString() on stderr and exits 1. "-" reads a file from stdin.
//       --now defaults to the current time.
//   jsone batch [--repeat N]
//       The line protocol of tools/jsone/batch.h; with --repeat N, also renders
//       each line N times and prints {"renders":...,"ns_per_render":...} on
//       stderr.
//
// Exit codes: 0 success, 1 render error, 2 usage or input error.

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "libraries/clock/clock.h"
#include "libraries/jsone/from_now.h"
#include "libraries/jsone/json_text.h"
#include "libraries/jsone/render.h"
#include "nlohmann/json.hpp"
#include "tools/jsone/batch.h"

namespace {

constexpr char kUsage[] =
    "usage: jsone render TEMPLATE.json [CONTEXT.json] [--now ISO]\n"
    "       jsone batch [--repeat N]\n";

int Usage(const std::string& problem) {
  if (!problem.empty()) std::cerr << "jsone: " << problem << "\n";
  std::cerr << kUsage;
  return 2;
}

bool ReadJsonFile(const std::string& path, nlohmann::json* out) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream file(path);
    if (!file) {
      std::cerr << "jsone: cannot read " << path << "\n";
      return false;
    }
    text << file.rdbuf();
  }
  *out = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (out->is_discarded()) {
    std::cerr << "jsone: " << path << " is not valid JSON\n";
    return false;
  }
  return true;
}

int Render(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  absl::Time now = bulwark::Clock::Real().Now();
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--now") {
      if (i + 1 >= args.size()) return Usage("--now needs a value");
      const double ms = bulwark::jsone::ParseDateMs(args[++i]);
      if (std::isnan(ms)) return Usage("--now must be an ISO 8601 date-time");
      now = absl::FromUnixMillis(static_cast<int64_t>(ms));
    } else {
      files.push_back(args[i]);
    }
  }
  if (files.empty() || files.size() > 2) return Usage("");
  nlohmann::json tmpl;
  nlohmann::json context = nlohmann::json::object();
  if (!ReadJsonFile(files[0], &tmpl)) return 2;
  if (files.size() == 2 && !ReadJsonFile(files[1], &context)) return 2;

  absl::StatusOr<bulwark::jsone::Value> result = bulwark::jsone::RenderValue(tmpl, context, now);
  if (!result.ok()) {
    std::cerr << result.status().message() << "\n";
    return 1;
  }
  bulwark::jsone::StringifyOptions options;
  options.indent = 2;
  std::cout << bulwark::jsone::Stringify(*result, options) << "\n";
  return 0;
}

int Batch(const std::vector<std::string>& args) {
  int64_t repeat = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--repeat" && i + 1 < args.size()) {
      char* end = nullptr;
      repeat = std::strtoll(args[++i].c_str(), &end, 10);
      if (*end != '\0' || repeat < 1) return Usage("--repeat needs a count >= 1");
    } else {
      return Usage("unknown argument " + args[i]);
    }
  }
  std::ios::sync_with_stdio(false);
  const bulwark::jsone_tool::BatchStats stats =
      bulwark::jsone_tool::RunBatch(std::cin, std::cout, repeat, bulwark::Clock::Real().Now());
  std::cout.flush();
  if (repeat > 0) std::cerr << bulwark::jsone_tool::StatsLine(stats) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage("");
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "render") return Render(args);
  if (command == "batch") return Batch(args);
  return Usage("unknown command " + command);
}
