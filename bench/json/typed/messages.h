// The typed task's API messages: one C++ struct per message kind, described with
// Boost.Describe so every library's codec is written once, generically, over the
// member list (bench/json/typed/reflect.h) instead of once per struct.
//
// Wire format (data/generate.py writes it, every codec reads and writes it):
// - one message per line in data/corpus/<kind>.jsonl, members in declaration order;
// - every member is always present; an empty std::optional is spelled `null`.
//   Boost.JSON 1.81's value_to on a described struct rejects an object whose size
//   differs from the member count (error::size_mismatch), and its value_from writes
//   `null`, so this is the one form all four libraries agree on.
// - integers: uint64 ids above 2^53 (a double would change them), int64 timestamps.
// - doubles: prices with 2 decimals, scores with 4, coordinates with up to 7.
#pragma once

#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace hotbench::json::typed {

struct Address {
  std::string name;
  std::string street;
  std::string city;
  std::optional<std::string> postcode;
  std::string country;  // ISO 3166 alpha-2
};
BOOST_DESCRIBE_STRUCT(Address, (), (name, street, city, postcode, country))

struct LineItem {
  std::string sku;
  std::string title;  // unicode, escapes
  std::uint32_t quantity;
  double unit_price;
  std::optional<double> discount;
};
BOOST_DESCRIBE_STRUCT(LineItem, (), (sku, title, quantity, unit_price, discount))

struct Order {
  std::uint64_t id;
  std::uint64_t customer_id;
  std::int64_t created_at_ms;
  std::string currency;
  std::vector<LineItem> items;
  double total;
  bool paid;
  std::optional<std::string> coupon;
  std::optional<std::string> note;
  std::vector<std::string> tags;
  Address shipping;
};
BOOST_DESCRIBE_STRUCT(Order, (),
                      (id, customer_id, created_at_ms, currency, items, total, paid,
                       coupon, note, tags, shipping))

struct GeoPoint {
  double lat;
  double lon;
};
BOOST_DESCRIBE_STRUCT(GeoPoint, (), (lat, lon))

struct UserProfile {
  std::uint64_t id;
  std::string handle;
  std::string display_name;  // unicode incl. astral-plane characters
  std::string bio;           // quotes, backslashes, newlines, long
  bool verified;
  std::int64_t followers;
  std::int64_t following;
  double score;
  std::vector<std::string> languages;
  std::optional<std::string> website;
  std::optional<GeoPoint> location;
  std::int64_t created_at_ms;
};
BOOST_DESCRIBE_STRUCT(UserProfile, (),
                      (id, handle, display_name, bio, verified, followers, following,
                       score, languages, website, location, created_at_ms))

struct Attribute {
  std::string key;
  std::string value;
};
BOOST_DESCRIBE_STRUCT(Attribute, (), (key, value))

struct Actor {
  std::uint64_t id;
  std::string kind;
  std::optional<std::string> ip;
};
BOOST_DESCRIBE_STRUCT(Actor, (), (id, kind, ip))

struct EventMetadata {
  std::string trace_id;  // 32 hex digits
  std::uint64_t span_id;
  std::string region;
  bool sampled;
  std::int32_t retries;
  std::vector<Attribute> attributes;
};
BOOST_DESCRIBE_STRUCT(EventMetadata, (),
                      (trace_id, span_id, region, sampled, retries, attributes))

struct Event {
  std::uint64_t id;
  std::string type;
  std::int64_t ts_ms;
  Actor actor;
  EventMetadata metadata;
  std::vector<double> values;
  std::optional<std::string> error;
};
BOOST_DESCRIBE_STRUCT(Event, (), (id, type, ts_ms, actor, metadata, values, error))

// Which struct each message file holds: data/corpus/<dataset>.jsonl (read by the JSON suite's typed
// tasks and by the serial suite).
template <class T>
struct Kind {
  const char* dataset;
};
inline constexpr std::tuple kMessageKinds{
    Kind<Order>{"orders"},
    Kind<UserProfile>{"profiles"},
    Kind<Event>{"events"},
};

}  // namespace hotbench::json::typed
