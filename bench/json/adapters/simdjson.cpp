// simdjson 3.0.1. Two parse variants, each with one reused parser and input
// that already carries SIMDJSON_PADDING bytes (no copy per call):
//   simdjson:dom        the DOM API (kernel chosen at run time)
//   simdjson:ondemand   On-Demand, which is lazy: the walk consumes every value
//                       (strings unescaped, numbers parsed) so that it does the
//                       same work as a DOM parse followed by a traversal
// Serialization in 3.0.1 is minify only (simdjson::to_string of a DOM element);
// On-Demand cannot serialize.
#include <simdjson.h>

#include <stdexcept>

#include "../cases.h"
#include "../simdjson_dom.h"
#include "../simdjson_kernel.h"

static_assert(hotbench::json::kPadding >= simdjson::SIMDJSON_PADDING);

namespace hotbench::json {
namespace {

namespace sj = simdjson;

template <class T>
T get(sj::simdjson_result<T>&& r) {
  T out;
  if (auto error = std::move(r).get(out)) throw std::runtime_error(std::string("simdjson: ") + sj::error_message(error));
  return out;
}

class SimdjsonDom {
 public:
  using Doc = sj::dom::element;

  Doc parse(std::string_view text) {
    return get(parser_.parse(text.data(), text.size(), /*realloc_if_needed=*/false));
  }
  template <class V>
  void walk(Doc doc, V& v) {
    walk_simdjson_dom(doc, v);
  }
  void serialize(const Doc& doc, std::string& out) { out = sj::to_string(doc); }
  std::string label() const { return std::string("kernel=") + sj::get_active_implementation()->name(); }

 private:
  sj::dom::parser parser_;
};

template <class V>
void walk_number(sj::ondemand::number n, V& v) {
  switch (n.get_number_type()) {
    case sj::ondemand::number_type::signed_integer: v.int64(n.get_int64()); break;
    case sj::ondemand::number_type::unsigned_integer: v.uint64(n.get_uint64()); break;
    case sj::ondemand::number_type::floating_point_number: v.dbl(n.get_double()); break;
  }
}

template <class V>
void walk_ondemand(sj::ondemand::value x, V& v);

template <class V>
void walk_object(sj::ondemand::object o, V& v) {
  v.begin_object();
  std::size_t n = 0;
  for (auto f : o) {
    sj::ondemand::field field = get(std::move(f));
    v.key(get(field.unescaped_key()));
    walk_ondemand(field.value(), v);
    ++n;
  }
  v.end_object(n);
}

template <class V>
void walk_array(sj::ondemand::array a, V& v) {
  v.begin_array();
  std::size_t n = 0;
  for (auto e : a) {
    walk_ondemand(get(std::move(e)), v);
    ++n;
  }
  v.end_array(n);
}

template <class V>
void walk_ondemand(sj::ondemand::value x, V& v) {
  switch (get(x.type())) {
    case sj::ondemand::json_type::object: walk_object(get(x.get_object()), v); break;
    case sj::ondemand::json_type::array: walk_array(get(x.get_array()), v); break;
    case sj::ondemand::json_type::string: v.string(get(x.get_string())); break;
    case sj::ondemand::json_type::number: walk_number(get(x.get_number()), v); break;
    case sj::ondemand::json_type::boolean: v.boolean(get(x.get_bool())); break;
    case sj::ondemand::json_type::null:
      if (!get(x.is_null())) throw std::runtime_error("simdjson: invalid null");
      v.null();
      break;
  }
}

class SimdjsonOndemand {
 public:
  using Doc = sj::ondemand::document;
  static constexpr bool kLazy = true;  // parse() builds nothing: no parse_only rows

  SimdjsonOndemand() { require_simd_ondemand(); }

  Doc parse(std::string_view text) { return get(parser_.iterate(text.data(), text.size(), text.size() + kPadding)); }

  // A scalar document has no ondemand::value, hence the separate root cases.
  // 3.0.1 has no document::at_end(); trailing content never reaches here
  // because every dataset passed the reference parser first.
  template <class V>
  void walk(Doc& doc, V& v) {
    switch (get(doc.type())) {
      case sj::ondemand::json_type::object: walk_object(get(doc.get_object()), v); break;
      case sj::ondemand::json_type::array: walk_array(get(doc.get_array()), v); break;
      case sj::ondemand::json_type::string: v.string(get(doc.get_string())); break;
      case sj::ondemand::json_type::number: walk_number(get(doc.get_number()), v); break;
      case sj::ondemand::json_type::boolean: v.boolean(get(doc.get_bool())); break;
      case sj::ondemand::json_type::null:
        if (!get(doc.is_null())) throw std::runtime_error("simdjson: invalid null");
        v.null();
        break;
    }
  }
  std::string label() const { return "kernel=" + std::string(kOndemandKernel); }

 private:
  sj::ondemand::parser parser_;
};

}  // namespace

HOTBENCH_REGISTER(simdjson) {
  parse<SimdjsonDom>("simdjson", "dom");
  parse<SimdjsonOndemand>("simdjson", "ondemand");
  serialize<SimdjsonDom>("simdjson", "dom");
}

}  // namespace hotbench::json
