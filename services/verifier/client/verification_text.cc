#include "services/verifier/client/verification_text.h"

#include <map>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace bulwark::verifier {
namespace {

constexpr char kPass[] = "\u2713";
constexpr char kFail[] = "\u2717";

void AppendChecks(std::string& out, const std::string& indent,
                  const google::protobuf::RepeatedPtrField<v1::Check>& checks) {
  for (const v1::Check& c : checks) {
    absl::StrAppend(&out, indent, c.passed() ? kPass : kFail, " ", c.name(),
                    c.reason().empty() ? "" : ": ", c.reason(), "\n");
  }
}

// "a:b:c" -> "a:b"; "a" -> "".
std::string ParentName(const std::string& name) {
  size_t colon = name.rfind(':');
  return colon == std::string::npos ? "" : name.substr(0, colon);
}

// `s` inside a DOT double-quoted string.
std::string DotEscape(const std::string& s) {
  return absl::StrReplaceAll(s, {{"\\", "\\\\"}, {"\"", "\\\""}});
}

std::string DotQuote(const std::string& s) { return absl::StrCat("\"", DotEscape(s), "\""); }

}  // namespace

std::string VerificationTree(const v1::Verification& v) {
  const bool passed = v.verdict() == v1::VERDICT_PASS;
  std::string out = absl::StrCat("chain of trust of task ", v.task_id(), " as ", v.task_type(),
                                 ": ", passed ? "PASS" : "FAIL", " (verification ",
                                 v.verification_id(), ", policy ", v.policy_version(), ")\n");
  if (!v.repository().empty()) absl::StrAppend(&out, "repository: ", v.repository(), "\n");
  std::set<std::string> names;
  std::map<std::string, std::vector<const v1::ChainLink*>> children;
  for (const v1::ChainLink& link : v.links()) names.insert(link.name());
  for (const v1::ChainLink& link : v.links()) {
    std::string parent = ParentName(link.name());
    children[names.count(parent) > 0 ? parent : ""].push_back(&link);
  }
  // Depth-first from the roots; each name is printed once, so the walk is bounded by the links.
  std::vector<std::pair<const v1::ChainLink*, int>> stack;
  for (auto it = children[""].rbegin(); it != children[""].rend(); ++it) stack.push_back({*it, 0});
  std::set<std::string> printed;
  while (!stack.empty()) {
    auto [link, depth] = stack.back();
    stack.pop_back();
    if (!printed.insert(link->name()).second) continue;
    std::string indent(size_t{2} * depth, ' ');
    absl::StrAppend(&out, indent, link->passed() ? kPass : kFail, " ", link->name(), "  task ",
                    link->task_id(), link->worker_pool().empty() ? "" : " on ", link->worker_pool(),
                    "\n");
    AppendChecks(out, indent + "    ", link->checks());
    auto kids = children.find(link->name());
    if (kids == children.end()) continue;
    for (auto it = kids->second.rbegin(); it != kids->second.rend(); ++it) {
      stack.push_back({*it, depth + 1});
    }
  }
  if (v.checks_size() > 0) {
    absl::StrAppend(&out, "chain:\n");
    AppendChecks(out, "    ", v.checks());
  }
  return out;
}

std::string VerificationDot(const v1::Verification& v) {
  std::string out =
      absl::StrCat("digraph chain_of_trust {\n  label=",
                   DotQuote(absl::StrCat("task ", v.task_id(), " as ", v.task_type(), ": ",
                                         v.verdict() == v1::VERDICT_PASS ? "PASS" : "FAIL")),
                   ";\n  node [shape=box, style=filled, fontname=monospace];\n");
  std::set<std::string> tasks;
  for (const v1::ChainLink& link : v.links()) tasks.insert(link.task_id());
  for (const v1::ChainLink& link : v.links()) {
    std::vector<std::string> failed;
    for (const v1::Check& c : link.checks()) {
      if (!c.passed()) failed.push_back(c.name());
    }
    // Lines joined by DOT's "\n", each part escaped.
    std::string label = absl::StrCat(DotEscape(link.name()), "\\n", DotEscape(link.task_id()),
                                     "\\n", DotEscape(link.worker_pool()));
    if (!failed.empty()) {
      absl::StrAppend(&label, "\\n\u2717 ", DotEscape(absl::StrJoin(failed, ", ")));
    }
    absl::StrAppend(&out, "  ", DotQuote(link.task_id()), " [label=\"", label,
                    "\", fillcolor=", link.passed() ? "palegreen" : "lightpink", "];\n");
  }
  for (const v1::ChainLink& link : v.links()) {
    if (!link.decision_task_id().empty() && link.decision_task_id() != link.task_id() &&
        tasks.count(link.decision_task_id()) > 0) {
      absl::StrAppend(&out, "  ", DotQuote(link.task_id()), " -> ",
                      DotQuote(link.decision_task_id()), " [label=decision];\n");
    }
    for (const std::string& upstream : link.upstream_task_ids()) {
      if (tasks.count(upstream) == 0) continue;
      absl::StrAppend(&out, "  ", DotQuote(link.task_id()), " -> ", DotQuote(upstream),
                      " [label=upstream];\n");
    }
  }
  absl::StrAppend(&out, "}\n");
  return out;
}

}  // namespace bulwark::verifier
