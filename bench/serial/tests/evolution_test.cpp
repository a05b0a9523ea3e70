// Schema evolution, measured: for every format of the suite, the bytes of a v2 schema (one field
// appended to a nested struct: Item gains `added`) read by the v1 reader ("old reader, new bytes"),
// and v1's bytes read by the v2 reader ("new reader, old bytes"). Each direction's observed outcome
// is compared with the one pinned below (what the format promises, or, for the formats with no
// schema, what they were found to do); a silent misread is a finding, pinned like the rest. The
// test prints the table of docs/serial.md ("Schema evolution"): lines starting "[evolution] ".
//
// The message is a Basket {id, items: [Item {id, name (, added)}], note}: the new field sits inside
// a list, before other data, where a format without field tags has no way to skip it. The schema
// formats use tiny schemas of their own (tests/evolution/evolution_v{1,2}.*, compiled by
// suite.cmake); the formats without a schema go through the suite's own adapters (formats/*.h) on
// C++ structs, so their checks (a decode consumes every byte, a struct is an array of exactly its
// member count) are part of what is measured.
#include <gtest/gtest.h>

#include <boost/serialization/version.hpp>
#include <capnp/message.h>
#include <capnp/serialize-packed.h>
#include <capnp/serialize.h>
#include <flatbuffers/flatbuffers.h>
#include <kj/io.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "evolution_v1.capnp.h"
#include "evolution_v1.pb.h"
#include "evolution_v1_generated.h"
#include "evolution_v1_types.h"
#include "evolution_v2.capnp.h"
#include "evolution_v2.pb.h"
#include "evolution_v2_generated.h"
#include "evolution_v2_types.h"
#include "serial/formats/boost_serialization.h"
#include "serial/formats/cereal.h"
#include "serial/formats/msgpack.h"

// The message as C++ structs, v1 and v2, twice: `plain` (every member written, as the suite's
// adapters write theirs) and `versioned` (serialize functions that branch on a class version, for
// cereal and Boost.Serialization). MSGPACK_DEFINE gives msgpack-cxx's own array layout, which
// converts arrays of another length (the suite's adapter does not).
#define HOTBENCH_EVOLUTION_STRUCTS                                                  \
  struct Item1 {                                                                    \
    std::uint64_t id = 0;                                                           \
    std::string name;                                                               \
    MSGPACK_DEFINE(id, name)                                                        \
  };                                                                                \
  BOOST_DESCRIBE_STRUCT(Item1, (), (id, name))                                      \
  struct Basket1 {                                                                  \
    std::uint64_t id = 0;                                                           \
    std::vector<Item1> items;                                                       \
    std::string note;                                                               \
    MSGPACK_DEFINE(id, items, note)                                                 \
  };                                                                                \
  BOOST_DESCRIBE_STRUCT(Basket1, (), (id, items, note))                             \
  struct Item2 {                                                                    \
    std::uint64_t id = 0;                                                           \
    std::string name;                                                               \
    std::int64_t added = 0; /* v2: the one field appended */                        \
    MSGPACK_DEFINE(id, name, added)                                                 \
  };                                                                                \
  BOOST_DESCRIBE_STRUCT(Item2, (), (id, name, added))                               \
  struct Basket2 {                                                                  \
    std::uint64_t id = 0;                                                           \
    std::vector<Item2> items;                                                       \
    std::string note;                                                               \
    MSGPACK_DEFINE(id, items, note)                                                 \
  };                                                                                \
  BOOST_DESCRIBE_STRUCT(Basket2, (), (id, items, note))

namespace hotbench::serial::evolution {
namespace plain {
HOTBENCH_EVOLUTION_STRUCTS
}
namespace versioned {
HOTBENCH_EVOLUTION_STRUCTS
}
}  // namespace hotbench::serial::evolution

namespace cereal {
namespace ev = hotbench::serial::evolution;
using hotbench::serial::cereal_detail::members;
template <class Archive> void serialize(Archive& ar, ev::plain::Item1& m) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, ev::plain::Item2& m) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, ev::plain::Basket1& m) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, ev::plain::Basket2& m) { members(ar, m); }
// Versioned from the start: v1's code reads a class version too (0, cereal's default), and
// ignores it, as code written before v2 existed does.
template <class Archive> void serialize(Archive& ar, ev::versioned::Item1& m, std::uint32_t) { ar(m.id, m.name); }
template <class Archive>
void serialize(Archive& ar, ev::versioned::Item2& m, std::uint32_t version) {
  ar(m.id, m.name);
  if (version >= 1) ar(m.added);
}
template <class Archive> void serialize(Archive& ar, ev::versioned::Basket1& m) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, ev::versioned::Basket2& m) { members(ar, m); }
}  // namespace cereal
CEREAL_CLASS_VERSION(hotbench::serial::evolution::versioned::Item2, 1);

