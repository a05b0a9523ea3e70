// What the fuzz targets share: a failed property aborts with a message (libFuzzer
// records the input as a crash), and readers that take a path read the input from
// a file in a private temporary folder.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <signal.h>
#include <unistd.h>

namespace hotbench::fuzz {

// A property of the reader does not hold for this input: abort, so that libFuzzer
// keeps the input (crash-<sha1>) and prints the stack.
[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "\nhotbench fuzz: property violated: %s\n", what.c_str());
  std::abort();
}

inline void check(bool ok, const std::string& what) {
  if (!ok) fail(what);
}

// The readers under test take a path (they read files in production), so every
// input is written to a file with the suffix the reader expects, in a folder of
// this process's own that is removed at exit. Going through the file keeps the
// readers exactly as they are (no test-only entry point) and exercises their
// file handling too. The folder is in /dev/shm (memory) when there is one:
// rewriting a file on a disk file system such as ext4 flushes it on close,
// about 5 ms per input instead of tens of microseconds.
class InputFiles {
 public:
  InputFiles() {
    const std::filesystem::path shm = "/dev/shm";
    const std::filesystem::path base =
        ::access(shm.c_str(), W_OK | X_OK) == 0 ? shm : std::filesystem::temp_directory_path();
    remove_orphans(base);
    dir_ = base / ("hotbench-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  ~InputFiles() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  InputFiles(const InputFiles&) = delete;
  InputFiles& operator=(const InputFiles&) = delete;

  // Writes `bytes` to <folder>/<name> and returns its path.
  std::string write(const std::string& name, std::string_view bytes) const {
    const std::string path = (dir_ / name).string();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) fail("cannot create the input file " + path);
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    if (std::fclose(f) != 0 || !ok) fail("cannot write the input file " + path);
    return path;
  }

 private:
  // A fuzzer that crashes (abort, a sanitizer report) skips destructors and
  // leaves its folder behind: remove those of processes that no longer exist.
  static void remove_orphans(const std::filesystem::path& base) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(base, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("hotbench-fuzz-", 0) != 0) continue;
      const long pid = std::strtol(name.c_str() + 14, nullptr, 10);
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
        std::filesystem::remove_all(entry.path(), ec);
    }
  }

  std::filesystem::path dir_;
};

inline const InputFiles& input_files() {
  static const InputFiles files;
  return files;
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace hotbench::fuzz
