// nlohmann/json 3.11.2: the familiar baseline (about one heap allocation per
// node; objects are std::map, so serialized members come out sorted by key).
#include <nlohmann/json.hpp>

#include <stdexcept>

#include "../cases.h"

namespace hotbench::json {
namespace {

using nlohmann::json;

template <class V>
void walk_value(const json& x, V& v) {
  switch (x.type()) {
    case json::value_t::object:
      v.begin_object();
      for (auto it = x.begin(); it != x.end(); ++it) {
        v.key(it.key());
        walk_value(it.value(), v);
      }
      v.end_object(x.size());
      break;
    case json::value_t::array:
      v.begin_array();
      for (const auto& element : x) walk_value(element, v);
      v.end_array(x.size());
      break;
    case json::value_t::string: v.string(x.get_ref<const std::string&>()); break;
    case json::value_t::number_integer: v.int64(x.get<std::int64_t>()); break;
    case json::value_t::number_unsigned: v.uint64(x.get<std::uint64_t>()); break;
    case json::value_t::number_float: v.dbl(x.get<double>()); break;
    case json::value_t::boolean: v.boolean(x.get<bool>()); break;
    case json::value_t::null: v.null(); break;
    case json::value_t::binary:
    case json::value_t::discarded: throw std::runtime_error("nlohmann: unexpected value type");
  }
}

class Nlohmann {
 public:
  using Doc = json;

  Doc parse(std::string_view text) { return json::parse(text.begin(), text.end()); }
  template <class V>
  void walk(const Doc& doc, V& v) {
    walk_value(doc, v);
  }
  void serialize(const Doc& doc, std::string& out) { out = doc.dump(); }
};

}  // namespace

HOTBENCH_REGISTER(nlohmann) {
  parse<Nlohmann>("nlohmann");
  serialize<Nlohmann>("nlohmann");
}

}  // namespace hotbench::json
