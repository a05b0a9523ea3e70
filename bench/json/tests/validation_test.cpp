// Validation must catch a library that gets the work wrong: these adapters are
// deliberately broken, and their cases must fail before any timing.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <type_traits>

#include "json/cases.h"
#include "harness/test_util.h"

namespace hotbench::json {
namespace {

// A "library" built on the reference parser, with one planted defect.
enum class Defect {
  none,
  drop_last_member,
  change_string,
  misround_double,      // every double 1 ULP up: within this library's declared bound of 1
  misround_double_far,  // every double 2 ULP up: beyond the bound of 1
  swap_values,
  swap_and_misround,    // two strings swapped between keys, plus one misrounded double
  zero_numbers,         // returns 0 for every number (of the right kind)
  off_by_one_integer,   // every integer 1 too large
  timed_path_differs,   // misrounds (within the bound) in the check's walk, otherwise in the timed one
  bad_output,
  skip_work
};

template <Defect D>
class PlantedLib {
 public:
  using Doc = std::string;
  // The misrounding defects declare a bound of 1 ULP, like a library that
  // measured its own error; the others must round correctly.
  static constexpr std::uint64_t kMaxUlpError =
      (D == Defect::misround_double || D == Defect::misround_double_far || D == Defect::swap_and_misround ||
       D == Defect::timed_path_differs)
          ? 1
          : 0;

  Doc parse(std::string_view text) { return std::string(text); }

  template <class V>
  void walk(const Doc& doc, V& v) {
    if constexpr (D == Defect::skip_work) return;  // a lazy API that never looked at the input
    Tamper<V> t{v};
    parse_reference(doc, t);
  }
  void serialize(const Doc& doc, std::string& out) {
    out = doc;
    if constexpr (D == Defect::bad_output) out += "]";
  }

