// Schema evolution, as rows of the suite (outcomes.h): for every format, the bytes of a v2 schema
// (one field appended to a nested struct: Item gains `added`) read by the v1 reader ("old reader,
// new bytes"), and v1's bytes read by the v2 reader ("new reader, old bytes"). Each row says what it
// observed and why the format does that (a promise, the suite's choice, or an accident: written once,
// in the table of rows at the end of this file); tests/evolution_test.cpp pins what is observed.
//
// The message is a Basket {id, items: [Item {id, name (, added)}], note}: the new field sits inside
// a list, before other data, where a format without field tags has no way to skip it. The schema
// formats use tiny schemas of their own (outcomes/schemas/evolution_v{1,2}.*, compiled by
// suite.cmake); the formats without a schema go through the suite's own adapters (formats/*.h) on
// C++ structs, so their checks (a decode consumes every byte, a struct is an array of exactly its
// member count) are part of what is observed.
#include <boost/serialization/version.hpp>
#include <capnp/message.h>
#include <capnp/serialize-packed.h>
#include <capnp/serialize.h>
#include <flatbuffers/flatbuffers.h>
#include <kj/io.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <cctype>
#include <cstdio>
#include <optional>

#include "../formats/boost_serialization.h"
#include "../formats/cereal.h"
#include "../formats/msgpack.h"
#include "evolution_v1.capnp.h"
#include "evolution_v1.pb.h"
#include "evolution_v1_generated.h"
#include "evolution_v1_types.h"
#include "evolution_v2.capnp.h"
#include "evolution_v2.pb.h"
#include "evolution_v2_generated.h"
#include "evolution_v2_types.h"
#include "outcomes.h"

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


// --- observing a row ------------------------------------------------------------------------------

using outcomes::EvolutionSeen;
using outcomes::Read;

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

