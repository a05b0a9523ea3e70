// RapidJSON 1.1.0, with RAPIDJSON_SSE42 (SIMD whitespace skipping). Parse
// variants, because RapidJSON's defaults trade correctness for speed:
//   rapidjson           default flags: no UTF-8 validation, doubles not
//                       correctly rounded (see number_mismatches on the rows)
//   rapidjson:precise   kParseFullPrecisionFlag | kParseValidateEncodingFlag:
//                       the same guarantees as the other libraries (the fair row)
//   rapidjson:insitu    precise flags, parsing in place; the measured operation
//                       includes copying the input into a mutable buffer, which a
//                       caller that may not destroy its input has to do
// A fresh Document per parse: re-parsing into one Document never frees its pool.
// Serialization uses the Writer of rapidjson_writer.h: the default one's SSE4.2
// string scan writes invalid JSON.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cstring>
#include <stdexcept>
#include <vector>

#include "../cases.h"
#include "../rapidjson_writer.h"

namespace hotbench::json {
namespace {

namespace rj = rapidjson;

constexpr unsigned kPrecise = rj::kParseFullPrecisionFlag | rj::kParseValidateEncodingFlag;

template <class V>
void walk_value(const rj::Value& x, V& v) {
  switch (x.GetType()) {
    case rj::kObjectType: {
      v.begin_object();
      for (auto m = x.MemberBegin(); m != x.MemberEnd(); ++m) {
        v.key({m->name.GetString(), m->name.GetStringLength()});
        walk_value(m->value, v);
      }
      v.end_object(x.MemberCount());
      break;
    }
    case rj::kArrayType: {
      v.begin_array();
      for (const auto& element : x.GetArray()) walk_value(element, v);
      v.end_array(x.Size());
      break;
    }
    case rj::kStringType: v.string({x.GetString(), x.GetStringLength()}); break;
    case rj::kNumberType:
      if (x.IsInt64())
        v.int64(x.GetInt64());
      else if (x.IsUint64())
        v.uint64(x.GetUint64());
      else
        v.dbl(x.GetDouble());
      break;
    case rj::kTrueType: v.boolean(true); break;
    case rj::kFalseType: v.boolean(false); break;
    case rj::kNullType: v.null(); break;
  }
}

[[noreturn]] void fail(const rj::Document& d) {
  throw std::runtime_error(std::string("rapidjson: ") + rj::GetParseError_En(d.GetParseError()) + " at byte " +
                           std::to_string(d.GetErrorOffset()));
}

template <unsigned Flags>
class RapidJson {
 public:
  using Doc = rj::Document;
  // How far its doubles were ever measured from the correctly rounded value
  // (docs/json.md): default flags (the fast path) 4 ULP; even
  // kParseFullPrecisionFlag misrounds some near-halfway decimals by 1 ULP.
  static constexpr std::uint64_t kMaxUlpError = (Flags & rj::kParseFullPrecisionFlag) ? 1 : 4;

  Doc parse(std::string_view text) {
    Doc d;
    d.Parse<Flags>(text.data(), text.size());  // explicit length: no reliance on a NUL
    if (d.HasParseError()) fail(d);
    return d;
  }
  template <class V>
  void walk(const Doc& doc, V& v) {
    walk_value(doc, v);
  }
  void serialize(const Doc& doc, std::string& out) {
    buffer_.Clear();
    writer_.Reset(buffer_);  // a reused Writer keeps its level stack
    doc.Accept(writer_);
    out.assign(buffer_.GetString(), buffer_.GetSize());
  }

 private:
  rj::StringBuffer buffer_;
  RapidjsonWriter writer_;
};

class RapidJsonInsitu {
 public:
  using Doc = rj::Document;
  static constexpr std::uint64_t kMaxUlpError = RapidJson<kPrecise>::kMaxUlpError;

  Doc parse(std::string_view text) {
    // NUL-terminated, plus padding for RapidJSON's 16-byte SIMD reads.
    buffer_.resize(text.size() + kPadding);
    std::memcpy(buffer_.data(), text.data(), text.size());
    std::memset(buffer_.data() + text.size(), 0, kPadding);
    Doc d;
    d.ParseInsitu<kPrecise>(buffer_.data());
    if (d.HasParseError()) fail(d);
    return d;
  }
  template <class V>
  void walk(const Doc& doc, V& v) {
    walk_value(doc, v);
  }

 private:
  std::vector<char> buffer_;
};

}  // namespace

HOTBENCH_REGISTER(rapidjson) {
  parse<RapidJson<rj::kParseDefaultFlags>>("rapidjson");
  parse<RapidJson<kPrecise>>("rapidjson", "precise");
  parse<RapidJsonInsitu>("rapidjson", "insitu");
  serialize<RapidJson<kPrecise>>("rapidjson");
}

}  // namespace hotbench::json
