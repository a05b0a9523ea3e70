// jsoncpp 1.9.5 typed codec. jsoncpp has no struct mapping of its own, so
// this is what an application using it writes: parse into a Json::Value and
// read the members out of it; build a Json::Value and write it. Generic over
// every described struct, once. The reader and writer are the parse rows'
// (jsoncpp_io.h). A duplicate key cannot be seen here (the DOM keeps the last
// one); the check, which counts members against the reference, catches it.
#include <stdexcept>

#include "../jsoncpp_io.h"
#include "typed_cases.h"

namespace hotbench::json {
namespace {

using namespace typed;

template <class M>
void read(const Json::Value& x, M& out, std::string_view member);

template <Described T>
void read_object(const Json::Value& x, T& out, std::string_view member) {
  if (!x.isObject()) throw_wrong_type(member, "an object");
  MemberSet<T> members;
  for (auto it = x.begin(); it != x.end(); ++it) {
    const char* end = nullptr;
    const char* name = it.memberName(&end);
    std::string_view key(name, static_cast<std::size_t>(end - name));
    visit_member<T>(members.see(key), [&](auto d) { read(*it, out.*d.pointer, d.name); });
  }
  members.expect_all();
}

template <class M>
void read(const Json::Value& x, M& out, std::string_view member) {
  if constexpr (Described<M>) {
    read_object(x, out, member);
  } else if constexpr (is_optional_v<M>) {
    if (x.isNull())
      out.reset();
    else
      read(x, out.emplace(), member);
  } else if constexpr (is_vector_v<M>) {
    if (!x.isArray()) throw_wrong_type(member, "an array");
    out.clear();
    out.reserve(x.size());
    for (const auto& element : x) read(element, out.emplace_back(), member);
  } else if constexpr (std::is_same_v<M, std::string>) {
    const char* begin = nullptr;
    const char* end = nullptr;
    if (!x.getString(&begin, &end)) throw_wrong_type(member, "a string");
    out.assign(begin, end);
  } else if constexpr (std::is_same_v<M, bool>) {
    if (!x.isBool()) throw_wrong_type(member, "true or false");
    out = x.asBool();
  } else if constexpr (Integer<M>) {
    // The stored kind, not isInt64()/isUInt64(): jsoncpp answers those true
    // for an integral double (2.0) too.
    if (x.type() == Json::intValue)
      out = narrow_integer<M>(static_cast<std::int64_t>(x.asInt64()), member);
    else if (x.type() == Json::uintValue)
      out = narrow_integer<M>(static_cast<std::uint64_t>(x.asUInt64()), member);
    else
      throw_wrong_type(member, "an integer");
  } else if constexpr (std::is_same_v<M, double>) {
    if (!x.isNumeric()) throw_wrong_type(member, "a number");
    out = x.asDouble();
  } else {
    static_assert(unsupported_member_type<M>, "no jsoncpp form for this member type");
  }
}

template <class M>
void write(Json::Value& j, const M& x) {
  if constexpr (Described<M>) {
    j = Json::Value(Json::objectValue);
    for_each_member<M>([&](auto d) { write(j[d.name], x.*d.pointer); });
  } else if constexpr (is_optional_v<M>) {
    if (x)
      write(j, *x);
    else
      j = Json::Value(Json::nullValue);
  } else if constexpr (is_vector_v<M>) {
    j = Json::Value(Json::arrayValue);
    for (const auto& element : x) write(j.append(Json::Value()), element);
  } else if constexpr (std::is_same_v<M, std::string>) {
    j = Json::Value(x);  // with its length: a NUL is data
  } else if constexpr (std::is_same_v<M, bool>) {
    j = Json::Value(x);
  } else if constexpr (Integer<M> && std::is_unsigned_v<M>) {
    j = Json::Value(static_cast<Json::UInt64>(x));
  } else if constexpr (Integer<M>) {
    j = Json::Value(static_cast<Json::Int64>(x));
  } else if constexpr (std::is_same_v<M, double>) {
    j = Json::Value(x);
  } else {
    static_assert(unsupported_member_type<M>, "no jsoncpp form for this member type");
  }
}

class JsonCppCodec {
 public:
  template <class T>
  void decode(std::string_view text, T& out) {
    Json::Value doc;
    reader_.parse(text, doc);
    read_object(doc, out, "(document)");
  }

  template <class T>
  void encode(const T& in, std::string& out) {
    Json::Value doc;
    write(doc, in);
    writer_.write(doc, out);
  }

 private:
  jsoncpp::Reader reader_;
  jsoncpp::Writer writer_;
};

}  // namespace

HOTBENCH_REGISTER(jsoncpp_typed) { typed_codec<JsonCppCodec>("jsoncpp"); }

}  // namespace hotbench::json
