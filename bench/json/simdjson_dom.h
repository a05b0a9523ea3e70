// Walks a simdjson 3.0.1 DOM element with a stats visitor (the interface in
// stats.h): shared by the simdjson adapter (adapters/simdjson.cpp) and the
// differential fuzz target (bench/fuzz/json_differential_fuzz.cpp), so the
// fuzzer checks the very walk whose statistics the benchmarks validate.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hotbench::json {

template <class V>
void walk_simdjson_dom(simdjson::dom::element x, V& v) {
  namespace sj = simdjson;
  switch (x.type()) {
    case sj::dom::element_type::OBJECT: {
      v.begin_object();
      std::size_t n = 0;
      for (auto field : sj::dom::object(x)) {
        v.key(field.key);
        walk_simdjson_dom(field.value, v);
        ++n;
      }
      v.end_object(n);
      break;
    }
    case sj::dom::element_type::ARRAY: {
      v.begin_array();
      std::size_t n = 0;
      for (auto element : sj::dom::array(x)) {
        walk_simdjson_dom(element, v);
        ++n;
      }
      v.end_array(n);
      break;
    }
    case sj::dom::element_type::STRING: v.string(std::string_view(x)); break;
    case sj::dom::element_type::INT64: v.int64(int64_t(x)); break;
    case sj::dom::element_type::UINT64: v.uint64(uint64_t(x)); break;
    case sj::dom::element_type::DOUBLE: v.dbl(double(x)); break;
    case sj::dom::element_type::BOOL: v.boolean(bool(x)); break;
    case sj::dom::element_type::NULL_VALUE: v.null(); break;
  }
}

}  // namespace hotbench::json
