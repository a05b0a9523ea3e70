// jsoncpp 1.9.5's reader and writer as the adapter (adapters/jsoncpp.cpp) and
// the typed codec (typed/jsoncpp_codec.cpp) both use them: built once from the
// library's builders (CharReaderBuilder / StreamWriterBuilder, the documented
// API) and reused, so a row times parsing and writing, not building readers.
//
// Reader: jsoncpp's defaults, which are lenient (comments, trailing commas)
// but never change the value of valid JSON, plus failIfExtra, so that a
// document is the whole text and not its first value. Not strictMode: that
// also rejects a scalar root ("42"), which RFC 8259 allows.
// Writer: minified (indentation ""), and UTF-8 written as UTF-8 (emitUTF8), as
// every other serializer here does; by default jsoncpp escapes every non-ASCII
// character as \uXXXX, which makes its output larger than the others'.
// Doubles are written with 17 significant digits (its default), so they round-trip.
#pragma once

#include <json/json.h>

#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hotbench::json::jsoncpp {

class Reader {
 public:
  Reader() {
    Json::CharReaderBuilder builder;
    builder["failIfExtra"] = true;
    reader_.reset(builder.newCharReader());
  }

  // Throws with jsoncpp's own messages on one line.
  void parse(std::string_view text, Json::Value& out) {
    if (!reader_->parse(text.data(), text.data() + text.size(), &out, &errors_))
      throw std::runtime_error("jsoncpp: " + one_line(errors_));
  }

 private:
  // "* Line 1, Column 2\n  '1e400' is not a number.\n" (one such block per
  // error) -> "Line 1, Column 2: '1e400' is not a number."
  static std::string one_line(std::string_view text) {
    std::string out;
    std::size_t at = 0;
    while (at < text.size()) {
      std::size_t end = text.find('\n', at);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(at, end - at);
      at = end + 1;
      const bool starts_error = line.starts_with("* ");
      const std::size_t text_start = line.find_first_not_of("* ");
      line.remove_prefix(text_start == std::string_view::npos ? line.size() : text_start);
      if (line.empty()) continue;
      if (!out.empty()) out += starts_error ? "; " : ": ";
      out += line;
    }
    return out;
  }

  std::unique_ptr<Json::CharReader> reader_;
  std::string errors_;
};

class Writer {
 public:
  Writer() {
    Json::StreamWriterBuilder builder;
    builder["indentation"] = "";
    builder["emitUTF8"] = true;
    writer_.reset(builder.newStreamWriter());
  }

  // The text goes through a reused ostringstream (the only output jsoncpp's
  // StreamWriter has), rewound rather than emptied so that its buffer stays,
  // and is copied into `out`, which keeps its capacity too.
  void write(const Json::Value& value, std::string& out) {
    stream_.clear();
    stream_.seekp(0);
    writer_->write(value, &stream_);
    if (!stream_) throw std::runtime_error("jsoncpp: writing failed");
    // The buffer may still hold a longer text written before: up to tellp only.
    out.assign(stream_.view().substr(0, static_cast<std::size_t>(stream_.tellp())));
  }

 private:
  std::unique_ptr<Json::StreamWriter> writer_;
  std::ostringstream stream_;
};

}  // namespace hotbench::json::jsoncpp
