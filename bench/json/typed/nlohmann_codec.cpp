// nlohmann/json 3.11.2 typed codec: the library's own mechanism, ADL
// from_json/to_json, written once for every described struct. Decode goes
// through a json DOM, as get<T>() always does. Its objects are std::map, so
// encoded members come out sorted by key rather than in declaration order
// (still the same JSON object).
#include <nlohmann/json.hpp>

#include <stdexcept>

#include "typed_cases.h"

// In the structs' own namespace, where nlohmann's ADL lookup finds them.
namespace hotbench::json::typed {

template <class BasicJson, Described T>
void from_json(const BasicJson& j, T& out);
template <class BasicJson, Described T>
void to_json(BasicJson& j, const T& in);

namespace nlohmann_codec {

// get<M>() on an arithmetic M is a plain static_cast in nlohmann (a string is
// rejected, but 2^32 becomes 0 in a uint32 and 1.5 becomes 1 in an int), so
// numbers are type- and range-checked here.
template <class BasicJson, class M>
void read(const BasicJson& x, M& out, std::string_view member) {
  if constexpr (Described<M>) {
    if (!x.is_object()) throw_wrong_type(member, "an object");
    from_json(x, out);
  } else if constexpr (is_optional_v<M>) {  // 3.11.2 has no std::optional support
    if (x.is_null())
      out.reset();
    else
      read(x, out.emplace(), member);
  } else if constexpr (is_vector_v<M>) {
    if (!x.is_array()) throw_wrong_type(member, "an array");
    out.clear();
    out.reserve(x.size());
    for (const auto& element : x) read(element, out.emplace_back(), member);
  } else if constexpr (std::is_same_v<M, std::string>) {
    if (!x.is_string()) throw_wrong_type(member, "a string");
    out = x.template get_ref<const std::string&>();
  } else if constexpr (std::is_same_v<M, bool>) {
    if (!x.is_boolean()) throw_wrong_type(member, "true or false");
    out = x.template get<bool>();
  } else if constexpr (Integer<M>) {
    // Positive integers are number_unsigned, negative ones number_integer.
    if (x.is_number_unsigned())
      out = narrow_integer<M>(x.template get<std::uint64_t>(), member);
    else if (x.is_number_integer())
      out = narrow_integer<M>(x.template get<std::int64_t>(), member);
    else
      throw_wrong_type(member, "an integer");
  } else if constexpr (std::is_same_v<M, double>) {
    if (!x.is_number()) throw_wrong_type(member, "a number");
    out = x.template get<double>();
  } else {
    static_assert(unsupported_member_type<M>, "no nlohmann form for this member type");
  }
}

template <class BasicJson, class M>
void write(BasicJson& j, const M& x) {
  if constexpr (Described<M>) {
    to_json(j, x);
  } else if constexpr (is_optional_v<M>) {
    if (x)
      write(j, *x);
    else
      j = nullptr;
  } else if constexpr (is_vector_v<M>) {
    j = BasicJson::array();
    for (const auto& element : x) write(j.emplace_back(), element);
  } else {
    j = x;
  }
}

}  // namespace nlohmann_codec

template <class BasicJson, Described T>
void from_json(const BasicJson& j, T& out) {
  if (!j.is_object()) throw DecodeError("expected an object");
  MemberSet<T> members;
  for (auto it = j.begin(); it != j.end(); ++it)
    visit_member<T>(members.see(it.key()),
                    [&](auto d) { nlohmann_codec::read(it.value(), out.*d.pointer, d.name); });
  members.expect_all();
}

template <class BasicJson, Described T>
void to_json(BasicJson& j, const T& in) {
  j = BasicJson::object();
  for_each_member<T>([&](auto d) { nlohmann_codec::write(j[d.name], in.*d.pointer); });
}

}  // namespace hotbench::json::typed

namespace hotbench::json {
namespace {

class NlohmannCodec {
 public:
  template <class T>
  void decode(std::string_view text, T& out) {
    nlohmann::json::parse(text.begin(), text.end()).get_to(out);
  }

  template <class T>
  void encode(const T& in, std::string& out) {
    out = nlohmann::json(in).dump();
  }
};

}  // namespace

HOTBENCH_REGISTER(nlohmann_typed) { typed_codec<NlohmannCodec>("nlohmann"); }

}  // namespace hotbench::json
