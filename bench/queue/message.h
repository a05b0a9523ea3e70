// The messages every queue carries: 8, 64 or 1024 bytes, each carrying its
// producer and sequence number (the "tag") plus a fill derived from the tag, so
// the consumer can check cheaply that a message is intact, from a producer that
// exists, and in that producer's order.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hotbench::queue {

template <std::size_t Bytes>
struct Message {
  static_assert(Bytes >= 8 && Bytes % 8 == 0);
  static constexpr std::size_t kWords = Bytes / 8;
  static constexpr int kSeqBits = 48;  // producer id in the top 16 bits

  std::uint64_t words[kWords];  // words[0] is the tag; the rest a fill of the tag

  static constexpr std::uint64_t fill(std::uint64_t tag, std::size_t i) {
    return (tag * 0x9E3779B97F4A7C15ull) ^ i;  // differs per word and per message
  }
  static Message make(std::uint32_t producer, std::uint64_t seq) {
    Message m;
    m.words[0] = (std::uint64_t{producer} << kSeqBits) | seq;
    for (std::size_t i = 1; i < kWords; ++i) m.words[i] = fill(m.words[0], i);
    return m;
  }
  std::uint32_t producer() const { return static_cast<std::uint32_t>(words[0] >> kSeqBits); }
  std::uint64_t seq() const { return words[0] & ((std::uint64_t{1} << kSeqBits) - 1); }
  // Every byte as sent (an 8-byte message is all tag: the sequence check covers it).
  bool intact() const {
    for (std::size_t i = 1; i < kWords; ++i)
      if (words[i] != fill(words[0], i)) return false;
    return true;
  }
};

static_assert(sizeof(Message<8>) == 8 && sizeof(Message<64>) == 64 && sizeof(Message<1024>) == 1024);

}  // namespace hotbench::queue
