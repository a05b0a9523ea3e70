// Doubles the corpus never holds (its prices, scores and coordinates are decimals read from JSON),
// through every registered format: -0.0, integral values, a NaN with a payload, the infinities, the
// smallest subnormal, 2^64. A format must give back the same bits (contract.h). Not every library
// does by default: msgpack-cxx's packer::pack_double writes a double with an integer value as an
// integer, which turns -0.0 into 0.0; the round trips of the corpus cannot see that.
//
// One known exception, asserted as it is so that a fix shows here: FlatBuffers 2.0.8 does not store a
// scalar field equal to its default (0.0) and -0.0 == 0.0, so -0.0 in a double field that is not
// optional reads back as 0.0 (vectors and optional scalars keep it). FlatBufferBuilder::ForceDefaults
// would store it (docs/serial.md).
#include <gtest/gtest.h>

#include <bit>
#include <limits>

#include "serial/cases.h"

namespace hotbench::serial {
namespace {

std::vector<double> awkward_doubles() {
  using limits = std::numeric_limits<double>;
  return {-0.0,
          0.0,
          3.0,
          -7.0,
          18446744073709551616.0,  // 2^64: one past uint64's range
          std::bit_cast<double>(std::uint64_t{0x7ff800000000beefULL}),  // a quiet NaN with a payload
          -limits::infinity(),
          limits::infinity(),
          limits::denorm_min()};
}

// The first difference a format is known to give, "" for none.
std::string known_difference(const Format& format, const char* kind) {
  if (format.library != "flatbuffers") return "";
  if (std::string(kind) == "orders") return "items[0].unit_price: 0 != -0 (decoded != reference)";
  if (std::string(kind) == "profiles") return "score: 0 != -0 (decoded != reference)";
  return "";
}

template <class T>
void gives_back_the_bits(const Format& format, const char* kind, const T& want) {
  auto f = format.make<T>();
  std::string bytes;
  f->encode(want, bytes);
  T got{};
  f->decode(bytes, got);
  EXPECT_EQ(first_difference(got, want), known_difference(format, kind)) << kind;
}

TEST(SerialDoubles, EveryFormatGivesBackTheBitsOfDoublesJsonDoesNotCarry) {
  const std::vector<double> values = awkward_doubles();
  Order order{};
  order.currency = "EUR";
  order.total = -0.0;
  for (double v : values) order.items.push_back(typed::LineItem{"sku", "title", 1, v, v});
  typed::Event event{};
  event.type = "measure";
  event.values = values;
  typed::UserProfile profile{};
  profile.score = -0.0;
  profile.location = typed::GeoPoint{-0.0, std::numeric_limits<double>::denorm_min()};

  ASSERT_FALSE(formats().all().empty());
  for (const Format& format : formats().all()) {
    SCOPED_TRACE(format.name);
    gives_back_the_bits(format, "orders", order);
    gives_back_the_bits(format, "events", event);
    gives_back_the_bits(format, "profiles", profile);
  }
}

}  // namespace
}  // namespace hotbench::serial
