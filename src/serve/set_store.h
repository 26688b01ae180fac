// The attention sets a server holds: files given on the command line and every set made by
// POST /api/run. Thread-safe (httplib answers on a thread pool). Sets are shared_ptr<const>, so
// a request keeps its set alive even if it is evicted meanwhile.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/attention_set.h"

namespace attnscope {

struct StoredSet {
  int id = 0;
  std::string name;    // file name or "<model>: <input>"
  std::string origin;  // "file" | "run"
  std::shared_ptr<const AttentionSet> set;
};

class SetStore {
 public:
  // Sets made by runs beyond this many are evicted oldest first; files are never evicted.
  static constexpr size_t kMaxRunSets = 64;

  int add(std::string name, std::string origin, AttentionSet set);
  std::shared_ptr<const AttentionSet> get(int id) const;  // throws std::out_of_range for unknown ids
  std::vector<StoredSet> list() const;

 private:
  mutable std::mutex mutex_;
  std::vector<StoredSet> sets_;
  int next_id_ = 0;
};

}  // namespace attnscope
