// MessagePack with msgpack-cxx 4.1.3 (header-only, built with MSGPACK_NO_BOOST: bench/serial/suite.cmake).
// No schema: a struct is an array of its members in declaration order (the layout MSGPACK_DEFINE
// writes), written once for every message struct over its Boost.Describe member list; an absent
// optional is nil; integers take msgpack's smallest form; strings are str.
//
// encode: msgpack::packer straight into the output string. Doubles are always written as float64:
// packer::pack_double writes a double that has an integer value as an integer, so -0.0 would come
// back as 0.0 (and 2^64, out of uint64's range, is converted to uint64 all the same).
//
// decode: msgpack::unpack into a msgpack::object tree on a zone reused from message to message
// (cleared after each, keeping its first 8 KiB chunk: a message's tree fits in it), strings
// referenced in the input rather than copied into the zone, then the tree converted into the struct,
// its shape checked (an array of the member count, str for strings, msgpack's range-checked integer
// conversions). validate is the same unpack and the same walk without building the struct.
//
// Untrusted bytes: msgpack::unpack never reads past its length, but allocates an array's or map's
// objects from the count in its header before reading them. The unpack_limit refuses a count larger
// than the bytes given (each element takes a byte at least) and nesting deeper than the struct's own,
// before any allocation. Bytes left after the value are refused: they are not one T.
#pragma once

#include <msgpack.hpp>

#include <algorithm>
#include <limits>

#include "../cases.h"

namespace hotbench::serial {
// Not in an anonymous namespace: the schema-evolution rows write and read their own structs with it.
namespace msgpack_detail {

using namespace typed;

template <class T>
struct is_batch : std::false_type {};
template <class T>
struct is_batch<Batch<T>> : std::true_type {};

// How many msgpack containers (arrays) deep a T is: the unpack's depth limit for a T.
template <class T>
constexpr std::size_t depth_of() {
  if constexpr (is_batch<T>::value) {
    return 1 + depth_of<typename decltype(T::messages)::value_type>();
  } else if constexpr (Described<T>) {
    std::size_t deepest = 0;
    for_each_member<T>([&](auto member) {
      deepest = std::max(deepest, depth_of<std::remove_cvref_t<decltype(std::declval<const T&>().*member.pointer)>>());
    });
    return 1 + deepest;
  } else if constexpr (is_optional_v<T>) {
    return depth_of<typename T::value_type>();
  } else if constexpr (is_vector_v<T>) {
    return 1 + depth_of<typename T::value_type>();
  } else {
    return 0;
  }
}

// --- struct -> bytes -------------------------------------------------------------------------------

// The packer's stream: appends to the output string, no buffer in between.
struct StringStream {
  std::string* out;
  void write(const char* data, std::size_t size) { out->append(data, size); }
};

class Writer {
 public:
  explicit Writer(std::string& out) : stream_{&out}, packer_(stream_) {}

  template <class T>
  void write(const T& value) {
    if constexpr (is_batch<T>::value) {
      write(value.messages);
    } else if constexpr (Described<T>) {
      packer_.pack_array(member_count<T>);
      for_each_member<T>([&](auto member) { write(value.*member.pointer); });
    } else if constexpr (is_optional_v<T>) {
      if (value)
        write(*value);
      else
        packer_.pack_nil();
    } else if constexpr (is_vector_v<T>) {
      packer_.pack_array(count(value.size()));
      for (const auto& element : value) write(element);
    } else if constexpr (std::is_same_v<T, std::string>) {
      packer_.pack_str(count(value.size()));
      packer_.pack_str_body(value.data(), static_cast<std::uint32_t>(value.size()));
    } else if constexpr (std::is_same_v<T, bool>) {
      value ? packer_.pack_true() : packer_.pack_false();
    } else if constexpr (Integer<T> && std::is_unsigned_v<T>) {
      packer_.pack_uint64(value);
    } else if constexpr (Integer<T>) {
      packer_.pack_int64(value);
    } else if constexpr (std::is_same_v<T, double>) {
      float64(value);
    } else {
      static_assert(unsupported_member_type<T>, "no msgpack form for this member type");
    }
  }

 private:
  // msgpack's float 64 (0xcb, then the bits big-endian), whatever the value.
  void float64(double value) {
    std::uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    char bytes[9];
    bytes[0] = static_cast<char>(0xcb);
    for (int i = 0; i < 8; ++i) bytes[1 + i] = static_cast<char>(bits >> (56 - 8 * i));
    stream_.write(bytes, sizeof bytes);
  }
  // msgpack's lengths are 32-bit.
  static std::uint32_t count(std::size_t n) {
    if (n > std::numeric_limits<std::uint32_t>::max())
      throw std::length_error("msgpack: " + std::to_string(n) + " elements is more than a msgpack length holds");
    return static_cast<std::uint32_t>(n);
  }

