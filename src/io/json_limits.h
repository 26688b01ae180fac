// Limits on JSON read from files: a hostile file must not crash the reader or cost gigabytes.
// nlohmann::json parses without recursion, but copying, dumping and our own walkers over a
// parsed value recurse once per level, so a file nested 100,000 levels deep would overflow the
// stack. Every JSON read from a file (attention files, configs, tokenizers, checkpoints) goes
// through parse_json_bounded, which refuses such nesting before parsing.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace attnscope {

// Deeper than any real config, tokenizer or attention file (a [layers, 1, heads, q, k] list is 5).
constexpr size_t kMaxJsonDepth = 512;

// Throws std::runtime_error "<what>: JSON nests deeper than 512 levels (...)" (no "<what>: " when
// `what` is empty) when an array or object in `text` opens more than `max_depth` levels deep;
// brackets inside strings do not count.
// Text that is not JSON passes: the parser then names what is wrong.
void check_json_depth(std::string_view text, const std::string& what, size_t max_depth = kMaxJsonDepth);

// The number of items in the outermost array or object of `text` (0 when it is neither or
// empty), counted without parsing: lets a caller refuse a list longer than the file can back
// before building it.
size_t json_top_level_items(std::string_view text);

// check_json_depth, then Json::parse(text): parse errors still throw nlohmann's exceptions, so
// callers keep their own wording for them.
template <class Json = nlohmann::json>
Json parse_json_bounded(std::string_view text, const std::string& what) {
  check_json_depth(text, what);
  return Json::parse(text);
}

}  // namespace attnscope
