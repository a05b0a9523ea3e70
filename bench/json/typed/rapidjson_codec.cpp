// RapidJSON 1.1.0 typed codec. RapidJSON has no struct mapping of its own, so
// this is the reflective DOM <-> struct code an application would write, once
// for every described struct. Decode parses with the precise flags (the
// default flags misround doubles and skip UTF-8 validation) into a fresh
// Document (re-parsing into one Document never frees its pool). Encode avoids
// 1.1.0's SIMD string scan, which writes invalid JSON (rapidjson_writer.h).
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <stdexcept>

#include "../rapidjson_writer.h"
#include "typed_cases.h"

namespace hotbench::json {
namespace {

namespace rj = rapidjson;
using namespace typed;

template <class M>
void read(const rj::Value& x, M& out, std::string_view member);

template <Described T>
void read_object(const rj::Value& x, T& out, std::string_view member) {
  if (!x.IsObject()) throw_wrong_type(member, "an object");
  MemberSet<T> members;
  for (auto m = x.MemberBegin(); m != x.MemberEnd(); ++m) {
    std::string_view key(m->name.GetString(), m->name.GetStringLength());
    visit_member<T>(members.see(key), [&](auto d) { read(m->value, out.*d.pointer, d.name); });
  }
  members.expect_all();
}

template <class M>
void read(const rj::Value& x, M& out, std::string_view member) {
  if constexpr (Described<M>) {
    read_object(x, out, member);
  } else if constexpr (is_optional_v<M>) {
    if (x.IsNull())
      out.reset();
    else
      read(x, out.emplace(), member);
  } else if constexpr (is_vector_v<M>) {
    if (!x.IsArray()) throw_wrong_type(member, "an array");
    out.clear();
    out.reserve(x.Size());
    for (const auto& element : x.GetArray()) read(element, out.emplace_back(), member);
  } else if constexpr (std::is_same_v<M, std::string>) {
    if (!x.IsString()) throw_wrong_type(member, "a string");
    out.assign(x.GetString(), x.GetStringLength());
  } else if constexpr (std::is_same_v<M, bool>) {
    if (!x.IsBool()) throw_wrong_type(member, "true or false");
    out = x.GetBool();
  } else if constexpr (Integer<M>) {
    // Check the signed form first: a negative value must be reported as out of
    // range for an unsigned member, not as a wrong type.
    if (x.IsInt64())
      out = narrow_integer<M>(x.GetInt64(), member);
    else if (x.IsUint64())
      out = narrow_integer<M>(x.GetUint64(), member);
    else
      throw_wrong_type(member, "an integer");
  } else if constexpr (std::is_same_v<M, double>) {
    if (!x.IsNumber()) throw_wrong_type(member, "a number");
    out = x.GetDouble();
  } else {
    static_assert(unsupported_member_type<M>, "no RapidJSON form for this member type");
  }
}

using Writer = RapidjsonWriter;  // not the default Writer: see rapidjson_writer.h

template <class M>
void write(Writer& w, const M& x) {
  if constexpr (Described<M>) {
    w.StartObject();
    for_each_member<M>([&](auto d) {
      w.Key(d.name, static_cast<rj::SizeType>(std::char_traits<char>::length(d.name)));
      write(w, x.*d.pointer);
    });
    w.EndObject(member_count<M>);
  } else if constexpr (is_optional_v<M>) {
    if (x)
      write(w, *x);
    else
      w.Null();
  } else if constexpr (is_vector_v<M>) {
    w.StartArray();
    for (const auto& element : x) write(w, element);
    w.EndArray(static_cast<rj::SizeType>(x.size()));
  } else if constexpr (std::is_same_v<M, std::string>) {
    w.String(x.data(), static_cast<rj::SizeType>(x.size()));  // explicit length: a NUL is data
  } else if constexpr (std::is_same_v<M, bool>) {
    w.Bool(x);
  } else if constexpr (Integer<M> && std::is_unsigned_v<M>) {
    w.Uint64(x);
  } else if constexpr (Integer<M>) {
    w.Int64(x);
  } else if constexpr (std::is_same_v<M, double>) {
    if (!w.Double(x)) throw std::runtime_error("rapidjson: a double has no JSON form (NaN or infinity)");
  } else {
    static_assert(unsupported_member_type<M>, "no RapidJSON form for this member type");
  }
}

class RapidJsonCodec {
 public:
  // kParseFullPrecisionFlag: within 1 ULP, like parse/rapidjson:precise (docs/json.md).
  static constexpr std::uint64_t kMaxUlpError = 1;
  template <class T>
  void decode(std::string_view text, T& out) {
    rj::Document doc;
    doc.Parse<rj::kParseFullPrecisionFlag | rj::kParseValidateEncodingFlag>(text.data(), text.size());
    if (doc.HasParseError())
      throw std::runtime_error(std::string("rapidjson: ") + rj::GetParseError_En(doc.GetParseError()) +
                               " at byte " + std::to_string(doc.GetErrorOffset()));
    read_object(doc, out, "(document)");
  }

  template <class T>
  void encode(const T& in, std::string& out) {
    buffer_.Clear();
    writer_.Reset(buffer_);  // a reused Writer keeps its level stack allocated
    write(writer_, in);
    out.assign(buffer_.GetString(), buffer_.GetSize());
  }

 private:
  rj::StringBuffer buffer_;
  Writer writer_;
};

}  // namespace

HOTBENCH_REGISTER(rapidjson_typed) { typed_codec<RapidJsonCodec>("rapidjson"); }

}  // namespace hotbench::json
