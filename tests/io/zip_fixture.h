// Zip archives built in tests, as np.savez (stored) and np.savez_compressed (deflate) write them:
// local headers and data, central directory, end record. Shared by test_zip_reader and
// test_attention_import_npz.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::testing {

// Little-endian `n` bytes of `v`.
inline void put(std::string& s, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}

// zlib's deflate with `window_bits` as deflateInit2 takes them: -MAX_WBITS raw (zip members),
// MAX_WBITS + 16 with a gzip wrapper.
inline std::string deflate_with(const std::string& data, int window_bits, int level = 6) {
  z_stream zs{};
  deflateInit2(&zs, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// `data` as a raw deflate stream (no zlib header), as zip members hold it.
inline std::string raw_deflate(const std::string& data, int level = 6) { return deflate_with(data, -MAX_WBITS, level); }
inline std::string gzip(const std::string& data) { return deflate_with(data, MAX_WBITS + 16); }

struct Member {
  std::string name, data;
  bool deflate = false;
};

inline std::string make_zip(const std::vector<Member>& members) {
  std::string zip, central;
  for (const Member& m : members) {
    const std::string body = m.deflate ? raw_deflate(m.data) : m.data;
    const uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(m.data.data()), static_cast<uInt>(m.data.size())));
    const uint16_t method = m.deflate ? 8 : 0;
    const size_t offset = zip.size();
    put(zip, 0x04034b50, 4); put(zip, 20, 2); put(zip, 0, 2); put(zip, method, 2); put(zip, 0, 4);
    put(zip, crc, 4); put(zip, body.size(), 4); put(zip, m.data.size(), 4); put(zip, m.name.size(), 2); put(zip, 0, 2);
    zip += m.name + body;
    put(central, 0x02014b50, 4); put(central, 20, 2); put(central, 20, 2); put(central, 0, 2); put(central, method, 2);
    put(central, 0, 4); put(central, crc, 4); put(central, body.size(), 4); put(central, m.data.size(), 4);
    put(central, m.name.size(), 2); put(central, 0, 2); put(central, 0, 2); put(central, 0, 2); put(central, 0, 2);
    put(central, 0, 4); put(central, offset, 4);
    central += m.name;
  }
  const size_t cd_offset = zip.size();
  zip += central;
  put(zip, 0x06054b50, 4); put(zip, 0, 2); put(zip, 0, 2); put(zip, members.size(), 2); put(zip, members.size(), 2);
  put(zip, central.size(), 4); put(zip, cd_offset, 4); put(zip, 0, 2);
  return zip;
}

}  // namespace attnscope::testing
