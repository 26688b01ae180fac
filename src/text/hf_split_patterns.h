// The regular expressions tokenizer.json files ship for Split and ByteLevel pre-tokenizers, as
// hand-written matchers recognised by their exact pattern string (attnscope has no regex engine
// with \p{L} and look-ahead): GPT-2's, Llama 3's (digits in runs of up to 3) and Qwen2's (single
// digits). Any other pattern is refused by the caller, naming it.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace attnscope::hf {

using Extents = std::vector<std::pair<size_t, size_t>>;  // [begin, end) in bytes, in order
using PatternMatcher = Extents (*)(std::string_view text);

inline const char* const kGpt2Pattern = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
inline const char* const kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
inline const char* const kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// The matcher for `regex`, or nullptr when attnscope does not know it. Every character of a text
// belongs to exactly one match of these patterns, so the extents tile the text.
PatternMatcher known_pattern(const std::string& regex);

// \w+|[^\w\s]+ (the Whitespace pre-tokenizer), \w being letters, marks, decimal digits and
// connector punctuation; whitespace belongs to no match.
Extents word_or_symbol_runs(std::string_view text);

}  // namespace attnscope::hf
