// Reads the members of a ZIP archive: enough for .npz files (np.savez stores members
// uncompressed, np.savez_compressed deflates them, numpy writes ZIP64 records).
// The central directory is the source of truth for names and sizes; every member's CRC-32 is
// checked after extraction, so a damaged archive fails loudly instead of yielding wrong weights.
// An archive opened from a path is read with pread as needed, never whole: the central directory
// when opening, then each member when asked (stream() in bounded chunks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

struct ZipMember {
  std::string name;
  uint16_t method = 0;            // 0 stored, 8 deflate (nothing else is supported)
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t size = 0;              // uncompressed
  uint64_t local_header_offset = 0;
};

class ZipReader {
 public:
  // Reads the central directory; throws std::runtime_error "<path>: <what is wrong>".
  static ZipReader open(const std::string& path);
  // Parses archive bytes already in memory; `name` is used in error messages.
  static ZipReader from_bytes(std::string bytes, const std::string& name);

  const std::vector<ZipMember>& members() const { return members_; }  // in archive order
  // The member whole, in memory; checks size and CRC-32. Refuses, before inflating, a member that
  // would take what this reader's extract() calls hold past hold_limit().
  std::string extract(const ZipMember& m) const;

  // The most extract() hands out in all from one archive: kMaxHoldRatio times the archive's size,
  // and at least kMinHoldLimit. Deflate expands up to 1032:1, but real arrays (floats, token
  // lists) expand far less, so a small file claiming gigabytes is refused instead of held.
  static constexpr uint64_t kMaxHoldRatio = 64;
  static constexpr uint64_t kMinHoldLimit = uint64_t{64} << 20;
  uint64_t hold_limit() const;

  // Hands the member's uncompressed bytes to `sink` in order, at most kChunk at a time. Size and
  // CRC-32 are checked as the last step, after the last sink call: what the sink got is only
  // good once stream() returns.
  static constexpr size_t kChunk = size_t{4} << 20;
  void stream(const ZipMember& m, const std::function<void(std::string_view)>& sink) const;
  // The member's first `n` bytes (all of it if shorter), unchecked: for reading a header.
  std::string head(const ZipMember& m, size_t n) const;

  struct Source;  // where the archive's bytes come from: memory or an open file

 private:
  // Streams up to `limit` uncompressed bytes; checks size and CRC-32 only when it reads them all.
  void stream_up_to(const ZipMember& m, uint64_t limit, const std::function<void(std::string_view)>& sink) const;

  std::string name_;
  std::shared_ptr<const Source> source_;
  std::vector<ZipMember> members_;
  mutable uint64_t held_ = 0;  // bytes extract() has handed out
};

}  // namespace attnscope
