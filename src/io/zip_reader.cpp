#include "io/zip_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace attnscope {

// The archive's bytes: held in memory (from_bytes) or read from an open file with pread.
struct ZipReader::Source {
  std::string name;
  std::string bytes;  // when in memory
  int fd = -1;        // when a file
  uint64_t size = 0;

  ~Source() {
    if (fd >= 0) ::close(fd);
  }
  // Copies n bytes at `at` (the caller has checked they lie inside the archive).
  void read(uint64_t at, size_t n, char* out) const {
    if (fd < 0) {
      std::memcpy(out, bytes.data() + at, n);
      return;
    }
    while (n > 0) {
      const ssize_t got = ::pread(fd, out, n, static_cast<off_t>(at));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) throw std::runtime_error("cannot read " + name + ": " + (got < 0 ? std::strerror(errno) : "file shrank while reading"));
      out += got;
      at += static_cast<uint64_t>(got);
      n -= static_cast<size_t>(got);
    }
  }
  std::string read(uint64_t at, size_t n) const {
    std::string s(n, '\0');
    read(at, n, s.data());
    return s;
  }
};

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

// Reads the end records and the central directory of `src`.
std::vector<ZipMember> read_central_directory(const ZipReader::Source& src, const std::string& name) {
  const uint64_t size = src.size;
  auto fail = [&](const std::string& why) { return std::runtime_error(name + ": not a valid zip/.npz archive: " + why); };
  auto need = [&](uint64_t at, uint64_t n, const char* what) {
    if (at > size || n > size - at) throw fail(std::string(what) + " runs past the end of the file (truncated?)");
  };

  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes; the ZIP64
  // locator just before it.
  if (size < kEndSize) throw fail("file is " + std::to_string(size) + " bytes, too short");
  const uint64_t tail_start = size > kEndSize + 0xFFFF + kZip64LocatorSize ? size - kEndSize - 0xFFFF - kZip64LocatorSize : 0;
  const std::string tail = src.read(tail_start, static_cast<size_t>(size - tail_start));
  const size_t lowest = size - tail_start > kEndSize + 0xFFFF ? tail.size() - kEndSize - 0xFFFF : 0;
  size_t end = std::string::npos;
  for (size_t at = tail.size() - kEndSize + 1; at-- > lowest;)
    if (le(tail, at, 4) == kEndSig) {
      end = at;
      break;
    }
  if (end == std::string::npos) throw fail("no end-of-central-directory record");
  uint64_t count = le(tail, end + 10, 2), cd_size = le(tail, end + 12, 4), cd_offset = le(tail, end + 16, 4);
  if (end >= kZip64LocatorSize && le(tail, end - kZip64LocatorSize, 4) == kZip64LocatorSig) {
    const uint64_t at = le(tail, end - kZip64LocatorSize + 8, 8);
    need(at, kZip64EndSize, "ZIP64 end record");
    const std::string rec = src.read(at, kZip64EndSize);
    if (le(rec, 0, 4) != kZip64EndSig) throw fail("bad ZIP64 end record signature");
    count = le(rec, 32, 8);
    cd_size = le(rec, 40, 8);
    cd_offset = le(rec, 48, 8);
  }
  need(cd_offset, cd_size, "central directory");
  const std::string b = src.read(cd_offset, static_cast<size_t>(cd_size));
  auto need_cd = [&](uint64_t at, uint64_t n, const char* what) {
    if (at > b.size() || n > b.size() - at) throw fail(std::string(what) + " runs past the end of the file (truncated?)");
  };

  std::vector<ZipMember> members;
  uint64_t at = 0;
  for (uint64_t i = 0; i < count; ++i) {
    need_cd(at, kCentralSize, "central directory entry");
    if (le(b, at, 4) != kCentralSig) throw fail("bad central directory entry signature");
    ZipMember m;
    const uint16_t flags = static_cast<uint16_t>(le(b, at + 8, 2));
    m.method = static_cast<uint16_t>(le(b, at + 10, 2));
    m.crc32 = static_cast<uint32_t>(le(b, at + 16, 4));
    m.compressed_size = le(b, at + 20, 4);
    m.size = le(b, at + 24, 4);
    const size_t name_len = le(b, at + 28, 2), extra_len = le(b, at + 30, 2), comment_len = le(b, at + 32, 2);
    m.local_header_offset = le(b, at + 42, 4);
    need_cd(at + kCentralSize, name_len + extra_len + comment_len, "central directory entry");
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
    members.push_back(std::move(m));
    at += kCentralSize + name_len + extra_len + comment_len;
  }
  return members;
}

}  // namespace

ZipReader ZipReader::open(const std::string& path) {
  if (std::filesystem::is_directory(path)) throw std::runtime_error(path + " is a directory, not a file");
  auto src = std::make_shared<Source>();
  src->name = path;
  src->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (src->fd < 0) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  struct stat st{};
  if (::fstat(src->fd, &st) != 0) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  src->size = static_cast<uint64_t>(st.st_size);
  ZipReader z;
  z.name_ = path;
  z.members_ = read_central_directory(*src, path);
  z.source_ = std::move(src);
  return z;
}

ZipReader ZipReader::from_bytes(std::string bytes, const std::string& name) {
  auto src = std::make_shared<Source>();
  src->name = name;
  src->size = bytes.size();
  src->bytes = std::move(bytes);
  ZipReader z;
  z.name_ = name;
  z.members_ = read_central_directory(*src, name);
  z.source_ = std::move(src);
  return z;
}

