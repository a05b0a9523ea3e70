// Untrusted bytes, a bounded fuzz of every registered format's decoder: for one encoding of every
// message kind, every truncation and single bit flips at a deterministic sample of positions (the
// suite's malformed rows, outcomes/malformed.cpp), and a seeded mutation fuzz (overwrites, insertions,
// deletions, splices of two encodings), all judged as the rows judge them (outcomes::judge). validate
// must answer (never throw, never read out of bounds: the asan preset runs this under AddressSanitizer
// and UBSan), and what it accepts must decode (and access) to an error or a value that survives its
// round trip.
// Every format must refuse some of them (a validate that accepts everything checks nothing).
// Bounded by counts, not time, so every run tries the same inputs; sized to take about a second per
// format under ASan (every input of cereal and Boost that is refused is a thrown exception).
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <random>

#include "harness/suite.h"
#include "serial/cases.h"
#include "serial/outcomes/outcomes.h"

namespace hotbench::serial {
namespace {

// Seeded mutations per message kind, and the seed: the same inputs on every run.
constexpr std::size_t kMutations = 700;
constexpr std::uint64_t kSeed = 20261130;

// One random change of `a` (or a splice of a and b): the mutations a fuzzer's first rounds make.
std::string mutated(const std::string& a, const std::string& b, std::mt19937_64& random) {
  auto below = [&](std::size_t n) { return n == 0 ? std::size_t{0} : static_cast<std::size_t>(random() % n); };
  std::string m = a;
  switch (below(5)) {
    case 0: {  // overwrite 1-8 bytes with random bytes
      const std::size_t at = below(m.size()), n = std::min<std::size_t>(1 + below(8), m.size() - at);
      for (std::size_t i = 0; i < n; ++i) m[at + i] = static_cast<char>(random());
      break;
    }
    case 1: {  // overwrite 1-8 bytes with a byte that makes lengths and counts extreme
      static constexpr unsigned char kExtremes[] = {0x00, 0xff, 0x7f, 0x80};
      const std::size_t at = below(m.size()), n = std::min<std::size_t>(1 + below(8), m.size() - at);
      const char c = static_cast<char>(kExtremes[below(4)]);
      for (std::size_t i = 0; i < n; ++i) m[at + i] = c;
      break;
    }
    case 2: {  // insert 1-8 random bytes
      std::string bytes(1 + below(8), '\0');
      for (char& c : bytes) c = static_cast<char>(random());
      m.insert(below(m.size() + 1), bytes);
      break;
    }
    case 3: {  // delete 1-16 bytes
      const std::size_t at = below(m.size());
      m.erase(at, 1 + below(16));
      break;
    }
    default: {  // splice: a's start, b's end
      m = a.substr(0, below(a.size() + 1)) + b.substr(below(b.size() + 1));
      break;
    }
  }
  return m;
}

template <class T>
void mutations_of(const Format& format, const char* dataset) {
  const auto path = (std::filesystem::path(suite_info().default_data.at(0)) / (std::string(dataset) + ".jsonl")).string();
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no generated corpus: python3 data/generate.py";
  auto messages = load_messages<T>(path);
  ASSERT_GE(messages->items.size(), 2u) << path;
  auto f = format.make<T>();
  std::string encoded, other;
  f->encode(messages->items[0], encoded);
  f->encode(messages->items[1], other);

  const outcomes::Malformed rows = outcomes::truncations_and_bit_flips(*f, encoded);
  EXPECT_EQ(rows.truncations.broken, "") << format.name << " " << dataset;
  EXPECT_EQ(rows.bit_flips.broken, "") << format.name << " " << dataset;
  outcomes::Tally fuzz;
  std::mt19937_64 random(kSeed);
  std::string why;
  for (std::size_t i = 0; i < kMutations; ++i) {
    const std::string input = mutated(encoded, other, random);
    const outcomes::Fate fate = outcomes::judge(*f, input, why);
    ++fuzz.tried;
    fuzz.refused += fate == outcomes::Fate::refused;
    EXPECT_NE(fate, outcomes::Fate::broken) << format.name << " " << dataset << ", mutation " << i << ": " << why;
  }
  const std::size_t refused = rows.truncations.refused + rows.bit_flips.refused + fuzz.refused;
  EXPECT_GT(refused, 0u) << format.name << " " << dataset << ": validate accepted every mutation";
  std::printf("%s %s (%zu bytes): validate refused %zu/%zu truncations, %zu/%zu bit flips, %zu/%zu mutations\n",
              format.name.c_str(), dataset, encoded.size(), rows.truncations.refused, rows.truncations.tried,
              rows.bit_flips.refused, rows.bit_flips.tried, fuzz.refused, fuzz.tried);
}

TEST(SerialMalformed, SomeFormatIsRegistered) { ASSERT_FALSE(formats().all().empty()); }

// One test case per format (taken from the registry when the tests start), so that the shards of
// the test binary share them.
class SerialMalformedFormat : public testing::TestWithParam<std::string> {};

TEST_P(SerialMalformedFormat, TruncationsBitFlipsAndMutationsGiveAnErrorOrAValidatedValue) {
  const Format* format = nullptr;
  for (const Format& f : formats().all())
    if (f.name == GetParam()) format = &f;
  ASSERT_NE(format, nullptr) << GetParam();
  for_each_kind([&]<class T>(const typed::Kind<T>& kind) { mutations_of<T>(*format, kind.dataset); });
}

INSTANTIATE_TEST_SUITE_P(EveryFormat, SerialMalformedFormat, testing::ValuesIn(formats().names()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace
}  // namespace hotbench::serial
