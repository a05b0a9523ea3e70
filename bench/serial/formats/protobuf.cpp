// Protocol Buffers 3.21 (schemas/messages.proto): the struct is copied into the generated message
// and serialized, or parsed and copied out. `protobuf`: a message object per operation on the
// heap, as most code writes it; `protobuf:arena`: the messages on an Arena reset after each
// operation, the allocation strategy protobuf recommends for speed. validate is a parse (protobuf
// has no separate verifier: the parse checks wire types, lengths and, in proto3, UTF-8).
#include <google/protobuf/arena.h>
#include <google/protobuf/stubs/logging.h>

#include <climits>

#include "../cases.h"
#include "messages.pb.h"

namespace hotbench::serial {
namespace {

using namespace typed;

template <class T>
struct Proto;
template <> struct Proto<Order> { using type = pb::Order; };
template <> struct Proto<UserProfile> { using type = pb::UserProfile; };
template <> struct Proto<Event> { using type = pb::Event; };
template <> struct Proto<Batch<Order>> { using type = pb::OrderBatch; };
template <> struct Proto<Batch<UserProfile>> { using type = pb::UserProfileBatch; };
template <> struct Proto<Batch<Event>> { using type = pb::EventBatch; };

// struct -> message
void put(const Address& a, pb::Address& p) {
  p.set_name(a.name);
  p.set_street(a.street);
  p.set_city(a.city);
  if (a.postcode) p.set_postcode(*a.postcode);
  p.set_country(a.country);
}
void put(const LineItem& a, pb::LineItem& p) {
  p.set_sku(a.sku);
  p.set_title(a.title);
  p.set_quantity(a.quantity);
  p.set_unit_price(a.unit_price);
  if (a.discount) p.set_discount(*a.discount);
}
void put(const Order& a, pb::Order& p) {
  p.set_id(a.id);
  p.set_customer_id(a.customer_id);
  p.set_created_at_ms(a.created_at_ms);
  p.set_currency(a.currency);
  p.mutable_items()->Reserve(static_cast<int>(a.items.size()));
  for (const auto& item : a.items) put(item, *p.add_items());
  p.set_total(a.total);
  p.set_paid(a.paid);
  if (a.coupon) p.set_coupon(*a.coupon);
  if (a.note) p.set_note(*a.note);
  for (const auto& tag : a.tags) p.add_tags(tag);
  put(a.shipping, *p.mutable_shipping());
}
void put(const UserProfile& a, pb::UserProfile& p) {
  p.set_id(a.id);
  p.set_handle(a.handle);
  p.set_display_name(a.display_name);
  p.set_bio(a.bio);
  p.set_verified(a.verified);
  p.set_followers(a.followers);
  p.set_following(a.following);
  p.set_score(a.score);
  for (const auto& language : a.languages) p.add_languages(language);
  if (a.website) p.set_website(*a.website);
  if (a.location) {
    p.mutable_location()->set_lat(a.location->lat);
    p.mutable_location()->set_lon(a.location->lon);
  }
  p.set_created_at_ms(a.created_at_ms);
}
void put(const Event& a, pb::Event& p) {
  p.set_id(a.id);
  p.set_type(a.type);
  p.set_ts_ms(a.ts_ms);
  auto& actor = *p.mutable_actor();
  actor.set_id(a.actor.id);
  actor.set_kind(a.actor.kind);
  if (a.actor.ip) actor.set_ip(*a.actor.ip);
  auto& metadata = *p.mutable_metadata();
  metadata.set_trace_id(a.metadata.trace_id);
  metadata.set_span_id(a.metadata.span_id);
  metadata.set_region(a.metadata.region);
  metadata.set_sampled(a.metadata.sampled);
  metadata.set_retries(a.metadata.retries);
  for (const auto& attribute : a.metadata.attributes) {
    auto& out = *metadata.add_attributes();
    out.set_key(attribute.key);
    out.set_value(attribute.value);
  }
  p.mutable_values()->Add(a.values.begin(), a.values.end());
  if (a.error) p.set_error(*a.error);
}
template <class T, class P>
void put(const Batch<T>& a, P& p) {
  p.mutable_messages()->Reserve(static_cast<int>(a.messages.size()));
  for (const T& m : a.messages) put(m, *p.add_messages());
}

// message -> struct
template <class P>
std::optional<std::string> optional_of(bool has, const P& value) {
  return has ? std::optional<std::string>(value) : std::nullopt;
}
void get(const pb::Address& p, Address& a) {
  a.name = p.name();
  a.street = p.street();
  a.city = p.city();
  a.postcode = optional_of(p.has_postcode(), p.postcode());
  a.country = p.country();
}
void get(const pb::LineItem& p, LineItem& a) {
  a.sku = p.sku();
  a.title = p.title();
  a.quantity = p.quantity();
  a.unit_price = p.unit_price();
  a.discount = p.has_discount() ? std::optional<double>(p.discount()) : std::nullopt;
}
void get(const pb::Order& p, Order& a) {
  a.id = p.id();
  a.customer_id = p.customer_id();
  a.created_at_ms = p.created_at_ms();
  a.currency = p.currency();
  a.items.resize(p.items_size());
  for (int i = 0; i < p.items_size(); ++i) get(p.items(i), a.items[i]);
  a.total = p.total();
  a.paid = p.paid();
  a.coupon = optional_of(p.has_coupon(), p.coupon());
  a.note = optional_of(p.has_note(), p.note());
  a.tags.assign(p.tags().begin(), p.tags().end());
  get(p.shipping(), a.shipping);
}
void get(const pb::UserProfile& p, UserProfile& a) {
  a.id = p.id();
  a.handle = p.handle();
  a.display_name = p.display_name();
  a.bio = p.bio();
  a.verified = p.verified();
  a.followers = p.followers();
  a.following = p.following();
  a.score = p.score();
  a.languages.assign(p.languages().begin(), p.languages().end());
  a.website = optional_of(p.has_website(), p.website());
  a.location = p.has_location() ? std::optional<GeoPoint>(GeoPoint{p.location().lat(), p.location().lon()})
                                : std::nullopt;
  a.created_at_ms = p.created_at_ms();
}
void get(const pb::Event& p, Event& a) {
  a.id = p.id();
  a.type = p.type();
  a.ts_ms = p.ts_ms();
  a.actor.id = p.actor().id();
  a.actor.kind = p.actor().kind();
  a.actor.ip = optional_of(p.actor().has_ip(), p.actor().ip());
  const auto& metadata = p.metadata();
  a.metadata.trace_id = metadata.trace_id();
  a.metadata.span_id = metadata.span_id();
  a.metadata.region = metadata.region();
  a.metadata.sampled = metadata.sampled();
  a.metadata.retries = metadata.retries();
  a.metadata.attributes.resize(metadata.attributes_size());
  for (int i = 0; i < metadata.attributes_size(); ++i) {
    a.metadata.attributes[i].key = metadata.attributes(i).key();
    a.metadata.attributes[i].value = metadata.attributes(i).value();
  }
  a.values.assign(p.values().begin(), p.values().end());
  a.error = optional_of(p.has_error(), p.error());
}
template <class P, class T>
void get(const P& p, Batch<T>& a) {
  a.messages.resize(p.messages_size());
  for (int i = 0; i < p.messages_size(); ++i) get(p.messages(i), a.messages[i]);
}

bool parse(std::string_view bytes, google::protobuf::MessageLite& p) {
  return bytes.size() <= INT_MAX && p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

[[noreturn]] void refuse(const google::protobuf::MessageLite& p) {
  throw typed::DecodeError("protobuf: the bytes are not a valid " + p.GetTypeName());
}

class Protobuf {
 public:
  template <class T>
  void encode(const T& in, std::string& out) {
    typename Proto<T>::type p;
    put(in, p);
    p.SerializeToString(&out);
  }
  template <class T>
  void decode(std::string_view bytes, T& out) {
    typename Proto<T>::type p;
    if (!parse(bytes, p)) refuse(p);
    get(p, out);
  }
  template <class T>
  bool validate(std::string_view bytes) {
    typename Proto<T>::type p;
    return parse(bytes, p);
  }
};

class ProtobufArena {
 public:
  ProtobufArena() : block_(kBlock), arena_(options()) {}

  template <class T>
  void encode(const T& in, std::string& out) {
    auto* p = google::protobuf::Arena::CreateMessage<typename Proto<T>::type>(&arena_);
    put(in, *p);
    p->SerializeToString(&out);
    arena_.Reset();
  }
  template <class T>
  void decode(std::string_view bytes, T& out) {
    auto* p = google::protobuf::Arena::CreateMessage<typename Proto<T>::type>(&arena_);
    const bool ok = parse(bytes, *p);
    if (ok) get(*p, out);
    const std::string type = ok ? "" : p->GetTypeName();
    arena_.Reset();
    if (!ok) throw typed::DecodeError("protobuf: the bytes are not a valid " + type);
  }
  template <class T>
  bool validate(std::string_view bytes) {
    const bool ok = parse(bytes, *google::protobuf::Arena::CreateMessage<typename Proto<T>::type>(&arena_));
    arena_.Reset();
    return ok;
  }

 private:
  // The arena's first block, reused after every Reset(): a message fits in it, so an operation
  // allocates nothing for the message itself (a batch grows the arena with blocks of its own).
  static constexpr std::size_t kBlock = 64 * 1024;
  google::protobuf::ArenaOptions options() {
    google::protobuf::ArenaOptions o;
    o.initial_block = block_.data();
    o.initial_block_size = block_.size();
    return o;
  }
  std::vector<char> block_;
  google::protobuf::Arena arena_;
};

}  // namespace

HOTBENCH_REGISTER(protobuf) {
  // A proto3 parse of invalid UTF-8 logs a line to stderr before it fails: untrusted input (the
  // malformed-input tests, a validate row fed garbage) would flood the output. The failure stays.
  google::protobuf::SetLogHandler(nullptr);
  add_format<Protobuf>("protobuf");
  add_format<ProtobufArena>("protobuf", "arena");
}

}  // namespace hotbench::serial
