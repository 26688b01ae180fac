#include "io/text_lines.h"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "io/atomic_file.h"
#include "core/utf8.h"

namespace attnscope {
namespace {

constexpr size_t kGzChunk = 1 << 18;  // bytes inflated per gzread call

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string read_gzip(const std::string& path) {
  if (std::filesystem::is_directory(path)) throw std::runtime_error(path + " is a directory, not a file");
  {
    // gzread passes non-gzip data through unchanged; a .gz name that holds plain text is a mistake.
    std::ifstream probe(path, std::ios::binary);
    if (!probe) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
    unsigned char magic[2] = {0, 0};
    probe.read(reinterpret_cast<char*>(magic), 2);
    if (probe.gcount() != 2 || magic[0] != 0x1f || magic[1] != 0x8b)
      throw std::runtime_error(path + ": not a gzip file (the name ends in .gz)");
  }
  std::unique_ptr<gzFile_s, int (*)(gzFile)> gz(gzopen(path.c_str(), "rb"), gzclose);
  if (!gz) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno ? errno : ENOMEM));
  gzbuffer(gz.get(), kGzChunk);
  const auto fail = [&] {
    int errnum = 0;
    std::string msg = gzerror(gz.get(), &errnum);
    if (msg.rfind(path + ": ", 0) == 0) msg.erase(0, path.size() + 2);  // zlib names the file too
    return std::runtime_error(path + ": corrupt or cut-off gzip data (" + (msg.empty() ? "zlib error" : msg) + ")");
  };
  std::string text;
  for (;;) {
    const size_t old = text.size();
    text.resize(old + kGzChunk);
    const int n = gzread(gz.get(), text.data() + old, static_cast<unsigned>(kGzChunk));
    if (n < 0) throw fail();
    text.resize(old + static_cast<size_t>(n));
    if (n == 0) break;
  }
  // A cut-off stream ends reads quietly, leaving Z_BUF_ERROR ("unexpected end of file") behind.
  int errnum = Z_OK;
  gzerror(gz.get(), &errnum);
  if (errnum != Z_OK) throw fail();
  return text;
}

// Index of the first byte of `line` that does not start valid UTF-8, or npos.
size_t first_invalid_utf8(std::string_view line) {
  for (size_t i = 0; i < line.size();) {
    if (static_cast<unsigned char>(line[i]) < 0x80) {
      ++i;
      continue;
    }
    const Utf8Char c = next_utf8(line, i);
    if (!c.valid) return i;
    i += c.size;
  }
  return std::string_view::npos;
}

}  // namespace

std::vector<std::string> split_text_lines(const std::string& text, const std::string& name) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const void* nl = std::memchr(text.data() + start, '\n', text.size() - start);
    size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - text.data()) : text.size();
    const size_t next = nl ? end + 1 : end;
    if (end > start && text[end - 1] == '\r') --end;
    std::string_view line(text.data() + start, end - start);
    if (const size_t bad = first_invalid_utf8(line); bad != std::string_view::npos) {
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(line[bad]));
      throw std::runtime_error(name + ":" + std::to_string(lines.size() + 1) + ": not valid UTF-8 (byte " + byte +
                               " at column " + std::to_string(bad + 1) + ")");
    }
    lines.emplace_back(line);
    start = next;
  }
  return lines;
}

std::vector<std::string> read_text_lines(const std::string& path) {
  const std::string text = ends_with(path, ".gz") ? read_gzip(path) : read_file(path);
  return split_text_lines(text, path);
}

LinePairs read_line_pairs(const std::string& first_path, const std::string& second_path) {
  LinePairs p{read_text_lines(first_path), read_text_lines(second_path)};
  if (p.first.size() != p.second.size())
    throw std::runtime_error(first_path + " has " + std::to_string(p.first.size()) + " lines but " + second_path + " has " +
                             std::to_string(p.second.size()) + ": the files pair up line by line");
  return p;
}

}  // namespace attnscope
