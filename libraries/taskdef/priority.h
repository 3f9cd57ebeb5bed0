// File: libraries/taskdef/priority.h
//
// Task priorities, Taskcluster's seven, from lowest (rank 0) to highest (rank 6).
//
// Thread-safety: constants and a pure function.

#ifndef BULWARK_LIBRARIES_TASKDEF_PRIORITY_H_
#define BULWARK_LIBRARIES_TASKDEF_PRIORITY_H_

#include <string>

namespace bulwark::taskdef {

inline constexpr const char* kPriorities[] = {"lowest", "very-low",  "low",    "medium",
                                              "high",   "very-high", "highest"};

// The rank of a priority name, or -1 for an unknown one.
inline int PriorityRank(const std::string& priority) {
  for (int i = 0; i < 7; ++i) {
    if (priority == kPriorities[i]) return i;
  }
  return -1;
}

}  // namespace bulwark::taskdef

#endif  // BULWARK_LIBRARIES_TASKDEF_PRIORITY_H_
