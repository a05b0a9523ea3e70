// What the stream-based formats (cereal, Boost.Serialization) share: a streambuf that appends to
// the caller's std::string and one that reads a string_view in place (the archives read and write
// through a std::streambuf; a std::stringstream would copy the bytes both ways), and the bounded
// loads of a length-prefixed sequence. Neither library checks a length it reads against the bytes
// that follow it: a corrupted length of 2^40 makes its own string or vector load allocate (and
// zero) a terabyte, which AddressSanitizer reports as a crash and a plain build may survive only
// to run out of memory. These loads grow the container at most a bounded step beyond what the
// bytes have filled, so a false length ends in the archive's "not enough bytes" exception after at
// most as many steps as there are bytes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

namespace hotbench::serial {

// Appends what the archive writes to *out (its capacity reused between messages).
class StringSink final : public std::streambuf {
 public:
  void reset(std::string& out) { out_ = &out; }

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    out_->append(s, static_cast<std::size_t>(n));
    return n;
  }
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    out_->push_back(traits_type::to_char_type(c));
    return c;
  }

 private:
  std::string* out_ = nullptr;
};

// Reads the bytes in place; reading past their end gives the archive a short read (its own
// exception), never a byte beyond them. Nothing is written through the get area (no putback).
class ViewSource final : public std::streambuf {
 public:
  void reset(std::string_view bytes) {
    char* begin = const_cast<char*>(bytes.data());
    setg(begin, begin, begin + bytes.size());
  }
  // Bytes not read yet: a decode that leaves some has not read one whole message.
  std::size_t remaining() const { return static_cast<std::size_t>(egptr() - gptr()); }
};

// How far a load may grow a container beyond the bytes read into it. A count within them takes
// the libraries' own path (one resize, then the reads): every sequence of the corpus's messages
// does, the 300-message batch included, and cereal's decode of an order counts 0.9 % more
// instructions than with cereal's own loads (its bool check and the end-of-bytes check included).
// A false count of elements costs at most kLoadReserveElements default-constructed elements
// before the bytes run out.
inline constexpr std::size_t kLoadStepBytes = 64 * 1024;
inline constexpr std::size_t kLoadReserveElements = 1024;

// A sequence of `n` trivially copyable values (a string's chars, an array of doubles) read by
// read(pointer, count): resized by steps of kLoadStepBytes, each filled before the next.
template <class Container, class Read>
void load_bounded(Container& c, std::uint64_t n, Read&& read) {
  constexpr std::uint64_t step = std::max<std::size_t>(1, kLoadStepBytes / sizeof(typename Container::value_type));
  if (n <= step) {  // the libraries' own load, unchanged
    c.resize(static_cast<std::size_t>(n));
    if (n != 0) read(c.data(), static_cast<std::size_t>(n));
    return;
  }
  c.clear();
  for (std::uint64_t done = 0; done < n;) {
    const auto k = static_cast<std::size_t>(std::min(step, n - done));
    c.resize(static_cast<std::size_t>(done) + k);
    read(c.data() + done, k);
    done += k;
  }
}

// A sequence of `n` values each read by load_one(element): up to kLoadReserveElements resized at
// once, more reserved for that many, then grown one read element at a time. Every element type of the
// messages takes at least one byte (a string its 8-byte length), so a false `n` runs out of bytes.
template <class T, class LoadOne>
void load_elements(std::vector<T>& v, std::uint64_t n, LoadOne&& load_one) {
  if (n <= kLoadReserveElements) {  // the libraries' own load, unchanged
    v.resize(static_cast<std::size_t>(n));
    for (T& element : v) load_one(element);
    return;
  }
  v.clear();
  v.reserve(kLoadReserveElements);
  for (std::uint64_t i = 0; i < n; ++i) load_one(v.emplace_back());
}

// validate for a format with no verifier (cereal, Boost.Serialization): a bounded decode into a
// scratch value, any exception a refusal.
template <class T, class Format>
bool decodes(Format& format, std::string_view bytes) {
  try {
    T scratch{};
    format.template decode<T>(bytes, scratch);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace hotbench::serial
