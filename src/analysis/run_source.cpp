#include "analysis/run_source.h"

#include <stdexcept>

#include "io/attention_file.h"

namespace attnscope {

SavedRuns::SavedRuns(const std::vector<std::string>& files) {
  for (const std::string& f : files)
    for (AttentionRun& r : load_attention_set(f).runs) runs_.push_back(std::move(r));
  if (runs_.empty()) throw std::runtime_error("the files hold no runs");
}

}  // namespace attnscope
