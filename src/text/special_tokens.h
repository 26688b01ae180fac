// Special tokens written literally in the text ("The [MASK] sat", "<|endoftext|>") become their id,
// as the Hugging Face tokenizers do, instead of being tokenized as ordinary characters.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace attnscope {

struct TextSegment {
  std::string_view text;  // plain text to tokenize; empty for a special token
  int special_id = -1;    // the special token's id, or -1 for plain text
};

// Cuts `text` at every exact occurrence of a token of `specials` ({token, id}); at one position
// the longest token wins. Plain segments keep their surrounding spaces.
std::vector<TextSegment> split_on_special_tokens(std::string_view text,
                                                 const std::vector<std::pair<std::string, int>>& specials);

}  // namespace attnscope
