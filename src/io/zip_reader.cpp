#include "io/zip_reader.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <stdexcept>

#include "io/atomic_file.h"

namespace attnscope {

namespace {

constexpr uint32_t kLocalHeaderSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50, kZip64LocatorSig = 0x07064b50;
constexpr size_t kEndSize = 22, kCentralSize = 46, kLocalSize = 30, kZip64LocatorSize = 20, kZip64EndSize = 56;
constexpr uint32_t kZip64Marker = 0xFFFFFFFF;
constexpr uint16_t kZip64ExtraId = 0x0001;
// Deflate cannot expand data by more than about 1032:1; a larger claim means a corrupt header.
constexpr uint64_t kMaxDeflateRatio = 1040;

uint64_t le(const std::string& b, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(b[at + i])) << (8 * i);
  return v;
}

}  // namespace

ZipReader ZipReader::open(const std::string& path) { return from_bytes(read_file(path), path); }

ZipReader ZipReader::from_bytes(std::string bytes, const std::string& name) {
  ZipReader z;
  z.name_ = name;
  z.bytes_ = std::move(bytes);
  const std::string& b = z.bytes_;
  auto fail = [&](const std::string& why) { return std::runtime_error(name + ": not a valid zip/.npz archive: " + why); };
  auto need = [&](uint64_t at, uint64_t n, const char* what) {
    if (at > b.size() || n > b.size() - at) throw fail(std::string(what) + " runs past the end of the file (truncated?)");
  };

  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  if (b.size() < kEndSize) throw fail("file is " + std::to_string(b.size()) + " bytes, too short");
  size_t end = std::string::npos;
  const size_t lowest = b.size() > kEndSize + 0xFFFF ? b.size() - kEndSize - 0xFFFF : 0;
  for (size_t at = b.size() - kEndSize + 1; at-- > lowest;)
    if (le(b, at, 4) == kEndSig) {
      end = at;
      break;
    }
  if (end == std::string::npos) throw fail("no end-of-central-directory record");
  uint64_t count = le(b, end + 10, 2), cd_size = le(b, end + 12, 4), cd_offset = le(b, end + 16, 4);
  if (end >= kZip64LocatorSize && le(b, end - kZip64LocatorSize, 4) == kZip64LocatorSig) {
    const uint64_t at = le(b, end - kZip64LocatorSize + 8, 8);
    need(at, kZip64EndSize, "ZIP64 end record");
    if (le(b, at, 4) != kZip64EndSig) throw fail("bad ZIP64 end record signature");
    count = le(b, at + 32, 8);
    cd_size = le(b, at + 40, 8);
    cd_offset = le(b, at + 48, 8);
  }
  need(cd_offset, cd_size, "central directory");

  uint64_t at = cd_offset;
  for (uint64_t i = 0; i < count; ++i) {
    need(at, kCentralSize, "central directory entry");
    if (le(b, at, 4) != kCentralSig) throw fail("bad central directory entry signature");
    ZipMember m;
    const uint16_t flags = static_cast<uint16_t>(le(b, at + 8, 2));
    m.method = static_cast<uint16_t>(le(b, at + 10, 2));
    m.crc32 = static_cast<uint32_t>(le(b, at + 16, 4));
    m.compressed_size = le(b, at + 20, 4);
    m.size = le(b, at + 24, 4);
    const size_t name_len = le(b, at + 28, 2), extra_len = le(b, at + 30, 2), comment_len = le(b, at + 32, 2);
    m.local_header_offset = le(b, at + 42, 4);
    need(at + kCentralSize, name_len + extra_len + comment_len, "central directory entry");
    m.name = b.substr(at + kCentralSize, name_len);
    if (flags & 1) throw fail("member '" + m.name + "' is encrypted");
    // ZIP64: sizes and offset that do not fit 32 bits live in extra field 0x0001, in this order.
    for (size_t e = at + kCentralSize + name_len; e + 4 <= at + kCentralSize + name_len + extra_len;) {
      const uint16_t id = static_cast<uint16_t>(le(b, e, 2)), len = static_cast<uint16_t>(le(b, e + 2, 2));
      if (id == kZip64ExtraId) {
        size_t p = e + 4;
        for (uint64_t* field : {&m.size, &m.compressed_size, &m.local_header_offset}) {
          if (*field != kZip64Marker) continue;
          if (p + 8 > e + 4 + len) throw fail("member '" + m.name + "': short ZIP64 extra field");
          *field = le(b, p, 8);
          p += 8;
        }
      }
      e += 4 + len;
    }
    z.members_.push_back(std::move(m));
    at += kCentralSize + name_len + extra_len + comment_len;
  }
  return z;
}

std::string ZipReader::extract(const ZipMember& m) const {
  const std::string& b = bytes_;
  auto fail = [&](const std::string& why) { return std::runtime_error(name_ + ": member '" + m.name + "': " + why); };
  if (m.local_header_offset > b.size() || b.size() - m.local_header_offset < kLocalSize)
    throw fail("local header runs past the end of the file (truncated?)");
  const size_t at = m.local_header_offset;
  if (le(b, at, 4) != kLocalHeaderSig) throw fail("bad local header signature");
  const uint64_t data = at + kLocalSize + le(b, at + 26, 2) + le(b, at + 28, 2);
  if (data > b.size() || m.compressed_size > b.size() - data) throw fail("data runs past the end of the file (truncated?)");
  const char* in = b.data() + data;

  std::string out;
  if (m.method == 0) {
    if (m.compressed_size != m.size) throw fail("stored member's sizes disagree");
    out.assign(in, m.size);
  } else if (m.method == 8) {
    if (m.size > m.compressed_size * kMaxDeflateRatio + 1024) throw fail("implausible uncompressed size " + std::to_string(m.size));
    out.resize(m.size);
    z_stream zs{};
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) throw fail("zlib inflateInit2 failed");
    uint64_t in_left = m.compressed_size, out_left = m.size;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in));
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    int rc = Z_OK;
    while (rc == Z_OK) {
      // zlib counts in 32-bit uInt; feed very large members in chunks.
      if (zs.avail_in == 0) {
        zs.avail_in = static_cast<uInt>(std::min<uint64_t>(in_left, UINT_MAX));
        in_left -= zs.avail_in;
      }
      if (zs.avail_out == 0) {
        zs.avail_out = static_cast<uInt>(std::min<uint64_t>(out_left, UINT_MAX));
        out_left -= zs.avail_out;
      }
      // Both buffers were just refilled, so Z_BUF_ERROR means the input ended early or the
      // output would exceed the declared size: either way the member is damaged.
      rc = inflate(&zs, Z_NO_FLUSH);
    }
    const uint64_t produced = zs.total_out;
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) throw fail("corrupt deflate data (zlib error " + std::to_string(rc) + ")");
    if (produced != m.size) throw fail("inflated to " + std::to_string(produced) + " bytes, expected " + std::to_string(m.size));
  } else {
    throw fail("compression method " + std::to_string(m.method) + " is not supported (only stored and deflate)");
  }

  uLong crc = crc32(0L, Z_NULL, 0);
  for (uint64_t done = 0; done < out.size();) {
    const uInt n = static_cast<uInt>(std::min<uint64_t>(out.size() - done, UINT_MAX));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(out.data() + done), n);
    done += n;
  }
  if (static_cast<uint32_t>(crc) != m.crc32) throw fail("CRC-32 mismatch (the archive is damaged)");
  return out;
}

}  // namespace attnscope
