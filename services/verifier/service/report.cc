#include "services/verifier/service/report.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace bulwark::verifier {
namespace {

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

nlohmann::json ChecksToJson(const std::vector<CheckResult>& checks) {
  nlohmann::json out = nlohmann::json::array();
  for (const CheckResult& c : checks) {
    out.push_back({{"name", c.name}, {"passed", c.passed}, {"reason", c.reason}});
  }
  return out;
}

const char* Mark(bool passed) { return passed ? "✓" : "✗"; }

// Escapes a string for a double-quoted DOT label.
std::string DotEscape(absl::string_view s) {
  return absl::StrReplaceAll(s, {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}});
}

int Depth(const std::string& name) {
  return static_cast<int>(std::count(name.begin(), name.end(), ':'));
}

}  // namespace

bool LinkReport::passed() const {
  return std::all_of(checks.begin(), checks.end(), [](const CheckResult& c) { return c.passed; });
}

std::vector<std::string> VerificationReport::Failures() const {
  std::vector<std::string> out;
  for (const LinkReport& link : links) {
    for (const CheckResult& c : link.checks) {
      if (!c.passed) out.push_back(absl::StrCat(link.name, ": ", c.name));
    }
  }
  for (const CheckResult& c : chain_checks) {
    if (!c.passed) out.push_back(absl::StrCat("chain: ", c.name));
  }
  return out;
}

std::vector<const CheckResult*> VerificationReport::Find(absl::string_view link_name,
                                                         absl::string_view check) const {
  std::vector<const CheckResult*> out;
  const std::vector<CheckResult>* list = nullptr;
  if (link_name == "chain") {
    list = &chain_checks;
  } else if (const LinkReport* link = FindLink(link_name)) {
    list = &link->checks;
  }
  if (list == nullptr) return out;
  for (const CheckResult& c : *list) {
    if (c.name == check) out.push_back(&c);
  }
  return out;
}

const LinkReport* VerificationReport::FindLink(absl::string_view link_name) const {
  for (const LinkReport& link : links) {
    if (link.name == link_name) return &link;
  }
  return nullptr;
}

nlohmann::json ReportToJson(const VerificationReport& report) {
  nlohmann::json links = nlohmann::json::array();
  for (const LinkReport& link : report.links) {
    nlohmann::json j = {{"name", link.name},
                        {"taskId", link.task_id},
                        {"taskType", link.task_type},
                        {"pool", link.pool},
                        {"decisionTaskId", link.decision_task_id},
                        {"isDecision", link.is_decision},
                        {"upstreamTaskIds", link.upstream_task_ids},
                        {"passed", link.passed()},
                        {"checks", ChecksToJson(link.checks)}};
    j["runId"] = link.run_id.has_value() ? nlohmann::json(*link.run_id) : nlohmann::json();
    links.push_back(std::move(j));
  }
  return {{"taskId", report.task_id},
          {"taskType", report.task_type},
          {"verdict", report.passed ? "PASS" : "FAIL"},
          {"policyVersion", report.policy_version},
          {"policySha256", report.policy_sha256},
          {"repository", report.repository},
          {"started", Rfc3339(report.started)},
          {"finished", Rfc3339(report.finished)},
          {"links", std::move(links)},
          {"chainChecks", ChecksToJson(report.chain_checks)}};
}

std::string ReportToText(const VerificationReport& report) {
  std::string out = absl::StrCat(
      report.passed ? "PASS" : "FAIL", ": ", report.task_type, " task ", report.task_id,
      "\n  policy ", report.policy_version, " (sha256 ", report.policy_sha256.substr(0, 12),
      "), repository ", report.repository.empty() ? "unknown" : report.repository, "\n  verified ",
      Rfc3339(report.started), " .. ", Rfc3339(report.finished), "\n");
  for (const LinkReport& link : report.links) {
    const std::string indent(2 + 4 * Depth(link.name), ' ');
    absl::StrAppend(&out, indent, Mark(link.passed()), " ", link.name, "  ", link.task_id,
                    "  pool ", link.pool.empty() ? "?" : link.pool);
    if (link.run_id.has_value()) absl::StrAppend(&out, "  run ", *link.run_id);
    absl::StrAppend(&out, "\n");
    for (const CheckResult& c : link.checks) {
      absl::StrAppend(&out, indent, "    ", Mark(c.passed), " ", c.name, ": ", c.reason, "\n");
    }
  }
  bool chain_ok = std::all_of(report.chain_checks.begin(), report.chain_checks.end(),
                              [](const CheckResult& c) { return c.passed; });
  absl::StrAppend(&out, "  ", Mark(chain_ok), " chain\n");
  for (const CheckResult& c : report.chain_checks) {
    absl::StrAppend(&out, "      ", Mark(c.passed), " ", c.name, ": ", c.reason, "\n");
  }
  return out;
}

std::string ReportToDot(const VerificationReport& report) {
  std::string out = "digraph chain_of_trust {\n  rankdir=LR;\n  node [shape=box, style=filled];\n";
  absl::StrAppend(&out, "  label=\"", DotEscape(report.task_type), " task ",
                  DotEscape(report.task_id), ": ", report.passed ? "PASS" : "FAIL", " (policy ",
                  DotEscape(report.policy_version), ")\";\n");
  std::set<std::string> ids;
  for (const LinkReport& link : report.links) ids.insert(link.task_id);
  for (const LinkReport& link : report.links) {
    std::vector<std::string> failing;
    for (const CheckResult& c : link.checks) {
      if (!c.passed) failing.push_back(c.name);
    }
    std::string label = absl::StrCat(link.name, "\n", link.task_id, "\n", link.pool);
    if (!failing.empty()) absl::StrAppend(&label, "\n✗ ", absl::StrJoin(failing, "\n✗ "));
    absl::StrAppend(&out, "  \"", DotEscape(link.task_id), "\" [label=\"", DotEscape(label),
                    "\", fillcolor=\"", link.passed() ? "palegreen" : "salmon", "\"];\n");
  }
  for (const LinkReport& link : report.links) {
    if (!link.decision_task_id.empty() && link.decision_task_id != link.task_id &&
        ids.count(link.decision_task_id) > 0) {
      absl::StrAppend(&out, "  \"", DotEscape(link.task_id), "\" -> \"",
                      DotEscape(link.decision_task_id), "\" [label=\"taskGroupId\"];\n");
    }
    for (const std::string& up : link.upstream_task_ids) {
      if (ids.count(up) == 0) continue;
      absl::StrAppend(&out, "  \"", DotEscape(link.task_id), "\" -> \"", DotEscape(up),
                      "\" [label=\"upstreamArtifacts\"];\n");
    }
  }
  absl::StrAppend(&out, "}\n");
  return out;
}

}  // namespace bulwark::verifier
