// Boost.Serialization 1.81, binary archive (binary_oarchive / binary_iarchive, no schema): the
// structs written by non-intrusive serialize() functions (one per struct, below), each struct
// through Boost's class machinery with its defaults (implementation level object_class_info: the
// first object of each class in an archive is preceded by its tracking flag and class version,
// 5 bytes; tracking only through pointers, which these messages have none of). An archive per
// message, on a streambuf that appends to the output string or reads the bytes in place.
//
// Flag no_header: the header (the signature "serialization::archive", Boost's library version,
// the sizes of int, long, float and double and an endianness probe: 40 bytes, 2.4 % of an order
// and about 3 % of its encode and decode instructions) exists so that a file can be read by a later
// Boost or refused on another platform. For a message, the sender and the receiver fix the format
// out of band (one build, as with a protobuf schema), and the header would make the decoder's
// format a function of untrusted bytes: a corrupted library version switches Boost to the wire
// forms of older releases (16-bit class ids, a tracking flag loaded as a raw bool, which asserts).
// Without it the bytes are Boost 1.81's binary form on this platform, nothing else. The other flags
// stay at their defaults (no_codecvt would save about 85 instructions of an archive's set-up).
//
// Strings, vectors, optionals and bools are written by this adapter, in Boost's binary primitives:
// a string is Boost's own (a size_t length, then the bytes); a vector a 64-bit count then its
// elements (doubles as one make_array block, structs each through the archive); an optional a
// presence byte then the value (Boost 1.81 has no std::optional support); a bool one byte. Boost's
// own string and vector loads resize to whatever length they read (a flipped bit asks for
// terabytes) and its bool load asserts the byte is 0 or 1 and reads it as a bool (undefined
// behaviour otherwise), so these loads are bounded (stream_bytes.h) and refuse a byte other than
// 0 or 1. validate is a decode into a scratch struct that catches every exception; a decode must
// consume every byte. No checksum: most bit flips in strings and numbers give another valid message.
#pragma once

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/array_wrapper.hpp>
#include <boost/serialization/string.hpp>

#include "../cases.h"
#include "stream_bytes.h"

namespace hotbench::serial::boost_detail {

namespace archive = boost::archive;

template <class T>
void save_value(archive::binary_oarchive& ar, const T& x) {
  if constexpr (std::is_same_v<T, bool>) {
    const std::uint8_t byte = x;
    ar << byte;
  } else if constexpr (typed::is_optional_v<T>) {
    const std::uint8_t present = x.has_value();
    ar << present;
    if (x) save_value(ar, *x);
  } else if constexpr (typed::is_vector_v<T>) {
    const std::uint64_t n = x.size();
    ar << n;
    using E = typename T::value_type;
    if constexpr (std::is_arithmetic_v<E>) {
      if (n != 0) ar << boost::serialization::make_array(x.data(), x.size());
    } else {
      for (const E& element : x) save_value(ar, element);
    }
  } else {
    ar << x;  // arithmetic, std::string: Boost's primitives; a struct: its serialize() below
  }
}

template <class T>
void load_value(archive::binary_iarchive& ar, T& x) {
  if constexpr (std::is_same_v<T, bool>) {
    std::uint8_t byte = 0;
    ar >> byte;
    if (byte > 1) throw typed::DecodeError("a bool's byte is " + std::to_string(byte) + ", not 0 or 1");
    x = byte == 1;
  } else if constexpr (typed::is_optional_v<T>) {
    bool present = false;
    load_value(ar, present);
    if (present)
      load_value(ar, x.emplace());
    else
      x.reset();
  } else if constexpr (std::is_same_v<T, std::string>) {
    std::size_t n = 0;  // Boost's string length
    ar >> n;
    load_bounded(x, n, [&](char* p, std::size_t k) { ar.load_binary(p, k); });
  } else if constexpr (typed::is_vector_v<T>) {
    std::uint64_t n = 0;
    ar >> n;
    using E = typename T::value_type;
    if constexpr (std::is_arithmetic_v<E>)
      load_bounded(x, n, [&](E* p, std::size_t k) { ar >> boost::serialization::make_array(p, k); });
    else
      load_elements(x, n, [&](E& element) { load_value(ar, element); });
  } else {
    ar >> x;
  }
}

// save or load of every member in declaration order: the list Boost.Describe gives the JSON codecs.
template <class Archive, class T>
void members(Archive& ar, T& m) {
  typed::for_each_member<T>([&](auto member) {
    if constexpr (Archive::is_saving::value)
      save_value(ar, m.*member.pointer);
    else
      load_value(ar, m.*member.pointer);
  });
}

}  // namespace hotbench::serial::boost_detail

// Boost finds non-intrusive serialize functions in its own namespace (its documented place).
namespace boost::serialization {
namespace typed = hotbench::json::typed;
using hotbench::serial::boost_detail::members;

template <class Archive> void serialize(Archive& ar, typed::Address& m, unsigned) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, typed::LineItem& m, unsigned) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, typed::Order& m, unsigned) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, typed::GeoPoint& m, unsigned) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, typed::UserProfile& m, unsigned) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, typed::Attribute& m, unsigned) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, typed::Actor& m, unsigned) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, typed::EventMetadata& m, unsigned) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, typed::Event& m, unsigned) { members(ar, m); }
template <class Archive, class T>
void serialize(Archive& ar, hotbench::serial::Batch<T>& b, unsigned) {
  if constexpr (Archive::is_saving::value)
    hotbench::serial::boost_detail::save_value(ar, b.messages);
  else
    hotbench::serial::boost_detail::load_value(ar, b.messages);
}
}  // namespace boost::serialization

namespace hotbench::serial {
// Not in an anonymous namespace: the schema-evolution rows write and read their own structs with it.
namespace boost_detail {

using typed::DecodeError;

class BoostSerialization {
 public:
  template <class T>
  void encode(const T& in, std::string& out) {
    out.clear();
    sink_.reset(out);
    boost::archive::binary_oarchive ar(sink_, kFlags);
    ar << in;
  }
  template <class T>
  void decode(std::string_view bytes, T& out) {
    source_.reset(bytes);
    try {
      boost::archive::binary_iarchive ar(source_, kFlags);
      ar >> out;
    } catch (const std::exception& e) {
      throw DecodeError(std::string("boost_serialization: ") + e.what());
    }
    if (source_.remaining() != 0)
      throw DecodeError("boost_serialization: " + std::to_string(source_.remaining()) + " bytes left after the message");
  }
  template <class T>
  bool validate(std::string_view bytes) {
    return decodes<T>(*this, bytes);
  }

 private:
  static constexpr unsigned kFlags = boost::archive::no_header;  // see the top
  StringSink sink_;
  ViewSource source_;
};

}  // namespace boost_detail

using boost_detail::BoostSerialization;

}  // namespace hotbench::serial
