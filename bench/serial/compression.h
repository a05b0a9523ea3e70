// Compression as an option on any format (docs/serial.md, "Compression"): a message is encoded by
// its format, then compressed on its own; decoded by decompressing, then decoding. Per message,
// because an RPC or a cache entry (1.3-2 KB here) is sent and received alone: no dictionary, no
// batch to share a window with (the partial_read task's batch is the exception: one compressed
// blob, as a log segment is).
//
// Compressed<F> is itself an adapter of contract.h wrapping the format's: every case, check and
// test runs through it unchanged, so decode(encode(x)) == x is checked through the codec too.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "contract.h"

namespace hotbench::serial {

// The codecs, as the `compression` setting names them; rows with a codec carry the parameter
// compression=<codec>, rows with "none" (the format alone) have no parameter.
inline constexpr const char* kCompressions[] = {"none", "zstd", "lz4"};

// A decompressed message larger than this is refused (validate false, decode throws): a corrupted
// size field must not make a reader allocate gigabytes. The largest input here, partial_read's batch
// of a whole file, is under 1 MB.
inline constexpr std::size_t kMaxDecompressedBytes = std::size_t{64} << 20;

// Bytes a codec writes in place: grown to the largest size asked and kept, so that the steady state
// allocates nothing, and never zero-filled (a std::string's resize writes zeros over every byte it
// adds, work that is not the codec's and that the codec then overwrites).
class Scratch {
 public:
  char* at_least(std::size_t n) {
    if (n > capacity_ || !bytes_) {
      bytes_ = std::make_unique_for_overwrite<char[]>(n == 0 ? 1 : n);
      capacity_ = n;
    }
    return bytes_.get();
  }

 private:
  std::unique_ptr<char[]> bytes_;  // new char[]: aligned for any scalar (Cap'n Proto reads words in place)
  std::size_t capacity_ = 0;
};

// One codec with its contexts, made once and reused across calls, so a timed loop measures the
// steady-state cost and no per-call set-up.
class Codec {
 public:
  virtual ~Codec() = default;
  // bytes -> one compressed message (out replaced; its capacity may be reused): compressed into the
  // codec's scratch, then copied into `out` (the contract's output, as formats that build their bytes
  // elsewhere copy them out). Throws only when the codec cannot take the input (larger than it supports).
  virtual void compress(std::string_view bytes, std::string& out) = 0;
  // One whole compressed message -> `out`, a view of its bytes in the codec's scratch (valid until the
  // next call). False, never a throw or an out-of-bounds read, when `bytes` is not exactly one such
  // message of at most kMaxDecompressedBytes.
  virtual bool decompress(std::string_view bytes, std::string_view& out) = 0;
  // How it is configured, as each row's label records it ("zstd level 3").
  virtual std::string settings() const = 0;
};

// The codec named (one of kCompressions but "none"); throws std::invalid_argument for another name.
std::unique_ptr<Codec> make_codec(const std::string& name);

template <class F>
class Compressed {
 public:
  explicit Compressed(const std::string& codec) : codec_(make_codec(codec)) {}

  template <class T>
  void encode(const T& in, std::string& out) {
    format_.template encode<T>(in, raw_);
    codec_->compress(raw_, out);
  }
  template <class T>
  void decode(std::string_view bytes, T& out) {
    format_.template decode<T>(decompressed(bytes), out);
  }
  template <class T>
  bool validate(std::string_view bytes) {
    std::string_view raw;
    return codec_->decompress(bytes, raw) && format_.template validate<T>(raw);
  }
  template <class T>
    requires HasPartialRead<F, T>
  void partial_read(std::string_view batch, std::vector<Stamp>& out) {
    format_.template partial_read<T>(decompressed(batch), out);
  }
  template <class T, class V>
    requires HasAccess<F, T>
  void access(std::string_view bytes, V& v) {
    format_.template access<T>(decompressed(bytes), v);
  }

  // The format's own size of the message last encoded (before compression).
  std::size_t raw_size() const { return raw_.size(); }
  std::string settings() const { return codec_->settings(); }

 private:
  std::string_view decompressed(std::string_view bytes) {
    std::string_view raw;
    if (!codec_->decompress(bytes, raw)) throw std::runtime_error(codec_->settings() + ": not one compressed message");
    return raw;
  }

  F format_;
  std::unique_ptr<Codec> codec_;
  std::string raw_;  // the format's bytes of the message being encoded: reused, so its capacity is allocated once
};

template <class F>
inline constexpr bool kIsCompressed = false;
template <class F>
inline constexpr bool kIsCompressed<Compressed<F>> = true;

}  // namespace hotbench::serial