  StringStream stream_;
  msgpack::packer<StringStream> packer_;
};

// --- object tree -> struct -------------------------------------------------------------------------

inline const char* type_name(msgpack::type::object_type type) {
  switch (type) {
    case msgpack::type::NIL: return "nil";
    case msgpack::type::BOOLEAN: return "bool";
    case msgpack::type::POSITIVE_INTEGER: return "positive int";
    case msgpack::type::NEGATIVE_INTEGER: return "negative int";
    case msgpack::type::FLOAT32: return "float 32";
    case msgpack::type::FLOAT64: return "float 64";
    case msgpack::type::STR: return "str";
    case msgpack::type::BIN: return "bin";
    case msgpack::type::ARRAY: return "array";
    case msgpack::type::MAP: return "map";
    case msgpack::type::EXT: return "ext";
  }
  return "unknown";
}

inline void expect(const msgpack::object& o, msgpack::type::object_type type, const char* what) {
  if (o.type != type) throw DecodeError(std::string("msgpack: expected ") + what + ", found " + type_name(o.type));
}

// Reads o as a T into *out or, when out is null, only checks that o is a T (validate).
template <class T>
void read(const msgpack::object& o, T* out) {
  if constexpr (is_batch<T>::value) {
    read(o, out ? &out->messages : nullptr);
  } else if constexpr (Described<T>) {
    expect(o, msgpack::type::ARRAY, "an array (a struct)");
    if (o.via.array.size != member_count<T>)
      throw DecodeError("msgpack: a struct of " + std::to_string(member_count<T>) + " members as an array of " +
                        std::to_string(o.via.array.size));
    const msgpack::object* element = o.via.array.ptr;
    for_each_member<T>([&](auto member) { read(*element++, out ? &(out->*member.pointer) : nullptr); });
  } else if constexpr (is_optional_v<T>) {
    if (o.type == msgpack::type::NIL) {
      if (out) out->reset();
    } else {
      read(o, out ? &out->emplace() : static_cast<typename T::value_type*>(nullptr));
    }
  } else if constexpr (is_vector_v<T>) {
    expect(o, msgpack::type::ARRAY, "an array");
    if (out) out->resize(o.via.array.size);
    for (std::uint32_t i = 0; i < o.via.array.size; ++i) read(o.via.array.ptr[i], out ? &(*out)[i] : nullptr);
  } else if constexpr (std::is_same_v<T, std::string>) {
    expect(o, msgpack::type::STR, "a str");
    if (out) out->assign(o.via.str.ptr, o.via.str.size);
  } else {
    // bool, integers (out of the member's range: a type_error), double (from a float or an integer):
    // msgpack's own conversions.
    const T value = o.as<T>();
    if (out) *out = value;
  }
}

// The input's strings stay in the input (it outlives the object tree): nothing copied into the zone.
inline bool reference_input(msgpack::type::object_type, std::size_t, void*) { return true; }

class MessagePack {
 public:
  template <class T>
  void encode(const T& in, std::string& out) {
    out.clear();
    Writer(out).write(in);
  }
  template <class T>
  void decode(std::string_view bytes, T& out) {
    with_object<T>(bytes, [&](const msgpack::object& o) { read(o, &out); });
  }
  template <class T>
  bool validate(std::string_view bytes) {
    try {
      with_object<T>(bytes, [](const msgpack::object& o) { read(o, static_cast<T*>(nullptr)); });
      return true;
    } catch (const std::exception&) {  // DecodeError, or a bad_alloc the limits did not prevent
      return false;
    }
  }

 private:
  // Unpacks the bytes as one value and calls f(the object); msgpack's errors become DecodeErrors.
  template <class T, class F>
  void with_object(std::string_view bytes, F&& f) {
    struct ClearAfter {
      msgpack::zone& zone;
      ~ClearAfter() { zone.clear(); }
    } clear_after{zone_};
    const std::size_t n = bytes.size();
    const msgpack::unpack_limit limit(/*array=*/n, /*map=*/n / 2, /*str=*/n, /*bin=*/n, /*ext=*/n,
                                      /*depth=*/depth_of<T>());
    try {
      std::size_t end = 0;
      const msgpack::object o = msgpack::unpack(zone_, bytes.data(), n, end, reference_input, nullptr, limit);
      if (end != n) throw DecodeError("msgpack: " + std::to_string(n - end) + " bytes after the end of the value");
      f(o);
    } catch (const msgpack::unpack_error& e) {
      throw DecodeError(std::string("msgpack: ") + e.what());
    } catch (const msgpack::type_error&) {
      throw DecodeError("msgpack: a value out of its member's type or range");
    }
  }

  msgpack::zone zone_;
};

}  // namespace msgpack_detail

using msgpack_detail::MessagePack;

}  // namespace hotbench::serial
