// The zip reader on archives built here: stored and deflated members, CRC checks, damage.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/zip_reader.h"
#include "zip_fixture.h"

using namespace attnscope;
using namespace attnscope::testing;

namespace {


// One member as numpy writes a large one: ZIP64 extra fields with the sizes and offset, a ZIP64
// end record and locator, 0xFFFF... in the classic fields; then an archive comment.
std::string make_zip64(const std::string& name, const std::string& data, const std::string& comment) {
  const uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
  std::string zip = std::string(100, 'x');  // something before the member: its offset is not 0
  const size_t offset = zip.size();
  put(zip, 0x04034b50, 4); put(zip, 45, 2); put(zip, 0, 2); put(zip, 0, 2); put(zip, 0, 4); put(zip, crc, 4);
  put(zip, 0xFFFFFFFF, 4); put(zip, 0xFFFFFFFF, 4); put(zip, name.size(), 2); put(zip, 20, 2);
  zip += name;
  put(zip, 1, 2); put(zip, 16, 2); put(zip, data.size(), 8); put(zip, data.size(), 8);
  zip += data;
  const size_t cd_offset = zip.size();
  std::string central;
  put(central, 0x02014b50, 4); put(central, 45, 2); put(central, 45, 2); put(central, 0, 2); put(central, 0, 2);
  put(central, 0, 4); put(central, crc, 4); put(central, 0xFFFFFFFF, 4); put(central, 0xFFFFFFFF, 4);
  put(central, name.size(), 2); put(central, 28, 2); put(central, 0, 2); put(central, 0, 2); put(central, 0, 2);
  put(central, 0, 4); put(central, 0xFFFFFFFF, 4);
  central += name;
  put(central, 1, 2); put(central, 24, 2); put(central, data.size(), 8); put(central, data.size(), 8); put(central, offset, 8);
  zip += central;
  const size_t end64 = zip.size();
  put(zip, 0x06064b50, 4); put(zip, 44, 8); put(zip, 45, 2); put(zip, 45, 2); put(zip, 0, 4); put(zip, 0, 4);
  put(zip, 1, 8); put(zip, 1, 8); put(zip, central.size(), 8); put(zip, cd_offset, 8);
  put(zip, 0x07064b50, 4); put(zip, 0, 4); put(zip, end64, 8); put(zip, 1, 4);
  put(zip, 0x06054b50, 4); put(zip, 0, 2); put(zip, 0, 2); put(zip, 0xFFFF, 2); put(zip, 0xFFFF, 2);
  put(zip, 0xFFFFFFFF, 4); put(zip, 0xFFFFFFFF, 4); put(zip, comment.size(), 2);
  return zip + comment;
}

std::string error_of(const std::string& bytes) {
  try {
    ZipReader z = ZipReader::from_bytes(bytes, "a.npz");
    for (const ZipMember& m : z.members()) z.extract(m);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

const std::string kText = "attention attention attention attention weights weights weights";

}  // namespace

TEST(ZipReader, StoredAndDeflatedMembers) {
  const ZipReader z = ZipReader::from_bytes(make_zip({{"a.npy", kText, false}, {"b.npy", kText + "!", true}}), "a.npz");
  ASSERT_EQ(z.members().size(), 2u);
  EXPECT_EQ(z.members()[0].name, "a.npy");
  EXPECT_EQ(z.members()[0].method, 0);
  EXPECT_EQ(z.members()[1].method, 8);
  EXPECT_LT(z.members()[1].compressed_size, z.members()[1].size);
  EXPECT_EQ(z.extract(z.members()[0]), kText);
  EXPECT_EQ(z.extract(z.members()[1]), kText + "!");
}

TEST(ZipReader, EmptyMembersAndArchives) {
  const ZipReader z = ZipReader::from_bytes(make_zip({{"e.npy", "", true}, {"f.npy", "", false}}), "a.npz");
  EXPECT_EQ(z.extract(z.members()[0]), "");
  EXPECT_EQ(z.extract(z.members()[1]), "");
  EXPECT_TRUE(ZipReader::from_bytes(make_zip({}), "a.npz").members().empty());
}

TEST(ZipReader, DamageIsDetected) {
  const std::string stored = make_zip({{"a.npy", kText, false}});
  std::string flipped = stored;
  flipped[30 + 5 + 3] ^= 0x20;  // a data byte of the stored member
  EXPECT_NE(error_of(flipped).find("CRC-32 mismatch"), std::string::npos);

  const std::string deflated = make_zip({{"a.npy", kText, true}});
  std::string broken = deflated;
  broken[30 + 5] = '\xff';  // an invalid deflate block type
  EXPECT_NE(error_of(broken).find("a.npz: member 'a.npy'"), std::string::npos);

  EXPECT_NE(error_of("not a zip at all, just some text that is long enough").find("no end-of-central-directory"),
            std::string::npos);
  EXPECT_NE(error_of("PK").find("too short"), std::string::npos);
  // Cut in the middle: the end record is gone.
  EXPECT_NE(error_of(stored.substr(0, stored.size() / 2)).find("not a valid zip"), std::string::npos);
}

TEST(ZipReader, Zip64RecordsAndArchiveComments) {
  for (const std::string comment : {std::string(), std::string(40000, 'c')}) {
    const ZipReader z = ZipReader::from_bytes(make_zip64("big.npy", kText, comment), "a.npz");
    ASSERT_EQ(z.members().size(), 1u);
    EXPECT_EQ(z.members()[0].size, kText.size());
    EXPECT_EQ(z.members()[0].local_header_offset, 100u);
    EXPECT_EQ(z.extract(z.members()[0]), kText);
  }
}

TEST(ZipReader, FilesStreamInChunksWithoutReadingTheWholeArchive) {
  // A member larger than one chunk, from a file: stream() hands it over in order, in pieces of at
  // most kChunk; head() gives the first bytes; a damaged copy fails after the last piece.
  std::string data(ZipReader::kChunk * 2 + 12345, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 2654435761u) >> 13);
  const std::string path = ::testing::TempDir() + "zip_reader_stream.npz";
  for (bool deflate : {false, true}) {
    std::string zip = make_zip({{"a.npy", data, deflate}});
    {
      std::ofstream(path, std::ios::binary) << zip;
    }
    const ZipReader z = ZipReader::open(path);
    std::string got;
    size_t pieces = 0;
    z.stream(z.members()[0], [&](std::string_view piece) {
      EXPECT_LE(piece.size(), ZipReader::kChunk);
      got.append(piece);
      ++pieces;
    });
    EXPECT_TRUE(got == data);
    EXPECT_GE(pieces, 3u);
    EXPECT_EQ(z.head(z.members()[0], 10), data.substr(0, 10));
    if (!deflate) {
      zip[30 + 5 + data.size() - 1] ^= 1;  // the last byte
      std::ofstream(path, std::ios::binary) << zip;
      const ZipReader damaged = ZipReader::open(path);
      size_t seen = 0;
      EXPECT_THROW(damaged.stream(damaged.members()[0], [&](std::string_view piece) { seen += piece.size(); }), std::runtime_error);
      EXPECT_EQ(seen, data.size());
    }
  }
  std::remove(path.c_str());
}