 private:
  template <class V>
  struct Tamper {
    V& v;
    int members = 0;
    void begin_object() { v.begin_object(); }
    void end_object(std::size_t n) {
      if (D == Defect::drop_last_member && n > 0) --n;
      v.end_object(n);
    }
    void begin_array() { v.begin_array(); }
    void end_array(std::size_t n) { v.end_array(n); }
    void key(std::string_view k) { v.key(k); }
    static constexpr bool kSwap = D == Defect::swap_values || D == Defect::swap_and_misround;
    void string(std::string_view s) {
      if (D == Defect::change_string && s == "abc") return v.string("abd");
      if (kSwap && s == "x") return v.string("y");
      if (kSwap && s == "y") return v.string("x");
      v.string(s);
    }
    void int64(std::int64_t i) {
      if (D == Defect::zero_numbers) return v.int64(0);
      v.int64(D == Defect::off_by_one_integer ? i + 1 : i);
    }
    void uint64(std::uint64_t u) {
      if (D == Defect::zero_numbers) return v.uint64(0);
      v.uint64(D == Defect::off_by_one_integer ? u + 1 : u);
    }
    void dbl(double d) {
      const double up = std::nextafter(d, 1e308);
      if constexpr (D == Defect::misround_double) d = up;
      if constexpr (D == Defect::misround_double_far) d = std::nextafter(up, 1e308);
      if constexpr (D == Defect::swap_and_misround) d = d == 0.1 ? up : d;
      if constexpr (D == Defect::zero_numbers) d = 0.0;
      if constexpr (D == Defect::timed_path_differs) {
        // DeepVisitor: the check's walk; StatsVisitor: the timed path.
        d = std::is_same_v<V, DeepVisitor> ? up : std::nextafter(d, -1e308);
      }
      v.dbl(d);
    }
    void boolean(bool b) { v.boolean(b); }
    void null() { v.null(); }
  };
};

const char* kDoc = R"({"a":"x","b":"y","c":"abc","d":[1,2.5,0.1],"e":{"f":null}})";

template <class CaseT>
Check run_check(const std::string& text = kDoc) {
  test::TempDir dir;
  std::string path = dir.write("planted.json", text);
  CaseT c(Dataset::load(path));
  return c.check();
}

TEST(Validation, ACorrectAdapterPasses) {
  Check c = run_check<ParseCase<PlantedLib<Defect::none>>>();
  EXPECT_TRUE(c.ok()) << c.error;
  EXPECT_EQ(test::finding(c, "number_mismatches"), 0);
}

TEST(Validation, CatchesAMissingMember) {
  Check c = run_check<ParseCase<PlantedLib<Defect::drop_last_member>>>();
  EXPECT_NE(c.error.find("members: expected 6, got 4"), std::string::npos) << c.error;
  EXPECT_NE(c.error.find("planted.json"), std::string::npos) << "the error names the file";
}

TEST(Validation, CatchesChangedStringContent) {
  Check c = run_check<ParseCase<PlantedLib<Defect::change_string>>>();
  EXPECT_NE(c.error.find("string contents differ"), std::string::npos) << c.error;
}

TEST(Validation, CatchesValuesUnderTheWrongKeys) {
  Check c = run_check<ParseCase<PlantedLib<Defect::swap_values>>>();
  EXPECT_NE(c.error.find("different keys or positions"), std::string::npos) << c.error;
}

TEST(Validation, CountsMisroundedDoublesWithinTheBoundAsAFinding) {
  Check c = run_check<ParseCase<PlantedLib<Defect::misround_double>>>();
  EXPECT_TRUE(c.ok()) << c.error;
  EXPECT_EQ(test::finding(c, "number_mismatches"), 2);  // 2.5 and 0.1; the integer 1 is untouched
  EXPECT_EQ(test::finding(c, "max_ulp_error"), 1);
}

TEST(Validation, DoublesFartherThanTheLibrarysBoundAreWrong) {
  Check c = run_check<ParseCase<PlantedLib<Defect::misround_double_far>>>();
  EXPECT_NE(c.error.find("2 units in the last place away, more than this library's bound of 1"), std::string::npos)
      << c.error;
}

TEST(Validation, AParserThatReturnsZeroForEveryNumberFails) {
  Check c = run_check<ParseCase<PlantedLib<Defect::zero_numbers>>>();
  EXPECT_NE(c.error.find("3 of 3 numbers are wrong"), std::string::npos) << c.error;
}

TEST(Validation, AParserThatGetsIntegersOffByOneFails) {
  Check c = run_check<ParseCase<PlantedLib<Defect::off_by_one_integer>>>();
  EXPECT_NE(c.error.find("expected integer 1, got integer 2"), std::string::npos) << c.error;
}

TEST(Validation, SwappedStringsAreCaughtEvenBesideAMisroundedDouble) {
  Check c = run_check<ParseCase<PlantedLib<Defect::swap_and_misround>>>();
  EXPECT_NE(c.error.find("different keys or positions"), std::string::npos) << c.error;
}

TEST(Validation, TheTimedPathIsCheckedEvenWhenTheLibraryMisrounds) {
  // Both walks stay within the bound, but they disagree: the timed figure
  // would be for other work than the one checked.
  Check c = run_check<ParseCase<PlantedLib<Defect::timed_path_differs>>>();
  EXPECT_NE(c.error.find("the timed traversal differs from the checked one: number hash"), std::string::npos)
      << c.error;
}

TEST(Validation, ParseOnlyRowsRunTheSameCheck) {
  Check ok = run_check<ParseOnlyCase<PlantedLib<Defect::none>>>();
  EXPECT_TRUE(ok.ok()) << ok.error;
  EXPECT_EQ(test::finding(ok, "number_mismatches"), 0);
  Check zero = run_check<ParseOnlyCase<PlantedLib<Defect::zero_numbers>>>();
  EXPECT_NE(zero.error.find("numbers are wrong"), std::string::npos) << zero.error;
  Check swapped = run_check<ParseOnlyCase<PlantedLib<Defect::swap_values>>>();
  EXPECT_NE(swapped.error.find("different keys or positions"), std::string::npos) << swapped.error;
}

// The bare-loop rows, run through Google Benchmark as --hotbench_bare runs them.
struct BareRow {
  bool ran = false;
  bool error = false;
  std::string message;
  std::map<std::string, double> counters;
};

class CaptureReporter : public benchmark::BenchmarkReporter {
 public:
  explicit CaptureReporter(BareRow& row) : row_(row) {}
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      row_.ran = true;
      row_.error = row_.error || r.error_occurred;
      row_.message += r.error_message;
      for (const auto& [k, v] : r.counters) row_.counters[k] = v.value;
    }
  }

