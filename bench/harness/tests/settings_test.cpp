// The harness's settings parser and data-file discovery: the same wording for every suite.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <unistd.h>

#include "harness/settings.h"
#include "harness/suite.h"

namespace hotbench {
namespace {

std::string refusal(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(Settings, DefaultsWhenNotGivenAndValuesWhenGiven) {
  Settings s("demo", {{"sizes", "1,2,3"}, {"pin", "true"}});
  EXPECT_EQ(s.integers("sizes", {8}, 1, 10, "h"), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_TRUE(s.flag("pin", false, "h"));
  EXPECT_EQ(s.names("names", {"a"}, {"a", "b"}, "h"), std::vector<std::string>{"a"});
  EXPECT_DOUBLE_EQ(s.real("rate", 2.5, 1, 10, "h"), 2.5);
  EXPECT_NO_THROW(s.finish());
  ASSERT_EQ(s.declared().size(), 4u);
  EXPECT_EQ(s.declared()[0].default_value, "8");
  EXPECT_EQ(s.as_given(), "sizes=1,2,3;pin=true");
}

TEST(Settings, RefusesWithTheKeyTheValueAndWhatIsAccepted) {
  EXPECT_EQ(refusal([] { Settings("demo", {{"n", "0"}}).integer("n", 1, 1, 9, "h"); }),
            "--hotbench_set=n=0: '0' is not an integer in 1..9");
  EXPECT_EQ(refusal([] { Settings("demo", {{"n", "+1"}}).integer("n", 1, 1, 9, "h"); }),
            "--hotbench_set=n=+1: '+1' is not an integer in 1..9");
  EXPECT_EQ(refusal([] { Settings("demo", {{"n", "1,,2"}}).integers("n", {1}, 1, 9, "h"); }),
            "--hotbench_set=n=1,,2: an empty item in the list");
  EXPECT_EQ(refusal([] { Settings("demo", {{"q", "x"}}).names("q", {"a"}, {"a", "b"}, "h"); }),
            "--hotbench_set=q=x: unknown 'x' (accepted: a, b)");
  EXPECT_EQ(refusal([] { Settings("demo", {{"pin", "yes"}}).flag("pin", false, "h"); }),
            "--hotbench_set=pin=yes: wants true or false");
  EXPECT_EQ(refusal([] { Settings("demo", {{"r", "nan"}}).real("r", 1, 0, 2, "h"); }),
            "--hotbench_set=r=nan: 'nan' is not a number in 0..2");
  EXPECT_EQ(refusal([] { Settings("demo", {{"a", "1"}, {"a", "2"}}); }), "--hotbench_set=a is given twice");
}

TEST(Settings, AnUnknownKeyIsRefusedNamingTheKnownOnes) {
  Settings s("demo", {{"colour", "red"}});
  s.flag("pin", false, "h");
  s.integer("n", 1, 1, 9, "h");
  EXPECT_EQ(refusal([&] { s.finish(); }), "--hotbench_set=colour=red: the demo suite has no setting 'colour' "
                                          "(its settings: pin, n)");
  Settings none("empty", {{"x", "1"}});
  EXPECT_EQ(refusal([&] { none.finish(); }),
            "--hotbench_set=x=1: the empty suite has no setting 'x' (it has no settings)");
}

TEST(DiscoverFiles, ExpandsFoldersSortedAndRefusesBadPaths) {
  const auto dir = std::filesystem::temp_directory_path() / ("hotbench-discover-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "empty");
  std::filesystem::create_directories(dir / "other");
  for (const char* name : {"b.json", "a.jsonl", "notes.txt", "other/b.json"}) std::ofstream(dir / name) << "1";
  const std::vector<std::string> suffixes = {".json", ".jsonl"};
  const auto files = discover_files({dir.string()}, suffixes, "demo");
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(std::filesystem::path(files[0]).filename(), "a.jsonl");
  EXPECT_EQ(std::filesystem::path(files[1]).filename(), "b.json");
  const std::string d = dir.string();
  EXPECT_EQ(refusal([&] { discover_files({d + "/missing"}, suffixes, "demo"); }), d + "/missing: no such file or folder");
  EXPECT_EQ(refusal([&] { discover_files({d + "/notes.txt"}, suffixes, "demo"); }),
            d + "/notes.txt: not a data file of the demo suite (expected .json or .jsonl)");
  EXPECT_EQ(refusal([&] { discover_files({d + "/empty"}, suffixes, "demo"); }),
            d + "/empty: no .json or .jsonl files in this folder");
  EXPECT_NE(refusal([&] { discover_files({d, d + "/other"}, suffixes, "demo"); }).find("dataset names must be unique"),
            std::string::npos);
  EXPECT_EQ(refusal([&] { discover_files({d}, {}, "queue"); }), d + ": the queue suite reads no data files (--hotbench_data)");
  std::filesystem::remove_all(dir);
}

// Suffixes of several parts: the longest one a name ends with decides, and the dataset name is
// the file name without it, so "x.oracleGeneral.bin.zst" and "x.csv" are both dataset "x".
TEST(DiscoverFiles, MultiPartSuffixes) {
  const auto dir = std::filesystem::temp_directory_path() / ("hotbench-suffix-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::vector<std::string> suffixes = {".csv", ".oracleGeneral", ".oracleGeneral.bin", ".oracleGeneral.zst",
                                             ".oracleGeneral.bin.zst"};
  for (const char* name : {"a.oracleGeneral.bin.zst", "b.oracleGeneral.bin", "c.oracleGeneral", "d.zst", "e.bin"})
    std::ofstream(dir / name) << "1";
  const auto files = discover_files({dir.string()}, suffixes, "demo");
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(data_suffix(files[0], suffixes), ".oracleGeneral.bin.zst");
  EXPECT_EQ(dataset_name(files[0], suffixes), "a");
  EXPECT_EQ(dataset_name(files[1], suffixes), "b");
  EXPECT_EQ(dataset_name(files[2], suffixes), "c");
  EXPECT_EQ(data_suffix("x/y.oracleGeneral.bin.zst.part", suffixes), "");
  EXPECT_EQ(data_suffix(".csv", suffixes), "");  // a suffix alone names no dataset
  const std::string d = dir.string();
  EXPECT_EQ(refusal([&] { discover_files({d + "/d.zst"}, suffixes, "demo"); }),
            d + "/d.zst: not a data file of the demo suite (expected .csv or .oracleGeneral or .oracleGeneral.bin or "
                ".oracleGeneral.zst or .oracleGeneral.bin.zst)");
  std::ofstream(dir / "a.csv") << "1";
  EXPECT_EQ(refusal([&] { discover_files({d + "/a.csv", d + "/a.oracleGeneral.bin.zst"}, suffixes, "demo"); }),
            d + "/a.oracleGeneral.bin.zst: another data file is also named 'a'; dataset names must be unique");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hotbench
