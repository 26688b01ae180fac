// The raw tables behind unicode_data.h, generated into unicode_tables.cpp by
// tools/gen_unicode_tables.py. Only unicode_data.cpp should read them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace attnscope::unicode_tables {

struct CategoryRun {
  char32_t first;    // first code point of a run of code points sharing one category
  uint8_t category;  // an UnicodeCategory value
};
struct CodePointPair {
  char32_t from, to;
};
struct Expansion {
  char32_t cp;
  uint16_t offset;  // into kStrippedPool
  uint8_t length;   // code points; 0 when the whole character goes
};

extern const char* const kUnicodeVersion;
extern const CategoryRun kCategoryRuns[];  // sorted by first; the first run starts at 0
extern const size_t kCategoryRunCount;
extern const CodePointPair kLowercase[];   // sorted by from
extern const size_t kLowercaseCount;
extern const char32_t kCasedBounds[];     // sorted; [b0, b1) cased, [b1, b2) not, ...
extern const size_t kCasedBoundCount;
extern const char32_t kStrippedPool[];
extern const Expansion kStripped[];        // sorted by cp
extern const size_t kStrippedCount;

}  // namespace attnscope::unicode_tables
