// Boost.JSON 1.81 typed codec: its own described-struct conversions
// (value_to / value_from), which is what an application using Boost.JSON
// writes. 1.81 has no parse_into (1.84+), so a decode builds the DOM first.
#include <boost/json.hpp>

#include <stdexcept>

#include "typed_cases.h"

namespace hotbench::json {
namespace {

namespace bj = boost::json;

class BoostJsonCodec {
 public:
  // The same number parser as the parse rows: adapters/boost_json.cpp, kBoostJsonMaxUlpError.
  static constexpr std::uint64_t kMaxUlpError = 3;
  BoostJsonCodec() { options_.max_depth = kMaxDepth + 1; }  // the default of 32 is too shallow for real data

  template <class T>
  void decode(std::string_view text, T& out) {
    bj::error_code ec;
    bj::value doc = bj::parse(bj::string_view(text.data(), text.size()), ec, {}, options_);
    if (ec) throw std::runtime_error("boost::json::parse: " + ec.message());
    // value_to reports only the error, not which member: good enough, since
    // check() names the document.
    auto converted = bj::try_value_to<T>(doc);
    if (!converted) throw std::runtime_error("boost::json::value_to: " + converted.error().message());
    out = std::move(*converted);
  }

  template <class T>
  void encode(const T& in, std::string& out) {
    out = bj::serialize(bj::value_from(in));
  }

 private:
  bj::parse_options options_;
};

}  // namespace

HOTBENCH_REGISTER(boost_json_typed) { typed_codec<BoostJsonCodec>("boost_json"); }

}  // namespace hotbench::json
