#include "io/json_limits.h"

#include <stdexcept>

namespace attnscope {

namespace {

// Calls on_open(depth) for each '[' or '{' outside strings and on_item() for each top-level
// item separator; stops early when on_open returns false.
template <class Open, class Item>
void scan_brackets(std::string_view text, Open on_open, Item on_item) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (!on_open(++depth, i)) return;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      case ',':
        if (depth == 1) on_item();
        break;
      default: break;
    }
  }
}

}  // namespace

void check_json_depth(std::string_view text, const std::string& what, size_t max_depth) {
  size_t at = std::string_view::npos;
  scan_brackets(
      text,
      [&](size_t depth, size_t i) {
        if (depth <= max_depth) return true;
        at = i;
        return false;
      },
      [] {});
  if (at != std::string_view::npos)
    throw std::runtime_error((what.empty() ? "" : what + ": ") + "JSON nests deeper than " + std::to_string(max_depth) + " levels (at byte " +
                             std::to_string(at) + "); refusing it");
}

size_t json_top_level_items(std::string_view text) {
  size_t items = 0;
  bool open = false, any = false;
  scan_brackets(
      text,
      [&](size_t depth, size_t) {
        if (depth == 1) open = true;
        else any = true;
        return true;
      },
      [&] { ++items; });
  if (!open) return 0;
  // n separators: n + 1 items, unless the container is empty (then no separator and no value).
  if (items > 0) return items + 1;
  const size_t first = text.find_first_of("[{");
  const size_t next = text.find_first_not_of(" \t\r\n", first + 1);
  return any || (next != std::string_view::npos && text[next] != ']' && text[next] != '}') ? 1 : 0;
}

}  // namespace attnscope