 private:
  BareRow& row_;
};

template <class Lib>
BareRow run_bare(const std::string& bench_name) {
  test::TempDir dir;
  std::string path = dir.write("planted.json", kDoc);
  benchmark::RegisterBenchmark(bench_name.c_str(), [path, bench_name](benchmark::State& s) {
    bare_parse_loop<Lib>(s, path, bench_name);
  })->Iterations(2);
  BareRow row;
  CaptureReporter reporter(row);
  benchmark::RunSpecifiedBenchmarks(&reporter, "^" + bench_name + "(/|$)");  // Iterations() appends /iterations:2
  return row;
}

TEST(Validation, BareLoopRowsAreCheckedAndFailAsErrorRows) {
  BareRow zero = run_bare<PlantedLib<Defect::zero_numbers>>("planted_bare_zero");
  ASSERT_TRUE(zero.ran);
  EXPECT_TRUE(zero.error) << "a bare row of a parser that returns 0 for every number must be an error";
  EXPECT_NE(zero.message.find("numbers are wrong"), std::string::npos) << zero.message;

  BareRow skip = run_bare<PlantedLib<Defect::skip_work>>("planted_bare_skip");
  EXPECT_TRUE(skip.error);
  EXPECT_NE(skip.message.find("objects: expected 2, got 0"), std::string::npos) << skip.message;

  BareRow timed = run_bare<PlantedLib<Defect::timed_path_differs>>("planted_bare_timed");
  EXPECT_TRUE(timed.error);
  EXPECT_NE(timed.message.find("the timed traversal differs"), std::string::npos) << timed.message;

  BareRow good = run_bare<PlantedLib<Defect::misround_double>>("planted_bare_good");
  EXPECT_FALSE(good.error) << good.message;
  EXPECT_EQ(good.counters["number_mismatches"], 2);
  EXPECT_EQ(good.counters["max_ulp_error"], 1);
}

TEST(Validation, CatchesAnAdapterThatSkipsTheWork) {
  Check c = run_check<ParseCase<PlantedLib<Defect::skip_work>>>();
  EXPECT_FALSE(c.ok());
  EXPECT_NE(c.error.find("objects: expected 2, got 0"), std::string::npos) << c.error;
}

TEST(Validation, SerializeOutputMustBeValidJson) {
  Check c = run_check<SerializeCase<PlantedLib<Defect::bad_output>>>();
  EXPECT_NE(c.error.find("serialized output is not valid JSON at byte"), std::string::npos) << c.error;
}

TEST(Validation, SerializeOutputMustDescribeTheSameDocument) {
  // The document walks with a dropped member, so the faithful output disagrees with it.
  Check c = run_check<SerializeCase<PlantedLib<Defect::drop_last_member>>>();
  EXPECT_NE(c.error.find("serialized output: structure differs"), std::string::npos) << c.error;
}

TEST(Validation, ACorrectSerializerPassesAndReportsOutputBytes) {
  test::TempDir dir;
  std::string path = dir.write("ok.json", kDoc);
  SerializeCase<PlantedLib<Defect::none>> c(Dataset::load(path));
  Check check = c.check();
  EXPECT_TRUE(check.ok()) << check.error;
  EXPECT_EQ(c.work().output_bytes, std::string(kDoc).size());
}

}  // namespace
}  // namespace hotbench::json
