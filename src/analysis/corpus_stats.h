// Per-head statistics over a whole corpus (attnscope stats): sentence i is computed by the
// process that owns it (core/process_group), the per-sentence sums are gathered and added in
// corpus order, so any process count gives bit-identical results.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>

#include "analysis/head_stats.h"
#include "analysis/run_source.h"
#include "core/process_group.h"

namespace attnscope {

// The statistics of the first `n` runs of `source`, on the root process (nullopt elsewhere).
// `progress(done)` after each sentence. The layout (kinds, layers, heads) comes from run 0.
std::optional<HeadStats> corpus_head_stats(RunSource& source, size_t n, ProcessGroup& group,
                                           const std::function<void(size_t done)>& progress = {});

}  // namespace attnscope
