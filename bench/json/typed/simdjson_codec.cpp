// simdjson 3.0.1 typed codec, On-Demand: the struct is filled straight from
// the text with no DOM in between, which is what On-Demand is for. It is lazy,
// so the decode reads every value (each one lands in the struct) and checks
// that nothing is left over. simdjson cannot serialize a struct: decode only.
#include <simdjson.h>

#include <stdexcept>

#include "../simdjson_kernel.h"
#include "typed_cases.h"

static_assert(hotbench::json::kPadding >= simdjson::SIMDJSON_PADDING);

namespace hotbench::json {
namespace {

namespace sj = simdjson;
namespace od = simdjson::ondemand;
using namespace typed;

void throw_on_error(sj::error_code error, std::string_view member) {
  if (error == sj::SUCCESS) return;
  if (error == sj::INCORRECT_TYPE) throw DecodeError("member '" + std::string(member) + "': wrong type");
  throw DecodeError("member '" + std::string(member) + "': simdjson: " + sj::error_message(error));
}

template <class M>
void read(od::value x, M& out, std::string_view member);

template <Described T>
void read_object(od::object object, T& out) {
  MemberSet<T> members;
  for (auto result : object) {
    od::field field;
    throw_on_error(std::move(result).get(field), "(object)");
    std::string_view key;
    throw_on_error(field.unescaped_key().get(key), "(key)");
    visit_member<T>(members.see(key), [&](auto d) { read(field.value(), out.*d.pointer, d.name); });
  }
  members.expect_all();
}

template <class M>
void read(od::value x, M& out, std::string_view member) {
  if constexpr (Described<M>) {
    od::object object;
    throw_on_error(x.get_object().get(object), member);
    read_object(object, out);
  } else if constexpr (is_optional_v<M>) {
    bool null = false;
    throw_on_error(x.is_null().get(null), member);  // consumes the value only when it is null
    if (null)
      out.reset();
    else
      read(x, out.emplace(), member);
  } else if constexpr (is_vector_v<M>) {
    od::array array;
    throw_on_error(x.get_array().get(array), member);
    out.clear();
    for (auto result : array) {
      od::value element;
      throw_on_error(std::move(result).get(element), member);
      read(element, out.emplace_back(), member);
    }
  } else if constexpr (std::is_same_v<M, std::string>) {
    std::string_view s;
    throw_on_error(x.get_string().get(s), member);
    out.assign(s);
  } else if constexpr (std::is_same_v<M, bool>) {
    throw_on_error(x.get_bool().get(out), member);
  } else if constexpr (Integer<M> && std::is_unsigned_v<M>) {
    std::uint64_t u = 0;
    throw_on_error(x.get_uint64().get(u), member);
    out = narrow_integer<M>(u, member);
  } else if constexpr (Integer<M>) {
    std::int64_t i = 0;
    throw_on_error(x.get_int64().get(i), member);
    out = narrow_integer<M>(i, member);
  } else if constexpr (std::is_same_v<M, double>) {
    throw_on_error(x.get_double().get(out), member);
  } else {
    static_assert(unsupported_member_type<M>, "no simdjson form for this member type");
  }
}

class SimdjsonOndemandCodec {
 public:
  SimdjsonOndemandCodec() { require_simd_ondemand(); }

  std::string label() const { return "kernel=" + std::string(kOndemandKernel); }

  // The dataset keeps kPadding readable bytes after every document, so no copy.
  template <class T>
  void decode(std::string_view text, T& out) {
    od::document doc;
    throw_on_error(parser_.iterate(text.data(), text.size(), text.size() + kPadding).get(doc), "(document)");
    od::object object;
    throw_on_error(doc.get_object().get(object), "(document)");
    read_object(object, out);
    // 3.0.1 has no document::at_end(); past the last token, current_location()
    // reports OUT_OF_BOUNDS.
    if (doc.current_location().error() != sj::OUT_OF_BOUNDS)
      throw DecodeError("simdjson: unexpected content after the message");
  }

 private:
  od::parser parser_;
};

}  // namespace

HOTBENCH_REGISTER(simdjson_typed) { typed_codec<SimdjsonOndemandCodec>("simdjson", "ondemand"); }

}  // namespace hotbench::json
