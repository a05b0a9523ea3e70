// The messaging suite's payloads: the queue suite's message layout (message.h)
// at run-time sizes, 8 bytes to 16 KB and more.
//
// Word 0 is the tag (producer id in the top 16 bits, sequence number below, as
// queue::Message); the last word is Message's fill of the tag; every word in
// between is Message's fill of tag 0 (the same for every message of a size).
// So a producer writes two words per message, not the whole payload, and the
// consumer checks every byte with one memcmp against the fixed middle plus the
// two tag-derived words: a changed byte anywhere, a truncated or padded
// payload, or a message spliced from two others is not intact. (queue::Message
// fills every word from the tag; at 16 KB that costs microseconds per message
// on both sides, which would be a share of a broker's own cost here.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "../queue/message.h"

namespace hotbench::messaging {

using Tag = queue::Message<8>;  // the tag's layout and the fill function

class PayloadTemplate {
 public:
  explicit PayloadTemplate(std::size_t bytes) : words_(bytes / 8) {
    for (std::size_t i = 1; i + 1 < words_.size(); ++i) words_[i] = Tag::fill(0, i);
  }
  std::size_t bytes() const { return words_.size() * 8; }

  // A buffer of this size whose middle is the fixed fill; write() then only sets the tag words.
  std::vector<std::byte> buffer() const {
    std::vector<std::byte> b(bytes());
    std::memcpy(b.data(), words_.data(), b.size());
    return b;
  }
  static std::uint64_t tag_of(std::uint32_t producer, std::uint64_t seq) {
    return (std::uint64_t{producer} << Tag::kSeqBits) | seq;
  }
  void write(std::vector<std::byte>& b, std::uint32_t producer, std::uint64_t seq) const {
    const std::uint64_t tag = tag_of(producer, seq);
    std::memcpy(b.data(), &tag, 8);
    if (words_.size() > 1) {
      const std::uint64_t last = Tag::fill(tag, words_.size() - 1);
      std::memcpy(b.data() + b.size() - 8, &last, 8);
    }
  }

  // A received payload as Delivery::accept wants it: producer(), seq(), intact().
  class View {
   public:
    View(const PayloadTemplate& t, std::span<const std::byte> b) : t_(t), b_(b) {
      if (b_.size() >= 8) std::memcpy(&tag_, b_.data(), 8);
    }
    std::uint64_t tag() const { return tag_; }
    std::uint32_t producer() const { return static_cast<std::uint32_t>(tag_ >> Tag::kSeqBits); }
    std::uint64_t seq() const { return tag_ & ((std::uint64_t{1} << Tag::kSeqBits) - 1); }
    bool intact() const {
      const std::size_t n = t_.words_.size();
      if (b_.size() != n * 8) return false;
      if (n == 1) return true;  // all tag: the sequence check covers it
      std::uint64_t last;
      std::memcpy(&last, b_.data() + b_.size() - 8, 8);
      return last == Tag::fill(tag_, n - 1) &&
             std::memcmp(b_.data() + 8, t_.words_.data() + 1, (n - 2) * 8) == 0;
    }

   private:
    const PayloadTemplate& t_;
    std::span<const std::byte> b_;
    std::uint64_t tag_ = ~std::uint64_t{0};  // a payload shorter than a tag belongs to no producer
  };
  View view(std::span<const std::byte> b) const { return View(*this, b); }

 private:
  std::vector<std::uint64_t> words_;
};

}  // namespace hotbench::messaging