namespace boost::serialization {
namespace ev = hotbench::serial::evolution;
using hotbench::serial::boost_detail::load_value;
using hotbench::serial::boost_detail::members;
using hotbench::serial::boost_detail::save_value;
template <class Archive> void serialize(Archive& ar, ev::plain::Item1& m, unsigned) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, ev::plain::Item2& m, unsigned) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, ev::plain::Basket1& m, unsigned) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, ev::plain::Basket2& m, unsigned) { members(ar, m); }
// Boost writes every class's version anyway (object_class_info); v1's code ignores it.
template <class Archive> void serialize(Archive& ar, ev::versioned::Item1& m, unsigned) { members(ar, m); }
template <class Archive>
void serialize(Archive& ar, ev::versioned::Item2& m, unsigned version) {
  if constexpr (Archive::is_saving::value) {
    save_value(ar, m.id), save_value(ar, m.name), save_value(ar, m.added);
  } else {
    load_value(ar, m.id), load_value(ar, m.name);
    if (version >= 1) load_value(ar, m.added);
  }
}
template <class Archive> void serialize(Archive& ar, ev::versioned::Basket1& m, unsigned) { members(ar, m); }
template <class Archive> void serialize(Archive& ar, ev::versioned::Basket2& m, unsigned) { members(ar, m); }
}  // namespace boost::serialization
BOOST_CLASS_VERSION(hotbench::serial::evolution::versioned::Item2, 1)

