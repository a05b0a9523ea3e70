// Compression as an option (compression.h): every format through every codec gives back each
// order member by member (validate, access and partial_read too), the codec really compresses,
// and the codecs refuse what is not one whole compressed message without reading out of bounds
// or allocating what a corrupted size asks for (the asan preset runs this).
#include <gtest/gtest.h>

#include <filesystem>

#include "harness/suite.h"
#include "serial/cases.h"
#include "serial/compression.h"

namespace hotbench::serial {
namespace {

const std::vector<std::string> kCodecs(std::begin(kCompressions) + 1, std::end(kCompressions));  // all but none

TEST(SerialCompression, EveryFormatThroughEveryCodecGivesBackEveryOrder) {
  const auto path = (std::filesystem::path(suite_info().default_data.at(0)) / "orders.jsonl").string();
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " missing: python3 data/generate.py";
  const auto messages = load_messages<Order>(path);
  for (const Format& format : formats().all()) {
    for (const std::string& codec : kCodecs) {
      SCOPED_TRACE(format.name + " + " + codec);
      auto plain = format.make<Order>();
      auto f = format.make<Order>(codec);
      std::string raw, bytes;
      std::size_t raw_total = 0, wire_total = 0;
      for (std::size_t i = 0; i < messages->items.size(); ++i) {
        const Order& want = messages->items[i];
        f->encode(want, bytes);
        plain->encode(want, raw);
        raw_total += raw.size();
        wire_total += bytes.size();
        Order got{};
        f->decode(bytes, got);
        ASSERT_EQ(first_difference(got, want), "") << messages->where(i);
        ASSERT_TRUE(f->validate(bytes)) << messages->where(i);
        if (f->has_access()) {
          ASSERT_EQ(f->access(bytes), fingerprint_of(want)) << messages->where(i);
        }
        // Cut short, the message is refused by validate and by decode, whatever the format (on a
        // sample: a refused decode is a thrown exception, slow under AddressSanitizer).
        if (i % 25 == 0) {
          const std::string_view cut(bytes.data(), bytes.size() / 2);
          EXPECT_FALSE(f->validate(cut)) << messages->where(i);
          EXPECT_THROW(f->decode(cut, got), std::exception) << messages->where(i);
        }
      }
      // Not a pass-through: these orders compress with every format (by 11-40 %, docs/serial.md).
      EXPECT_LT(wire_total, raw_total);
      std::string batch;
      f->encode_batch({messages->items}, batch);
      std::vector<Stamp> stamps;
      f->partial_read(batch, stamps);
      ASSERT_EQ(stamps.size(), messages->items.size());
      for (std::size_t i = 0; i < stamps.size(); ++i) ASSERT_EQ(stamps[i], stamp_of(messages->items[i]));
    }
  }
}

TEST(SerialCompression, CodecsRefuseWhatIsNotOneWholeMessage) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "sku-" + std::to_string(i % 17) + " qty " + std::to_string(i % 5) + "; ";
  for (const std::string& name : kCodecs) {
    SCOPED_TRACE(name);
    auto codec = make_codec(name);
    std::string packed;
    std::string_view back;
    codec->compress(text, packed);
    ASSERT_LT(packed.size(), text.size());
    ASSERT_TRUE(codec->decompress(packed, back));
    EXPECT_EQ(back, text);
    codec->compress("", packed);  // an empty message is a message
    ASSERT_TRUE(codec->decompress(packed, back));
    EXPECT_EQ(back, "");
    codec->compress(text, packed);
    for (std::size_t n = 0; n < packed.size(); ++n)
      EXPECT_FALSE(codec->decompress(std::string_view(packed.data(), n), back)) << "cut at " << n;
    EXPECT_FALSE(codec->decompress(packed + "x", back)) << "a byte after the message";
    EXPECT_FALSE(codec->decompress(packed + packed, back)) << "two messages";
  }
  // A size over the limit is refused before any allocation of that size: lz4's 4-byte size
  // field, zstd's frame header content size.
  auto lz4 = make_codec("lz4");
  std::string packed;
  std::string_view back;
  lz4->compress("abc", packed);
  packed[3] = '\x7f';  // 2 GiB and more
  EXPECT_FALSE(lz4->decompress(packed, back));
  EXPECT_THROW(make_codec("gzip"), std::invalid_argument);
}

}  // namespace
}  // namespace hotbench::serial
