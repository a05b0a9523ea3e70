// The checks catch what they exist for: an adapter that drops a field, flips the last bit of a
// double or refuses valid bytes gives a failed check() (an error row, no figure), named at the
// message and member; first_difference tells apart what a lossy format would merge.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "harness/suite.h"
#include "serial/cases.h"

namespace hotbench::serial {
namespace {

std::shared_ptr<const Messages<Order>> corpus_orders() {
  const auto path = (std::filesystem::path(suite_info().default_data.at(0)) / "orders.jsonl").string();
  if (!std::filesystem::exists(path)) return nullptr;
  return load_messages<Order>(path);
}

// A real format (the first registered) with one planted fault.
enum class Fault { drops_currency, flips_total_last_bit, refuses_everything };

template <Fault fault>
class Broken {
 public:
  template <class T>
  void encode(const T& in, std::string& out) {
    real_->encode(in, out);
  }
  template <class T>
  void decode(std::string_view bytes, T& out) {
    real_->decode(bytes, out);
    if constexpr (fault == Fault::drops_currency) out.currency.clear();
    if constexpr (fault == Fault::flips_total_last_bit) {
      std::uint64_t bits;
      std::memcpy(&bits, &out.total, sizeof bits);
      bits ^= 1;
      std::memcpy(&out.total, &bits, sizeof bits);
    }
  }
  template <class T>
  bool validate(std::string_view bytes) {
    return fault != Fault::refuses_everything && real_->validate(bytes);
  }

 private:
  std::unique_ptr<AnyFormat<Order>> real_ = formats().all().front().make<Order>();
};

template <class C>
std::string check_error(std::shared_ptr<const Messages<Order>> m) {
  C c(std::move(m));
  return c.check().error;
}

TEST(SerialChecks, PlantedFaultsFailTheCheckNamingMessageAndMember) {
  auto orders = corpus_orders();
  if (!orders) GTEST_SKIP() << "no generated corpus: python3 data/generate.py";
  ASSERT_FALSE(formats().all().empty());
  // The real format passes, so the failures below are the faults'.
  EXPECT_EQ((check_error<DecodeCase<Broken<Fault::refuses_everything>, Order>>(orders)), "");

  std::string dropped = check_error<DecodeCase<Broken<Fault::drops_currency>, Order>>(orders);
  EXPECT_NE(dropped.find("orders line 1: currency: \"\" (0 bytes) != \""), std::string::npos) << dropped;
  EXPECT_NE((check_error<EncodeCase<Broken<Fault::drops_currency>, Order>>(orders)), "");
  EXPECT_NE((check_error<RoundTripCase<Broken<Fault::drops_currency>, Order>>(orders)), "");

  std::string flipped = check_error<RoundTripCase<Broken<Fault::flips_total_last_bit>, Order>>(orders);
  EXPECT_NE(flipped.find("orders line 1: total: "), std::string::npos) << flipped;
  EXPECT_NE(flipped.find("(decoded != reference)"), std::string::npos) << flipped;

  std::string refused = check_error<ValidateCase<Broken<Fault::refuses_everything>, Order>>(orders);
  EXPECT_NE(refused.find("orders line 1: validate refuses a valid encoding"), std::string::npos) << refused;
}

TEST(SerialChecks, FirstDifferenceNamesThePathAndKeepsWhatLossyFormatsMerge) {
  Order want{};
  want.items.resize(3);
  want.items[2].discount = 0.1;
  Order got = want;
  EXPECT_EQ(first_difference(got, want), "");
  got.items[2].discount = 0.15;
  EXPECT_EQ(first_difference(got, want), "items[2].discount: 0.14999999999999999 != 0.10000000000000001 (decoded != reference)");

  got = want;
  got.items[2].discount = std::nullopt;
  EXPECT_EQ(first_difference(got, want), "items[2].discount: absent != present (decoded != reference)");

  got = want;
  want.coupon = "";  // present and empty is not absent
  EXPECT_EQ(first_difference(got, want), "coupon: absent != present (decoded != reference)");

  got = want;
  got.total = -0.0;  // bit for bit: -0.0 is not 0.0
  EXPECT_NE(first_difference(got, want), "");
  got.total = want.total = std::nan("");
  EXPECT_EQ(first_difference(got, want), "");

  got = want;
  got.items.pop_back();
  EXPECT_EQ(first_difference(got, want), "items: size 2 != 3 (decoded != reference)");
  got = want;
  got.shipping.city = "x";
  EXPECT_EQ(first_difference(got, want), "shipping.city: \"x\" (1 bytes) != \"\" (0 bytes) (decoded != reference)");
}

TEST(SerialChecks, FingerprintSeesEveryFieldAndTheOrder) {
  UserProfile a{};
  a.languages = {"en", "de"};
  UserProfile b = a;
  EXPECT_EQ(fingerprint_of(a), fingerprint_of(b));
  b.languages = {"de", "en"};
  EXPECT_NE(fingerprint_of(a), fingerprint_of(b));
  b = a;
  b.location = typed::GeoPoint{0, 0};
  EXPECT_NE(fingerprint_of(a), fingerprint_of(b));
  b = a;
  b.website = "";
  EXPECT_NE(fingerprint_of(a), fingerprint_of(b));
  b = a;
  b.score = -0.0;
  EXPECT_NE(fingerprint_of(a), fingerprint_of(b));
}

}  // namespace
}  // namespace hotbench::serial