void ZipReader::stream_up_to(const ZipMember& m, uint64_t limit, const std::function<void(std::string_view)>& sink) const {
  const Source& src = *source_;
  const uint64_t size = src.size;
  auto fail = [&](const std::string& why) { return std::runtime_error(name_ + ": member '" + m.name + "': " + why); };
  if (m.local_header_offset > size || size - m.local_header_offset < kLocalSize)
    throw fail("local header runs past the end of the file (truncated?)");
  const uint64_t at = m.local_header_offset;
  const std::string local = src.read(at, kLocalSize);
  if (le(local, 0, 4) != kLocalHeaderSig) throw fail("bad local header signature");
  const uint64_t data = at + kLocalSize + le(local, 26, 2) + le(local, 28, 2);
  if (data > size || m.compressed_size > size - data) throw fail("data runs past the end of the file (truncated?)");
  const bool whole = limit >= m.size;

  uLong crc = crc32(0L, Z_NULL, 0);
  auto emit = [&](const char* p, size_t n) {
    if (whole) crc = crc32(crc, reinterpret_cast<const Bytef*>(p), static_cast<uInt>(n));
    sink(std::string_view(p, n));
  };
  // A head (an .npy header) reads and inflates about what it asks for, not a whole chunk.
  const uint64_t chunk = whole ? kChunk : std::min<uint64_t>(kChunk, std::max<uint64_t>(limit, 64 << 10));
  std::string in(static_cast<size_t>(std::min<uint64_t>(chunk, m.compressed_size)), '\0');
  if (m.method == 0) {
    if (m.compressed_size != m.size) throw fail("stored member's sizes disagree");
    for (uint64_t done = 0, want = std::min(limit, m.size); done < want;) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(want - done, in.size()));
      src.read(data + done, n, in.data());
      emit(in.data(), n);
      done += n;
    }
  } else if (m.method == 8) {
    if (m.size > m.compressed_size * kMaxDeflateRatio + 1024) throw fail("implausible uncompressed size " + std::to_string(m.size));
    std::string out(static_cast<size_t>(chunk), '\0');
    z_stream zs{};
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) throw fail("zlib inflateInit2 failed");
    struct End {
      z_stream* zs;
      ~End() { inflateEnd(zs); }
    } end{&zs};
    uint64_t read = 0, produced = 0;
    int rc = Z_OK;
    while (rc == Z_OK && produced < limit) {
      if (zs.avail_in == 0 && read < m.compressed_size) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(m.compressed_size - read, in.size()));
        src.read(data + read, n, in.data());
        read += n;
        zs.next_in = reinterpret_cast<Bytef*>(in.data());
        zs.avail_in = static_cast<uInt>(n);
      }
      // Never more than the declared size: a member that inflates to more is damaged.
      const uint64_t room = std::min<uint64_t>(out.size(), m.size - produced);
      zs.next_out = reinterpret_cast<Bytef*>(out.data());
      zs.avail_out = static_cast<uInt>(room);
      rc = inflate(&zs, Z_NO_FLUSH);
      const size_t got = static_cast<size_t>(room - zs.avail_out);
      produced += got;
      if (got) emit(out.data(), static_cast<size_t>(std::min<uint64_t>(got, limit - (produced - got))));
      // Input is refilled before each call, so Z_BUF_ERROR (no progress) means the input ended
      // early or the output would exceed the declared size: either way the member is damaged.
    }
    if (!whole) return;
    if (rc != Z_STREAM_END) throw fail("corrupt deflate data (zlib error " + std::to_string(rc) + ")");
    if (produced != m.size) throw fail("inflated to " + std::to_string(produced) + " bytes, expected " + std::to_string(m.size));
  } else {
    throw fail("compression method " + std::to_string(m.method) + " is not supported (only stored and deflate)");
  }
  if (whole && static_cast<uint32_t>(crc) != m.crc32) throw fail("CRC-32 mismatch (the archive is damaged)");
}

void ZipReader::stream(const ZipMember& m, const std::function<void(std::string_view)>& sink) const {
  stream_up_to(m, UINT64_MAX, sink);
}

std::string ZipReader::head(const ZipMember& m, size_t n) const {
  std::string out;
  stream_up_to(m, n, [&](std::string_view chunk) { out.append(chunk.substr(0, n - out.size())); });
  return out;
}

uint64_t ZipReader::hold_limit() const {
  const uint64_t size = source_->size;
  return std::max(kMinHoldLimit, size > UINT64_MAX / kMaxHoldRatio ? UINT64_MAX : size * kMaxHoldRatio);
}

std::string ZipReader::extract(const ZipMember& m) const {
  const uint64_t limit = hold_limit();
  if (m.size > limit - std::min(held_, limit))
    throw std::runtime_error(name_ + ": member '" + m.name + "' inflates to " + std::to_string(m.size) + " bytes from " +
                             std::to_string(m.compressed_size) + (held_ ? " (after " + std::to_string(held_) + " held)" : "") +
                             ": more than a " + std::to_string(source_->size) + "-byte archive plausibly holds (at most " +
                             std::to_string(limit) + "); a zip bomb?");
  held_ += m.size;
  std::string out;
  out.reserve(static_cast<size_t>(m.size));
  stream(m, [&](std::string_view chunk) { out.append(chunk); });
  return out;
}

}  // namespace attnscope