// A misread's detail shows the bytes the old reader took for text: unprintable ones as \xNN.
std::string printable(const std::string& s) {
  std::string out;
  for (const unsigned char c : s) {
    if (std::isprint(c)) {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

// Writes each version's Basket and reads it back as the other version.
template <class Ns, class Codec, bool kColliding>
EvolutionSeen observe() {
  using Basket1 = typename Ns::Basket1;
  using Basket2 = typename Ns::Basket2;
  Codec codec;
  const Basket2 v2 = kColliding ? colliding_v2<Ns>() : sample_v2<Ns>();
  Basket1 v1{v2.id, {}, v2.note};
  Basket2 v2_defaults = v2;  // what v1's bytes hold, as v2: `added` at its default
  for (auto& item : v2_defaults.items) {
    v1.items.push_back({item.id, item.name});
    item.added = 0;
  }
  EvolutionSeen seen;
  const auto said = [&](const std::string& what) {
    seen.detail += (seen.detail.empty() ? "" : "; ") + printable(what);
  };
  // Each version reads its own bytes: otherwise the rest means nothing.
  const std::string bytes1 = codec.write(v1), bytes2 = codec.write(v2);
  const auto same1 = codec.template read<Basket1>(bytes1);
  const auto same2 = codec.template read<Basket2>(bytes2);
  if (!same1 || !first_difference(*same1, v1).empty()) seen.problem = "v1 does not read its own bytes";
  if (!same2 || !first_difference(*same2, v2).empty()) seen.problem = "v2 does not read its own bytes";
  if (!seen.problem.empty()) return seen;

  const auto refused = [&](const char* reader) {
    if constexpr (requires { codec.error; }) said(reader + (": " + codec.error));
    return Read::refused;
  };
  if (const auto old_new = codec.template read<Basket1>(bytes2); !old_new) {
    seen.old_reader_new_bytes = refused("old reader");
  } else if (std::string d = first_difference(*old_new, v1); !d.empty()) {
    seen.old_reader_new_bytes = Read::misread;
    said("old reader: " + d);
  } else {
    seen.old_reader_new_bytes = Read::as_written;
  }
  if (const auto new_old = codec.template read<Basket2>(bytes1); !new_old) {
    seen.new_reader_old_bytes = refused("new reader");
  } else if (std::string d = first_difference(*new_old, v2_defaults); !d.empty()) {
    seen.new_reader_old_bytes = Read::misread;
    said("new reader: " + d);
  } else {
    seen.new_reader_old_bytes = Read::as_written;
  }
  return seen;
}

struct Plain {
  using Basket1 = plain::Basket1;
  using Basket2 = plain::Basket2;
};
struct Versioned {
  using Basket1 = versioned::Basket1;
  using Basket2 = versioned::Basket2;
};
using CerealBinary = ThroughAdapter<Cereal<cereal::BinaryOutputArchive, cereal::BinaryInputArchive>>;
using CerealPortable =
    ThroughAdapter<Cereal<cereal::PortableBinaryOutputArchive, cereal::PortableBinaryInputArchive>>;

}  // namespace
}  // namespace hotbench::serial::evolution

namespace hotbench::serial::outcomes {
namespace {

using evolution::observe;
using evolution::Plain;
using evolution::Versioned;
constexpr Basis kAccident = Basis::accident;
constexpr Basis kPromised = Basis::promised;
constexpr Basis kSuitesChoice = Basis::suites_choice;
constexpr bool kSample = false, kColliding = true;

// The rows, and what each format promises: a format added to the suite adds its rows here (its
// library's name first; tests/evolution_test.cpp checks that every registered format has one).
constexpr Evolution kRows[] = {
    {"protobuf", "basket", "", kPromised, kPromised, "unknown field numbers are skipped",
     &observe<Plain, evolution::Protobuf, kSample>},
    {"flatbuffers", "basket", "", kPromised, kPromised, "fields appended to a table",
     &observe<Plain, evolution::FlatBuffers, kSample>},
    {"capnproto", "basket", "", kPromised, kPromised, "fields appended by ordinal",
     &observe<Plain, evolution::CapnProto<false>, kSample>},
    {"capnproto:packed", "basket", "", kPromised, kPromised, "fields appended by ordinal (packed)",
     &observe<Plain, evolution::CapnProto<true>, kSample>},
    {"thrift:binary", "basket", "", kPromised, kPromised, "unknown field ids are skipped",
     &observe<Plain, evolution::Thrift<evolution::ThriftBinary>, kSample>},
    {"thrift:compact", "basket", "", kPromised, kPromised, "unknown field ids are skipped",
     &observe<Plain, evolution::Thrift<evolution::ThriftCompact>, kSample>},
    {"msgpack", "basket", "", kSuitesChoice, kSuitesChoice,
     "the suite's adapter reads a struct only from an array of exactly its member count",
     &observe<Plain, evolution::ThroughAdapter<MessagePack>, kSample>},
    {"msgpack", "basket", "msgpack_define", kPromised, kPromised,
     "msgpack-cxx's design (MSGPACK_DEFINE, its define_array conversion): extra elements ignored, missing "
     "trailing ones left as they were",
     &observe<Plain, evolution::MsgpackDefine, kSample>},
    {"cereal:binary", "basket", "", kAccident, kAccident,
     "no tags: the bytes shift; refused by the adapter's bounded loads and end-of-bytes check for these values",
     &observe<Plain, evolution::CerealBinary, kSample>},
    {"cereal:portable", "basket", "", kAccident, kAccident,
     "no tags: the bytes shift; refused by the adapter's bounded loads and end-of-bytes check for these values",
     &observe<Plain, evolution::CerealPortable, kSample>},
    {"cereal:binary", "basket_collision", "", kAccident, kAccident,
     "no tags: the bytes shift; with `added` equal to the note's encoded size (11) the old reader takes it "
     "for the note's length",
     &observe<Plain, evolution::CerealBinary, kColliding>},
    {"cereal:binary", "basket", "class_version", kAccident, kPromised,
     "CEREAL_CLASS_VERSION: the new reader branches on the version it reads; cereal passes a later version "
     "to the old code",
     &observe<Versioned, evolution::CerealBinary, kSample>},
    {"cereal:binary", "basket_collision", "class_version", kAccident, kPromised,
     "CEREAL_CLASS_VERSION: the new reader branches on the version; the old reader takes `added` for the "
     "note's length",
     &observe<Versioned, evolution::CerealBinary, kColliding>},
    {"boost_serialization", "basket", "", kAccident, kAccident, "no tags: the bytes shift",
     &observe<Plain, evolution::ThroughAdapter<BoostSerialization>, kSample>},
    {"boost_serialization", "basket_collision", "", kAccident, kAccident,
     "no tags: the bytes shift; the old reader takes `added` for the note's length",
     &observe<Plain, evolution::ThroughAdapter<BoostSerialization>, kColliding>},
    {"boost_serialization", "basket", "class_version", kAccident, kPromised,
     "BOOST_CLASS_VERSION: the new reader branches on the version it reads; Boost 1.81's check of a later "
     "class version is compiled out (#if 0 in iserializer.hpp)",
     &observe<Versioned, evolution::ThroughAdapter<BoostSerialization>, kSample>},
    {"boost_serialization", "basket_collision", "class_version", kAccident, kPromised,
     "BOOST_CLASS_VERSION: the new reader branches on the version; the old reader takes `added` for the "
     "note's length",
     &observe<Versioned, evolution::ThroughAdapter<BoostSerialization>, kColliding>},
};

class EvolutionCase final : public Case {
 public:
  explicit EvolutionCase(const Evolution& row) : row_(row) {}
  Work work() const override { return {}; }
  Check check() override {
    const EvolutionSeen seen = row_.observe();
    if (!seen.problem.empty()) return Check::failed(std::string(row_.format) + ": " + seen.problem);
    Check c;
    c.findings = {{"old_reader_new_bytes", static_cast<double>(seen.old_reader_new_bytes)},
                  {"new_reader_old_bytes", static_cast<double>(seen.new_reader_old_bytes)},
                  {"old_reader_promise", static_cast<double>(row_.old_reader)},
                  {"new_reader_promise", static_cast<double>(row_.new_reader)}};
    c.label = row_.why;
    if (!seen.detail.empty()) c.label += "; the readers said: " + seen.detail;
    return c;
  }
  void run() override {}

 private:
  const Evolution& row_;
};

}  // namespace

std::span<const Evolution> evolution_rows() { return kRows; }

const char* words(Read r, bool old_reader) {
  switch (r) {
    case Read::as_written: return old_reader ? "reads (extra field skipped)" : "reads (default)";
    case Read::refused: return "refused (error)";
    case Read::misread: return "misread (wrong values, no error)";
  }
  return "?";
}

const char* words(Basis b) {
  switch (b) {
    case Basis::accident: return "accident";
    case Basis::promised: return "promise";
    case Basis::suites_choice: return "the suite's choice";
  }
  return "?";
}

std::string read_codes(bool old_reader) {
  std::string out = "codes:";
  for (const Read r : {Read::as_written, Read::refused, Read::misread})
    out += std::string(r == Read::as_written ? " " : "; ") + std::to_string(static_cast<int>(r)) + " = " +
           words(r, old_reader);
  return out;
}

std::string basis_codes() {
  std::string out = "codes:";
  for (const Basis b : {Basis::accident, Basis::promised, Basis::suites_choice})
    out += std::string(b == Basis::accident ? " " : "; ") + std::to_string(static_cast<int>(b)) + " = " + words(b);
  return out;
}

CaseFactory evolution_case(const Evolution& row) {
  return [&row] { return std::make_unique<EvolutionCase>(row); };
}

}  // namespace hotbench::serial::outcomes
