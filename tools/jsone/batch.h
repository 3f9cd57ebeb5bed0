// File: tools/jsone/batch.h
//
// The `jsone batch` protocol, used by differential tests and side-by-side
// benchmarks: each input line is a JSON object {"template": T, "context":
// {...}, "now": "ISO"} (context and now optional; now defaults to the wall
// clock) and produces one output line,
// {"result": R} or {"error": "<the error's toString()>"}; a template that
// renders to nothing gives {"result":null}. Output JSON is written as
// JavaScript's JSON.stringify writes it (keys sorted). A line that is not such
// an object gives an "error" line starting "input:".
//
// With repeat > 0 each line is also rendered `repeat` times through
// jsone::Render (template and context JSON in, JSON out; input parsing
// excluded) and the timing is reported.
//
// Thread-safety: functions of their arguments only.

#ifndef BULWARK_TOOLS_JSONE_BATCH_H_
#define BULWARK_TOOLS_JSONE_BATCH_H_

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>

#include "absl/time/time.h"

namespace bulwark::jsone_tool {

// The output line (without newline) for input line `line`; `default_now` is
// used when the line has no "now".
std::string RenderBatchLine(const std::string& line, absl::Time default_now);

struct BatchStats {
  int64_t renders = 0;
  double total_ns = 0;
};

// Reads every line of `in`, writes one output line per input line to `out`, and
// when `repeat` > 0 times `repeat` renders of each line.
BatchStats RunBatch(std::istream& in, std::ostream& out, int64_t repeat, absl::Time default_now);

// The timing line: {"renders":N,"ns_per_render":X}.
std::string StatsLine(const BatchStats& stats);

}  // namespace bulwark::jsone_tool

#endif  // BULWARK_TOOLS_JSONE_BATCH_H_
