// Reads the members of a ZIP archive: enough for .npz files (np.savez stores members
// uncompressed, np.savez_compressed deflates them, numpy writes ZIP64 records).
// The central directory is the source of truth for names and sizes; every member's CRC-32 is
// checked after extraction, so a damaged archive fails loudly instead of yielding wrong weights.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
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
  // Reads the whole archive; throws std::runtime_error "<path>: <what is wrong>".
  static ZipReader open(const std::string& path);
  // Parses archive bytes already in memory; `name` is used in error messages.
  static ZipReader from_bytes(std::string bytes, const std::string& name);

  const std::vector<ZipMember>& members() const { return members_; }  // in archive order
  std::string extract(const ZipMember& m) const;                      // checks size and CRC-32

 private:
  std::string name_;
  std::string bytes_;
  std::vector<ZipMember> members_;
};

}  // namespace attnscope
