// cereal 1.3.2 (header-only, no schema): the structs written by non-intrusive serialize()
// functions (one per struct, below) through cereal's binary archives. `cereal:binary`:
// BinaryOutputArchive / BinaryInputArchive, every value in the machine's own byte order with no
// metadata; `cereal:portable`: PortableBinaryOutputArchive / PortableBinaryInputArchive, one byte
// saying the writer's byte order first and the values swapped on load when it differs from the
// reader's. Strings and vectors are a 64-bit count then the elements (chars and doubles as one
// block), an optional a presence byte then the value, a bool one byte: cereal's own types/*.hpp.
//
// cereal has no verifier and its loads trust the bytes, so validate is a decode into a scratch
// struct that catches every exception, and decode is made safe on any input by replacing three of
// cereal's loads for these two input archives, each reading cereal's own wire form:
// - std::string and std::vector: cereal resizes to whatever count it reads (a flipped bit in a
//   length asks for terabytes); these grow by bounded steps (stream_bytes.h);
// - bool: cereal copies the byte into the bool, and a byte other than 0 or 1 makes a bool whose
//   every later read is undefined behaviour (UBSan stops on it); this refuses such a byte, which
//   also covers std::optional's presence flag (cereal's optional load reads it as a bool).
// A decode must also consume every byte, and `cereal:portable` refuses a byte-order byte other
// than 0 or 1 (cereal would take any other value for "swap"): neither library nor format checks
// more (no checksum), so most bit flips in strings or numbers give another valid message.
#pragma once

#include <cereal/archives/binary.hpp>
#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include <istream>
#include <ostream>

#include "../cases.h"
#include "stream_bytes.h"

// --- the structs (cereal finds non-intrusive serialize functions in its own namespace) -----------

namespace hotbench::serial::cereal_detail {
// ar(member) for every member in declaration order: the list Boost.Describe gives the JSON codecs.
template <class Archive, class T>
void members(Archive& ar, T& m) {
  typed::for_each_member<T>([&](auto member) { ar(m.*member.pointer); });
}
}  // namespace hotbench::serial::cereal_detail

namespace cereal {
namespace typed = hotbench::json::typed;
using hotbench::serial::cereal_detail::members;

template <class Archive> void serialize(Archive& ar, typed::Address& m) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, typed::LineItem& m) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, typed::Order& m) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, typed::GeoPoint& m) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, typed::UserProfile& m) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, typed::Attribute& m) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, typed::Actor& m) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, typed::EventMetadata& m) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, typed::Event& m) { members(ar, m); }
template <class Archive, class T>
void serialize(Archive& ar, hotbench::serial::Batch<T>& b) {
  ar(b.messages);
}
}  // namespace cereal

// --- the bounded loads (see the top) --------------------------------------------------------------

namespace hotbench::serial::cereal_detail {

template <class Archive>
std::uint64_t load_count(Archive& ar) {
  cereal::size_type n = 0;
  ar(cereal::make_size_tag(n));
  return n;
}

template <class Archive>
void load_bool(Archive& ar, bool& b) {
  std::uint8_t byte = 0;
  ar(byte);
  if (byte > 1) throw cereal::Exception("a bool's byte is " + std::to_string(byte) + ", not 0 or 1");
  b = byte == 1;
}

template <class Archive>
void load_string(Archive& ar, std::string& s) {
  load_bounded(s, load_count(ar), [&](char* p, std::size_t k) { ar(cereal::binary_data(p, k)); });
}

template <class Archive, class T>
void load_vector(Archive& ar, std::vector<T>& v) {
  const std::uint64_t n = load_count(ar);
  // cereal's vector.hpp writes arithmetic elements as one block, everything else one by one.
  if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>)
    load_bounded(v, n, [&](T* p, std::size_t k) { ar(cereal::binary_data(p, k * sizeof(T))); });
  else
    load_elements(v, n, [&](T& element) { ar(element); });
}

}  // namespace hotbench::serial::cereal_detail

namespace cereal {
// Overloads more specialized than cereal's templates (non-templates for the archive, and for
// vector the allocator too), so overload resolution picks them for these two input archives.
inline void CEREAL_LOAD_FUNCTION_NAME(BinaryInputArchive& ar, bool& b) {
  hotbench::serial::cereal_detail::load_bool(ar, b);
}
inline void CEREAL_LOAD_FUNCTION_NAME(PortableBinaryInputArchive& ar, bool& b) {
  hotbench::serial::cereal_detail::load_bool(ar, b);
}
inline void CEREAL_LOAD_FUNCTION_NAME(BinaryInputArchive& ar, std::string& s) {
  hotbench::serial::cereal_detail::load_string(ar, s);
}
inline void CEREAL_LOAD_FUNCTION_NAME(PortableBinaryInputArchive& ar, std::string& s) {
  hotbench::serial::cereal_detail::load_string(ar, s);
}
template <class T>
void CEREAL_LOAD_FUNCTION_NAME(BinaryInputArchive& ar, std::vector<T>& v) {
  hotbench::serial::cereal_detail::load_vector(ar, v);
}
template <class T>
void CEREAL_LOAD_FUNCTION_NAME(PortableBinaryInputArchive& ar, std::vector<T>& v) {
  hotbench::serial::cereal_detail::load_vector(ar, v);
}
}  // namespace cereal

namespace hotbench::serial {
// Not in an anonymous namespace: the schema-evolution rows write and read their own structs with it.
namespace cereal_detail {

using typed::DecodeError;

// The archives write to and read from streams kept for the adapter's life (a stream's construction
// copies the global locale); an archive is made per message, as cereal's archives are meant to be
// (one archive, one message: their destructors finish the output).
template <class OutputArchive, class InputArchive>
class Cereal {
 public:
  template <class T>
  void encode(const T& in, std::string& out) {
    out.clear();
    sink_.reset(out);
    OutputArchive ar(output_);
    ar(in);
  }
  template <class T>
  void decode(std::string_view bytes, T& out) {
    if constexpr (kPortable) {
      // The byte order byte: 1 little-endian, 0 big-endian.
      if (bytes.empty() || static_cast<unsigned char>(bytes[0]) > 1)
        throw DecodeError("cereal:portable: the first byte (byte order) is not 0 or 1");
    }
    source_.reset(bytes);
    try {
      InputArchive ar(input_);
      ar(out);
    } catch (const std::exception& e) {
      throw DecodeError(std::string(kName) + ": " + e.what());
    }
    if (source_.remaining() != 0)
      throw DecodeError(std::string(kName) + ": " + std::to_string(source_.remaining()) +
                        " bytes left after the message");
  }
  template <class T>
  bool validate(std::string_view bytes) {
    return decodes<T>(*this, bytes);
  }

 private:
  static constexpr bool kPortable = std::is_same_v<InputArchive, cereal::PortableBinaryInputArchive>;
  static constexpr const char* kName = kPortable ? "cereal:portable" : "cereal:binary";
  StringSink sink_;
  ViewSource source_;
  std::ostream output_{&sink_};
  std::istream input_{&source_};
};

}  // namespace cereal_detail

using cereal_detail::Cereal;

}  // namespace hotbench::serial
