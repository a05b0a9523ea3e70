// The reference messages: each line of a data file decoded with Boost.JSON's value_to, as the JSON
// suite's typed_decode rows of boost_json do (and check against the JSON reference parser).
#include <boost/json.hpp>

#include <fstream>

#include "cases.h"

namespace hotbench::serial {

template <class T>
std::shared_ptr<const Messages<T>> load_messages(const std::string& path) {
  // The rows of one file follow each other: keep the last file of each kind.
  static std::shared_ptr<const Messages<T>> last;
  if (last && last->path == path) return last;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  auto m = std::make_shared<Messages<T>>();
  m->path = path;
  m->dataset = dataset_of(path);
  boost::json::parse_options options;
  options.max_depth = 64;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    boost::json::error_code ec;
    boost::json::value doc = boost::json::parse(line, ec, {}, options);
    if (ec) throw std::runtime_error(path + ":" + std::to_string(number) + ": not JSON: " + ec.message());
    auto converted = boost::json::try_value_to<T>(doc);
    if (!converted)
      throw std::runtime_error(path + ":" + std::to_string(number) + ": not a message of " + m->dataset + ": " +
                               converted.error().message());
    m->items.push_back(std::move(*converted));
  }
  if (m->items.empty()) throw std::runtime_error(path + ": no message (one JSON object per line expected)");
  last = m;
  return last;
}

template std::shared_ptr<const Messages<Order>> load_messages<Order>(const std::string&);
template std::shared_ptr<const Messages<UserProfile>> load_messages<UserProfile>(const std::string&);
template std::shared_ptr<const Messages<Event>> load_messages<Event>(const std::string&);

}  // namespace hotbench::serial
