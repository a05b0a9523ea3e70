// Boost.JSON 1.81. Two parse variants:
//   boost_json            boost::json::parse with the default storage (what most code does)
//   boost_json:monotonic  one reused parser writing into a fresh monotonic_resource
//                         per document (Boost's documented fast path). Not a reused
//                         resource with release(): in 1.81 release() keeps the doubled
//                         next block size, so every cycle allocates twice as much as
//                         the one before, until bad_alloc.
// 1.81 has no precise-number option (1.83+), so some doubles may differ from a
// correctly rounded parse: the rows report how many as number_mismatches.
#include <boost/json.hpp>

#include <optional>
#include <stdexcept>

#include "../cases.h"

namespace hotbench::json {
namespace {

namespace bj = boost::json;

bj::parse_options options() {
  bj::parse_options o;
  o.max_depth = kMaxDepth + 1;  // the default of 32 rejects ordinary documents
  return o;
}

std::string_view view(bj::string_view s) { return {s.data(), s.size()}; }

template <class V>
void walk_value(const bj::value& x, V& v) {
  switch (x.kind()) {
    case bj::kind::object: {
      const bj::object& o = x.get_object();
      v.begin_object();
      for (const auto& member : o) {
        v.key(view(member.key()));
        walk_value(member.value(), v);
      }
      v.end_object(o.size());
      break;
    }
    case bj::kind::array: {
      const bj::array& a = x.get_array();
      v.begin_array();
      for (const auto& element : a) walk_value(element, v);
      v.end_array(a.size());
      break;
    }
    case bj::kind::string: v.string(view(x.get_string())); break;
    case bj::kind::int64: v.int64(x.get_int64()); break;
    case bj::kind::uint64: v.uint64(x.get_uint64()); break;
    case bj::kind::double_: v.dbl(x.get_double()); break;
    case bj::kind::bool_: v.boolean(x.get_bool()); break;
    case bj::kind::null: v.null(); break;
  }
}

// Boost.JSON 1.81 parses doubles with at most this many units in the last
// place of error (see docs/json.md for how it was measured); farther is a wrong result.
constexpr std::uint64_t kBoostJsonMaxUlpError = 3;

class BoostJson {
 public:
  using Doc = bj::value;
  static constexpr std::uint64_t kMaxUlpError = kBoostJsonMaxUlpError;

  Doc parse(std::string_view text) {
    bj::error_code ec;
    Doc doc = bj::parse(bj::string_view(text.data(), text.size()), ec, {}, options());
    if (ec) throw std::runtime_error("boost::json::parse: " + ec.message());
    return doc;
  }
  template <class V>
  void walk(const Doc& doc, V& v) {
    walk_value(doc, v);
  }
  void serialize(const Doc& doc, std::string& out) { out = bj::serialize(doc); }
};

class BoostJsonMonotonic {
 public:
  using Doc = bj::value;
  static constexpr std::uint64_t kMaxUlpError = kBoostJsonMaxUlpError;

  Doc parse(std::string_view text) {
    memory_.emplace();  // the previous document is gone by contract
    parser_.reset(&*memory_);
    bj::error_code ec;
    parser_.write(text.data(), text.size(), ec);
    if (ec) throw std::runtime_error("boost::json::parser: " + ec.message());
    return parser_.release();
  }
  template <class V>
  void walk(const Doc& doc, V& v) {
    walk_value(doc, v);
  }

 private:
  std::optional<bj::monotonic_resource> memory_;
  bj::parser parser_{bj::storage_ptr(), options()};
};

}  // namespace

HOTBENCH_REGISTER(boost_json) {
  parse<BoostJson>("boost_json");
  parse<BoostJsonMonotonic>("boost_json", "monotonic");
  serialize<BoostJson>("boost_json");
}

}  // namespace hotbench::json
