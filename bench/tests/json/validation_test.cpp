// Validation must catch a library that gets the work wrong: these adapters are
// deliberately broken, and their cases must fail before any timing.
#include <gtest/gtest.h>

#include <cmath>

#include "json/cases.h"
#include "tests/test_util.h"

namespace hotbench::json {
namespace {

// A "library" built on the reference parser, with one planted defect.
enum class Defect { none, drop_last_member, change_string, misround_double, swap_values, bad_output, skip_work };

template <Defect D>
class PlantedLib {
 public:
  using Doc = std::string;
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
    void string(std::string_view s) {
      if (D == Defect::change_string && s == "abc") return v.string("abd");
      if (D == Defect::swap_values && s == "x") return v.string("y");
      if (D == Defect::swap_values && s == "y") return v.string("x");
      v.string(s);
    }
    void int64(std::int64_t i) { v.int64(i); }
    void uint64(std::uint64_t u) { v.uint64(u); }
    void dbl(double d) { v.dbl(D == Defect::misround_double ? std::nextafter(d, 1e308) : d); }
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

TEST(Validation, CountsMisroundedDoublesAsAFinding) {
  Check c = run_check<ParseCase<PlantedLib<Defect::misround_double>>>();
  EXPECT_TRUE(c.ok()) << c.error;
  EXPECT_EQ(test::finding(c, "number_mismatches"), 2);  // 2.5 and 0.1; the integer 1 is untouched
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
