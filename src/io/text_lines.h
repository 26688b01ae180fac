// Reading a corpus: one sentence a line, UTF-8, plain or gzip-compressed (a name ending in .gz).
#pragma once

#include <string>
#include <vector>

namespace attnscope {

// The lines of `path` without their line ends ("\n", and a "\r" before it). A last line without
// "\n" counts; a file ending in "\n" has no empty last line. Throws std::runtime_error naming the
// file when it cannot be opened, when a .gz file is not gzip or is cut off or corrupt, and when a
// line is not valid UTF-8 ("train.de.gz:117: not valid UTF-8 (byte 0xE4 at column 12)").
std::vector<std::string> read_text_lines(const std::string& path);

// Two files that pair up line by line (a parallel corpus; sources and references). Throws
// std::runtime_error naming both when their line counts differ, besides read_text_lines' checks.
struct LinePairs {
  std::vector<std::string> first, second;
};
LinePairs read_line_pairs(const std::string& first_path, const std::string& second_path);

// The same checks and splitting for text already in memory; `name` is used in the messages.
std::vector<std::string> split_text_lines(const std::string& text, const std::string& name);

}  // namespace attnscope
