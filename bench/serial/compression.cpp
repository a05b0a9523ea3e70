// The codecs of compression.h: zstd and lz4, each configured once here (the level is part of every
// figure, and each row's label records it).
#include "compression.h"

#include <lz4.h>
#include <zstd.h>

#include <cstdint>
#include <cstring>

namespace hotbench::serial {
namespace {

// zstd's own default level (ZSTD_CLEVEL_DEFAULT): what an application gets without choosing.
constexpr int kZstdLevel = 3;
// lz4's default: LZ4_compress_default is LZ4_compress_fast with acceleration 1.
constexpr int kLz4Acceleration = 1;

// A standard zstd frame: magic number, header with the content size, no checksum (the default).
// The contexts are reused, as ZSTD_compressCCtx/ZSTD_decompressDCtx intend: their tables are
// allocated on the first call and kept.
class Zstd final : public Codec {
 public:
  Zstd() : c_(ZSTD_createCCtx()), d_(ZSTD_createDCtx()) {
    if (!c_ || !d_) throw std::runtime_error("zstd: cannot create a context");
  }
  ~Zstd() override {
    ZSTD_freeCCtx(c_);
    ZSTD_freeDCtx(d_);
  }
  Zstd(const Zstd&) = delete;
  Zstd& operator=(const Zstd&) = delete;

  void compress(std::string_view bytes, std::string& out) override {
    const std::size_t bound = ZSTD_compressBound(bytes.size());
    char* to = packed_.at_least(bound);
    const std::size_t n = ZSTD_compressCCtx(c_, to, bound, bytes.data(), bytes.size(), kZstdLevel);
    if (ZSTD_isError(n)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(n));
    out.assign(to, n);
  }
  bool decompress(std::string_view bytes, std::string_view& out) override {
    const unsigned long long size = ZSTD_getFrameContentSize(bytes.data(), bytes.size());
    if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR || size > kMaxDecompressedBytes)
      return false;
    char* to = unpacked_.at_least(size);
    // An error for a frame that holds more or less than its header says, or bytes after it.
    const std::size_t n = ZSTD_decompressDCtx(d_, to, size, bytes.data(), bytes.size());
    if (ZSTD_isError(n) || n != size) return false;
    out = std::string_view(to, n);
    return true;
  }
  std::string settings() const override { return "zstd level " + std::to_string(kZstdLevel); }

 private:
  ZSTD_CCtx* c_;
  ZSTD_DCtx* d_;
  Scratch packed_, unpacked_;
};

// An lz4 block after a 4-byte little-endian size of the decompressed bytes: the block format keeps
// no size of its own, and the frame format (LZ4F) would add 11-19 bytes of header and end mark to
// every message. One stream state is reused, each message starting a new chain after
// LZ4_resetStream_fast (an independent block, no dictionary): LZ4_compress_fast_extState would
// clear the whole 16 KiB state on every call, about 45 % of the instructions of compressing an
// order (callgrind, a scratch program on the corpus's lines; the faster _extState_fastReset is not
// exported by Debian's liblz4).
class Lz4 final : public Codec {
 public:
  Lz4() : stream_(LZ4_createStream()) {
    if (!stream_) throw std::runtime_error("lz4: cannot create a stream state");
  }
  ~Lz4() override { LZ4_freeStream(stream_); }
  Lz4(const Lz4&) = delete;
  Lz4& operator=(const Lz4&) = delete;

  void compress(std::string_view bytes, std::string& out) override {
    const int bound = LZ4_compressBound(static_cast<int>(bytes.size()));
    if (bound <= 0 || bytes.size() > kMaxDecompressedBytes)
      throw std::runtime_error("lz4: " + std::to_string(bytes.size()) + " bytes is more than it compresses");
    char* to = packed_.at_least(kSizeBytes + static_cast<std::size_t>(bound));
    const auto size = static_cast<std::uint32_t>(bytes.size());
    for (std::size_t i = 0; i < kSizeBytes; ++i) to[i] = static_cast<char>(size >> (8 * i));
    LZ4_resetStream_fast(stream_);
    const int n = LZ4_compress_fast_continue(stream_, bytes.data(), to + kSizeBytes, static_cast<int>(bytes.size()),
                                             bound, kLz4Acceleration);
    if (n <= 0) throw std::runtime_error("lz4: compression failed");
    out.assign(to, kSizeBytes + static_cast<std::size_t>(n));
  }
  bool decompress(std::string_view bytes, std::string_view& out) override {
    if (bytes.size() < kSizeBytes || bytes.size() - kSizeBytes > static_cast<std::size_t>(LZ4_MAX_INPUT_SIZE)) return false;
    std::uint32_t size = 0;
    for (std::size_t i = 0; i < kSizeBytes; ++i) size |= std::uint32_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
    if (size > kMaxDecompressedBytes) return false;
    char* to = unpacked_.at_least(size);
    // LZ4_decompress_safe never reads or writes out of bounds, and returns the bytes it wrote, or
    // a negative number for a malformed block: anything but exactly `size` is refused.
    const int n = LZ4_decompress_safe(bytes.data() + kSizeBytes, to, static_cast<int>(bytes.size() - kSizeBytes),
                                      static_cast<int>(size));
    if (n < 0 || static_cast<std::uint32_t>(n) != size) return false;
    out = std::string_view(to, size);
    return true;
  }
  std::string settings() const override { return "lz4 acceleration " + std::to_string(kLz4Acceleration); }

 private:
  static constexpr std::size_t kSizeBytes = 4;
  LZ4_stream_t* stream_;
  Scratch packed_, unpacked_;
};

}  // namespace

std::unique_ptr<Codec> make_codec(const std::string& name) {
  if (name == "zstd") return std::make_unique<Zstd>();
  if (name == "lz4") return std::make_unique<Lz4>();
  throw std::invalid_argument("no codec '" + name + "' (known: zstd, lz4)");
}

}  // namespace hotbench::serial
