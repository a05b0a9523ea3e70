// jsoncpp 1.9.5: the familiar, long-lived DOM library (Json::Value). Every
// object is a std::map, and so is every array (keyed by index), so members
// come out sorted by key and each node is a heap allocation or more. One
// reused reader and writer (jsoncpp_io.h says which settings and why).
//
// Numbers: integer text that fits int64 becomes Int64, up to UINT64_MAX
// UInt64, beyond that a double, as the reference has it. Doubles go through
// a std::istringstream per number (libstdc++, i.e. glibc's strtod): correctly
// rounded (0 ULP measured, docs/json.md), so no kMaxUlpError; underflow gives
// +-0, but an overflow (1e400) fails the stream and jsoncpp rejects the
// document ("'1e400' is not a number."). The walk reads the stored kind with
// type(), not isInt64(), which jsoncpp also answers true for an integral double.
// Duplicate keys: the std::map keeps one, so such a document is an error row
// (members counted against the reference), as for Boost.JSON and nlohmann.
#include <stdexcept>

#include "../cases.h"
#include "../jsoncpp_io.h"

namespace hotbench::json {
namespace {

template <class V>
void walk_value(const Json::Value& x, V& v) {
  switch (x.type()) {
    case Json::objectValue:
      v.begin_object();
      for (auto it = x.begin(); it != x.end(); ++it) {
        const char* end = nullptr;
        const char* name = it.memberName(&end);  // no copy; keeps an embedded NUL
        v.key({name, static_cast<std::size_t>(end - name)});
        walk_value(*it, v);
      }
      v.end_object(x.size());
      break;
    case Json::arrayValue:
      v.begin_array();
      for (const auto& element : x) walk_value(element, v);  // an iterator, not a map lookup per index
      v.end_array(x.size());
      break;
    case Json::stringValue: {
      const char* begin = nullptr;
      const char* end = nullptr;
      x.getString(&begin, &end);
      v.string({begin, static_cast<std::size_t>(end - begin)});
      break;
    }
    case Json::intValue: v.int64(x.asInt64()); break;
    case Json::uintValue: v.uint64(x.asUInt64()); break;
    case Json::realValue: v.dbl(x.asDouble()); break;
    case Json::booleanValue: v.boolean(x.asBool()); break;
    case Json::nullValue: v.null(); break;
  }
}

class JsonCpp {
 public:
  using Doc = Json::Value;

  Doc parse(std::string_view text) {
    Doc doc;
    reader_.parse(text, doc);
    return doc;
  }
  template <class V>
  void walk(const Doc& doc, V& v) {
    walk_value(doc, v);
  }
  void serialize(const Doc& doc, std::string& out) { writer_.write(doc, out); }

 private:
  jsoncpp::Reader reader_;
  jsoncpp::Writer writer_;
};

}  // namespace

HOTBENCH_REGISTER(jsoncpp) {
  parse<JsonCpp>("jsoncpp");
  serialize<JsonCpp>("jsoncpp");
}

}  // namespace hotbench::json