namespace hotbench::serial::evolution {
namespace {

// The generated types (tests/evolution/evolution_v{1,2}.*).
namespace pb1 = ::hotbench::evolution::pb1;
namespace pb2 = ::hotbench::evolution::pb2;
namespace fb1 = ::hotbench::evolution::fb1;
namespace fb2 = ::hotbench::evolution::fb2;
namespace cp1 = ::hotbench::evolution::cp1;
namespace cp2 = ::hotbench::evolution::cp2;
namespace th1 = ::hotbench::evolution::th1;
namespace th2 = ::hotbench::evolution::th2;

// --- the formats: write a Basket of either version, read bytes as either version -----------------
// read<B> gives nullopt when the format refuses the bytes (an exception, a failed verification).

// The formats without a schema, through the suite's adapter (validate, then decode).
template <class Adapter>
struct ThroughAdapter {
  Adapter adapter;
  template <class B>
  std::string write(const B& in) {
    std::string out;
    adapter.template encode<B>(in, out);
    return out;
  }
  template <class B>
  std::optional<B> read(std::string_view bytes) {
    if (!adapter.template validate<B>(bytes)) {
      try {  // the decode's reason, for the table
        B scratch{};
        adapter.template decode<B>(bytes, scratch);
      } catch (const std::exception& e) {
        error = e.what();
      }
      return std::nullopt;
    }
    B out{};
    adapter.template decode<B>(bytes, out);
    return out;
  }
  std::string error;  // why the last refusal
};

// msgpack-cxx's own layout (MSGPACK_DEFINE: an array of the members) and conversion.
struct MsgpackDefine {
  template <class B>
  std::string write(const B& in) {
    msgpack::sbuffer buffer;
    msgpack::pack(buffer, in);
    return std::string(buffer.data(), buffer.size());
  }
  template <class B>
  std::optional<B> read(std::string_view bytes) {
    try {
      const msgpack::object_handle handle = msgpack::unpack(bytes.data(), bytes.size());
      B out{};
      handle.get().convert(out);
      return out;
    } catch (const std::exception& e) {
      error = e.what();
      return std::nullopt;
    }
  }
  std::string error;
};

struct Protobuf {
  template <class P, class B>
  static std::string write_as(const B& in) {
    P p;
    p.set_id(in.id);
    for (const auto& item : in.items) {
      auto* q = p.add_items();
      q->set_id(item.id);
      q->set_name(item.name);
      if constexpr (requires { item.added; }) q->set_added(item.added);
    }
    p.set_note(in.note);
    return p.SerializeAsString();
  }
  template <class P, class B>
  static std::optional<B> read_as(std::string_view bytes) {
    P p;
    if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return std::nullopt;
    B out;
    out.id = p.id();
    for (const auto& q : p.items()) {
      auto& item = out.items.emplace_back();
      item.id = q.id();
      item.name = q.name();
      if constexpr (requires { item.added; }) item.added = q.added();
    }
    out.note = p.note();
    return out;
  }
  std::string write(const plain::Basket1& in) { return write_as<pb1::Basket>(in); }
  std::string write(const plain::Basket2& in) { return write_as<pb2::Basket>(in); }
  template <class B>
  std::optional<B> read(std::string_view bytes) {
    if constexpr (std::is_same_v<B, plain::Basket1>)
      return read_as<pb1::Basket, B>(bytes);
    else
      return read_as<pb2::Basket, B>(bytes);
  }
};

struct FlatBuffers {
  template <class B>
  std::string write(const B& in) {
    flatbuffers::FlatBufferBuilder builder;
    if constexpr (std::is_same_v<B, plain::Basket1>) {
      std::vector<flatbuffers::Offset<fb1::Item>> items;
      for (const auto& item : in.items) {
        const auto name = builder.CreateString(item.name);
        items.push_back(fb1::CreateItem(builder, item.id, name));
      }
      const auto vector = builder.CreateVector(items);
      const auto note = builder.CreateString(in.note);
      builder.Finish(fb1::CreateBasket(builder, in.id, vector, note));
    } else {
      std::vector<flatbuffers::Offset<fb2::Item>> items;
      for (const auto& item : in.items) {
        const auto name = builder.CreateString(item.name);
        items.push_back(fb2::CreateItem(builder, item.id, name, item.added));
      }
      const auto vector = builder.CreateVector(items);
      const auto note = builder.CreateString(in.note);
      builder.Finish(fb2::CreateBasket(builder, in.id, vector, note));
    }
    return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
  }
  template <class B>
  std::optional<B> read(std::string_view bytes) {
    std::vector<std::uint64_t> aligned((bytes.size() + 7) / 8);
    std::memcpy(aligned.data(), bytes.data(), bytes.size());
    const auto* data = reinterpret_cast<const std::uint8_t*>(aligned.data());
    flatbuffers::Verifier verifier(data, bytes.size());
    if constexpr (std::is_same_v<B, plain::Basket1>) {
      if (!fb1::VerifyBasketBuffer(verifier)) return std::nullopt;
      return from(fb1::GetBasket(data), B{});
    } else {
      if (!fb2::VerifyBasketBuffer(verifier)) return std::nullopt;
      return from(fb2::GetBasket(data), B{});
    }
  }
  static std::string text(const flatbuffers::String* s) { return s ? s->str() : ""; }
  template <class R, class B>
  static B from(const R* r, B out) {
    out.id = r->id();
    if (r->items())
      for (const auto* q : *r->items()) {
        auto& item = out.items.emplace_back();
        item.id = q->id();
        item.name = text(q->name());
        if constexpr (requires { item.added; }) item.added = q->added();
      }
    out.note = text(r->note());
    return out;
  }
};

template <bool kPacked>
struct CapnProto {
  template <class B>
  std::string write(const B& in) {
    capnp::MallocMessageBuilder builder;
    if constexpr (std::is_same_v<B, plain::Basket1>)
      fill(builder.initRoot<cp1::Basket>(), in);
    else
      fill(builder.initRoot<cp2::Basket>(), in);
    kj::VectorOutputStream out;
    if constexpr (kPacked)
      capnp::writePackedMessage(out, builder);
    else
      capnp::writeMessage(out, builder);
    const auto bytes = out.getArray();
    return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
  }
  template <class Builder, class B>
  static void fill(Builder root, const B& in) {
    root.setId(in.id);
    auto items = root.initItems(static_cast<unsigned>(in.items.size()));
    for (unsigned i = 0; i < items.size(); ++i) {
      items[i].setId(in.items[i].id);
      items[i].setName(in.items[i].name);
      if constexpr (requires { in.items[i].added; }) items[i].setAdded(in.items[i].added);
    }
    root.setNote(in.note);
  }
  template <class B>
  std::optional<B> read(std::string_view bytes) {
    try {
      if constexpr (kPacked) {
        kj::ArrayInputStream in(kj::arrayPtr(reinterpret_cast<const kj::byte*>(bytes.data()), bytes.size()));
        capnp::PackedMessageReader reader(in);
        return read_root<B>(reader);
      } else {
        if (bytes.size() % sizeof(capnp::word) != 0) return std::nullopt;
        std::vector<capnp::word> words(bytes.size() / sizeof(capnp::word));
        std::memcpy(words.data(), bytes.data(), bytes.size());
        capnp::FlatArrayMessageReader reader(kj::arrayPtr(words.data(), words.size()));
        return read_root<B>(reader);
      }
    } catch (const kj::Exception&) {
      return std::nullopt;
    }
  }
  template <class B>
  static B read_root(capnp::MessageReader& reader) {
    if constexpr (std::is_same_v<B, plain::Basket1>)
      return from<B>(reader.getRoot<cp1::Basket>());
    else
      return from<B>(reader.getRoot<cp2::Basket>());
  }
  template <class B, class R>
  static B from(R r) {
    B out;
    out.id = r.getId();
    for (auto q : r.getItems()) {
      auto& item = out.items.emplace_back();
      item.id = q.getId();
      item.name = q.getName();
      if constexpr (requires { item.added; }) item.added = q.getAdded();
    }
    out.note = r.getNote();
    return out;
  }
};

template <template <class> class Protocol>
struct Thrift {
  using Buffer = apache::thrift::transport::TMemoryBuffer;
  template <class P, class B>
  static std::string write_as(const B& in) {
    P p;
    p.id = static_cast<std::int64_t>(in.id);
    for (const auto& item : in.items) {
      auto& q = p.items.emplace_back();
      q.id = static_cast<std::int64_t>(item.id);
      q.name = item.name;
      if constexpr (requires { item.added; }) q.added = item.added;
    }
    p.note = in.note;
    auto buffer = std::make_shared<Buffer>();
    Protocol<Buffer> protocol(buffer);
    p.write(&protocol);
    return buffer->getBufferAsString();
  }
  template <class P, class B>
  static std::optional<B> read_as(std::string_view bytes) {
    auto buffer = std::make_shared<Buffer>(reinterpret_cast<std::uint8_t*>(const_cast<char*>(bytes.data())),
                                           static_cast<std::uint32_t>(bytes.size()));
    Protocol<Buffer> protocol(buffer);
    P p;
    try {
      p.read(&protocol);
    } catch (const apache::thrift::TException&) {
      return std::nullopt;
    }
    if (buffer->available_read() != 0) return std::nullopt;  // as the adapter: the bytes are one struct
    B out;
    out.id = static_cast<std::uint64_t>(p.id);
    for (const auto& q : p.items) {
      auto& item = out.items.emplace_back();
      item.id = static_cast<std::uint64_t>(q.id);
      item.name = q.name;
      if constexpr (requires { item.added; }) item.added = q.added;
    }
    out.note = p.note;
    return out;
  }
  std::string write(const plain::Basket1& in) { return write_as<th1::Basket>(in); }
  std::string write(const plain::Basket2& in) { return write_as<th2::Basket>(in); }
  template <class B>
  std::optional<B> read(std::string_view bytes) {
    if constexpr (std::is_same_v<B, plain::Basket1>)
      return read_as<th1::Basket, B>(bytes);
    else
      return read_as<th2::Basket, B>(bytes);
  }
};
template <class T>
using ThriftBinary = apache::thrift::protocol::TBinaryProtocolT<T>;
template <class T>
using ThriftCompact = apache::thrift::protocol::TCompactProtocolT<T>;

// --- the test ------------------------------------------------------------------------------------

// Every outcome the table can show.
constexpr const char* kSkipped = "reads (extra field skipped)";
constexpr const char* kDefault = "reads (default)";
constexpr const char* kRefused = "refused (error)";
constexpr const char* kMisread = "misread (wrong values, no error)";

template <class Ns>
typename Ns::Basket2 sample_v2() {
  return {42, {{1, "ab", 7}, {2, "cd", 8}}, "end"};
}
// One item whose new field equals the byte count of the note as cereal and Boost write it (an
// 8-byte length, then the bytes): an old reader without field tags takes `added` for the note's
// length and ends exactly at the end of the bytes.
template <class Ns>
typename Ns::Basket2 colliding_v2() {
  return {42, {{1, "ab", 8 + 3}}, "end"};
}

struct Observed {
  std::string old_reader_new_bytes, new_reader_old_bytes, detail;
};

// Writes each version's Basket and reads it back as the other version.
template <class Ns, class Codec>
Observed observe(Codec& codec, const typename Ns::Basket2& v2) {
  using Basket1 = typename Ns::Basket1;
  using Basket2 = typename Ns::Basket2;
  Basket1 v1{v2.id, {}, v2.note};
  Basket2 v2_defaults = v2;  // what v1's bytes hold, as v2: `added` at its default
  for (auto& item : v2_defaults.items) {
    v1.items.push_back({item.id, item.name});
    item.added = 0;
  }
  // Each version reads its own bytes: otherwise the rest means nothing.
  const std::string bytes1 = codec.write(v1), bytes2 = codec.write(v2);
  const auto same1 = codec.template read<Basket1>(bytes1);
  const auto same2 = codec.template read<Basket2>(bytes2);
  EXPECT_TRUE(same1 && first_difference(*same1, v1).empty()) << "v1 does not read its own bytes";
  EXPECT_TRUE(same2 && first_difference(*same2, v2).empty()) << "v2 does not read its own bytes";

  Observed seen;
  const auto refused = [&](const char* reader) {
    if constexpr (requires { codec.error; })
      seen.detail += (seen.detail.empty() ? "" : "; ") + (reader + (": " + codec.error));
    return kRefused;
  };
  if (const auto old_new = codec.template read<Basket1>(bytes2); !old_new) {
    seen.old_reader_new_bytes = refused("old reader");
  } else if (std::string d = first_difference(*old_new, v1); !d.empty()) {
    seen.old_reader_new_bytes = kMisread;
    seen.detail = "old reader: " + d;
  } else {
    seen.old_reader_new_bytes = kSkipped;
  }
  if (const auto new_old = codec.template read<Basket2>(bytes1); !new_old) {
    seen.new_reader_old_bytes = refused("new reader");
  } else if (std::string d = first_difference(*new_old, v2_defaults); !d.empty()) {
    seen.new_reader_old_bytes = kMisread;
    seen.detail += (seen.detail.empty() ? "" : "; ") + ("new reader: " + d);
  } else {
    seen.new_reader_old_bytes = kDefault;
  }
  return seen;
}

struct Pinned {
  const char* format;
  const char* old_reader_new_bytes;
  const char* new_reader_old_bytes;
  const char* why;  // a promise of the format, or what it happens to do
};

// A misread's detail shows the bytes the old reader took for text: unprintable ones as \xNN.
std::string printable(const std::string& s) {
  std::string out;
  for (const unsigned char c : s) {
    if (std::isprint(c) && c != '|') {  // '|' would end the table's cell
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

// One row of the table: observed, compared with the pin, printed.
void row(const Pinned& pin, const Observed& seen) {
  EXPECT_EQ(seen.old_reader_new_bytes, pin.old_reader_new_bytes) << pin.format << ": old reader, new bytes";
  EXPECT_EQ(seen.new_reader_old_bytes, pin.new_reader_old_bytes) << pin.format << ": new reader, old bytes";
  std::printf("[evolution] | %s | %s | %s | %s | %s |\n", pin.format, seen.old_reader_new_bytes.c_str(),
              seen.new_reader_old_bytes.c_str(), pin.why, printable(seen.detail).c_str());
}

// The rows' formats, to check that every registered format has one.
std::vector<std::string>& rows() {
  static std::vector<std::string> names;
  return names;
}

template <class Ns, class Codec>
void pinned(const Pinned& pin, const typename Ns::Basket2& v2 = sample_v2<Ns>()) {
  Codec codec;
  row(pin, observe<Ns>(codec, v2));
  rows().push_back(pin.format);
}

struct Plain {
  using Basket1 = plain::Basket1;
  using Basket2 = plain::Basket2;
};
struct Versioned {
  using Basket1 = versioned::Basket1;
  using Basket2 = versioned::Basket2;
};

TEST(SerialEvolution, OneAppendedFieldBothWaysAsPinned) {
  std::printf("[evolution] | format | old reader, new bytes | new reader, old bytes | promise or accident | what the reader said |\n");
  std::printf("[evolution] | --- | --- | --- | --- | --- |\n");
  pinned<Plain, Protobuf>({"protobuf", kSkipped, kDefault, "promise (unknown field numbers are skipped)"});
  pinned<Plain, FlatBuffers>({"flatbuffers", kSkipped, kDefault, "promise (fields appended to a table)"});
  pinned<Plain, CapnProto<false>>({"capnproto", kSkipped, kDefault, "promise (fields appended by ordinal)"});
  pinned<Plain, CapnProto<true>>({"capnproto:packed", kSkipped, kDefault, "promise (the same, packed)"});
  pinned<Plain, Thrift<ThriftBinary>>({"thrift:binary", kSkipped, kDefault, "promise (unknown field ids are skipped)"});
  pinned<Plain, Thrift<ThriftCompact>>({"thrift:compact", kSkipped, kDefault, "promise (the same)"});
  pinned<Plain, ThroughAdapter<MessagePack>>(
      {"msgpack (the suite's adapter)", kRefused, kRefused, "the suite's choice: its adapter reads a struct only from an array of exactly its member count"});
  pinned<Plain, MsgpackDefine>(
      {"msgpack-cxx `MSGPACK_DEFINE`", kSkipped, kDefault, "msgpack-cxx's design (its define_array conversion): extra elements ignored, missing trailing ones left as they were"});
  pinned<Plain, ThroughAdapter<Cereal<cereal::BinaryOutputArchive, cereal::BinaryInputArchive>>>(
      {"cereal:binary", kRefused, kRefused, "accident (no tags: the bytes shift; refused by the bounded loads and the end-of-bytes check for these values)"});
  pinned<Plain, ThroughAdapter<Cereal<cereal::PortableBinaryOutputArchive, cereal::PortableBinaryInputArchive>>>(
      {"cereal:portable", kRefused, kRefused, "accident (the same)"});
  pinned<Plain, ThroughAdapter<Cereal<cereal::BinaryOutputArchive, cereal::BinaryInputArchive>>>(
      {"cereal:binary, one item with `added` = 11", kMisread, kRefused, "the same accident, the other way: `added` read as the note's length"},
      colliding_v2<Plain>());
  pinned<Versioned, ThroughAdapter<Cereal<cereal::BinaryOutputArchive, cereal::BinaryInputArchive>>>(
      {"cereal:binary, `CEREAL_CLASS_VERSION`", kRefused, kDefault, "new reader: promise (it branches on the version it reads); old reader: accident (cereal passes a later version to the old code)"});
  pinned<Versioned, ThroughAdapter<Cereal<cereal::BinaryOutputArchive, cereal::BinaryInputArchive>>>(
      {"cereal:binary, `CEREAL_CLASS_VERSION`, one item with `added` = 11", kMisread, kDefault, "old reader: the same accident"},
      colliding_v2<Versioned>());
  pinned<Plain, ThroughAdapter<BoostSerialization>>(
      {"boost_serialization", kRefused, kRefused, "accident (no tags: the bytes shift)"});
  pinned<Plain, ThroughAdapter<BoostSerialization>>(
      {"boost_serialization, one item with `added` = 11", kMisread, kRefused, "the same accident, the other way"},
      colliding_v2<Plain>());
  pinned<Versioned, ThroughAdapter<BoostSerialization>>(
      {"boost_serialization, `BOOST_CLASS_VERSION`", kRefused, kDefault, "new reader: promise; old reader: accident (Boost 1.81's check of a later class version is compiled out, `#if 0` in iserializer.hpp)"});
  pinned<Versioned, ThroughAdapter<BoostSerialization>>(
      {"boost_serialization, `BOOST_CLASS_VERSION`, one item with `added` = 11", kMisread, kDefault, "old reader: the same accident"},
      colliding_v2<Versioned>());

  // A format added to the suite adds its rows here (its library's name first).
  for (const Format& format : formats().all()) {
    const bool has_row = std::any_of(rows().begin(), rows().end(),
                                     [&](const std::string& name) { return name.starts_with(format.library); });
    EXPECT_TRUE(has_row) << format.name << " has no row in the schema-evolution test";
  }
}

}  // namespace
}  // namespace hotbench::serial::evolution
