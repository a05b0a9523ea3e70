// Cap'n Proto 0.9.2 (schemas/messages.capnp). encode: a MallocMessageBuilder on a reused zeroed first
// segment, written flat (`capnproto`) or packed (`capnproto:packed`, zero words squeezed out);
// decode: the readers copied into the struct; validate: the message opened with the default
// ReaderOptions (traversal and nesting limits) and traversed whole (totalSize(), which checks every
// pointer's bounds); access and partial_read: read in place (packed bytes are unpacked first).
// Every read is bounds-checked, so decode is safe on any input: a kj::Exception becomes a
// DecodeError.
#include <capnp/message.h>
#include <capnp/serialize-packed.h>
#include <capnp/serialize.h>
#include <kj/io.h>

#include "../cases.h"
#include "messages.capnp.h"

namespace hotbench::serial {
namespace {

using namespace typed;

template <class T>
struct Schema;
template <> struct Schema<Order> { using type = cp::Order; };
template <> struct Schema<UserProfile> { using type = cp::UserProfile; };
template <> struct Schema<Event> { using type = cp::Event; };
template <> struct Schema<Batch<Order>> { using type = cp::OrderBatch; };
template <> struct Schema<Batch<UserProfile>> { using type = cp::UserProfileBatch; };
template <> struct Schema<Batch<Event>> { using type = cp::EventBatch; };

capnp::Text::Reader text_of(const std::string& s) { return capnp::Text::Reader(s.data(), s.size()); }

// --- struct -> builder ----------------------------------------------------------------------------

void put(const std::vector<std::string>& v, capnp::List<capnp::Text>::Builder l) {
  for (unsigned i = 0; i < v.size(); ++i) l.set(i, text_of(v[i]));
}
void put(const Address& a, cp::Address::Builder p) {
  p.setName(text_of(a.name));
  p.setStreet(text_of(a.street));
  p.setCity(text_of(a.city));
  if (a.postcode) p.setPostcode(text_of(*a.postcode));
  p.setCountry(text_of(a.country));
}
void put(const LineItem& a, cp::LineItem::Builder p) {
  p.setSku(text_of(a.sku));
  p.setTitle(text_of(a.title));
  p.setQuantity(a.quantity);
  p.setUnitPrice(a.unit_price);
  if (a.discount)
    p.getDiscount().setValue(*a.discount);
  else
    p.getDiscount().setNone();
}
void put(const Order& a, cp::Order::Builder p) {
  p.setId(a.id);
  p.setCustomerId(a.customer_id);
  p.setCreatedAtMs(a.created_at_ms);
  p.setCurrency(text_of(a.currency));
  auto items = p.initItems(a.items.size());
  for (unsigned i = 0; i < a.items.size(); ++i) put(a.items[i], items[i]);
  p.setTotal(a.total);
  p.setPaid(a.paid);
  if (a.coupon) p.setCoupon(text_of(*a.coupon));
  if (a.note) p.setNote(text_of(*a.note));
  put(a.tags, p.initTags(a.tags.size()));
  put(a.shipping, p.initShipping());
}
void put(const UserProfile& a, cp::UserProfile::Builder p) {
  p.setId(a.id);
  p.setHandle(text_of(a.handle));
  p.setDisplayName(text_of(a.display_name));
  p.setBio(text_of(a.bio));
  p.setVerified(a.verified);
  p.setFollowers(a.followers);
  p.setFollowing(a.following);
  p.setScore(a.score);
  put(a.languages, p.initLanguages(a.languages.size()));
  if (a.website) p.setWebsite(text_of(*a.website));
  if (a.location) {
    auto location = p.initLocation();
    location.setLat(a.location->lat);
    location.setLon(a.location->lon);
  }
  p.setCreatedAtMs(a.created_at_ms);
}
void put(const Event& a, cp::Event::Builder p) {
  p.setId(a.id);
  p.setType(text_of(a.type));
  p.setTsMs(a.ts_ms);
  auto actor = p.initActor();
  actor.setId(a.actor.id);
  actor.setKind(text_of(a.actor.kind));
  if (a.actor.ip) actor.setIp(text_of(*a.actor.ip));
  auto m = p.initMetadata();
  m.setTraceId(text_of(a.metadata.trace_id));
  m.setSpanId(a.metadata.span_id);
  m.setRegion(text_of(a.metadata.region));
  m.setSampled(a.metadata.sampled);
  m.setRetries(a.metadata.retries);
  auto attributes = m.initAttributes(a.metadata.attributes.size());
  for (unsigned i = 0; i < a.metadata.attributes.size(); ++i) {
    attributes[i].setKey(text_of(a.metadata.attributes[i].key));
    attributes[i].setValue(text_of(a.metadata.attributes[i].value));
  }
  auto values = p.initValues(a.values.size());
  for (unsigned i = 0; i < a.values.size(); ++i) values.set(i, a.values[i]);
  if (a.error) p.setError(text_of(*a.error));
}
template <class T, class B>
void put(const Batch<T>& a, B p) {
  auto messages = p.initMessages(a.messages.size());
  for (unsigned i = 0; i < a.messages.size(); ++i) put(a.messages[i], messages[i]);
}

// --- reader -> struct -----------------------------------------------------------------------------

std::string string_of(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }
void get(capnp::List<capnp::Text>::Reader l, std::vector<std::string>& out) {
  out.clear();
  out.reserve(l.size());
  for (auto t : l) out.push_back(string_of(t));
}
void get(cp::Address::Reader p, Address& a) {
  a.name = string_of(p.getName());
  a.street = string_of(p.getStreet());
  a.city = string_of(p.getCity());
  a.postcode = p.hasPostcode() ? std::optional<std::string>(string_of(p.getPostcode())) : std::nullopt;
  a.country = string_of(p.getCountry());
}
void get(cp::LineItem::Reader p, LineItem& a) {
  a.sku = string_of(p.getSku());
  a.title = string_of(p.getTitle());
  a.quantity = p.getQuantity();
  a.unit_price = p.getUnitPrice();
  const auto discount = p.getDiscount();
  a.discount = discount.isValue() ? std::optional<double>(discount.getValue()) : std::nullopt;
}
void get(cp::Order::Reader p, Order& a) {
  a.id = p.getId();
  a.customer_id = p.getCustomerId();
  a.created_at_ms = p.getCreatedAtMs();
  a.currency = string_of(p.getCurrency());
  const auto items = p.getItems();
  a.items.resize(items.size());
  for (unsigned i = 0; i < items.size(); ++i) get(items[i], a.items[i]);
  a.total = p.getTotal();
  a.paid = p.getPaid();
  a.coupon = p.hasCoupon() ? std::optional<std::string>(string_of(p.getCoupon())) : std::nullopt;
  a.note = p.hasNote() ? std::optional<std::string>(string_of(p.getNote())) : std::nullopt;
  get(p.getTags(), a.tags);
  get(p.getShipping(), a.shipping);
}
void get(cp::UserProfile::Reader p, UserProfile& a) {
  a.id = p.getId();
  a.handle = string_of(p.getHandle());
  a.display_name = string_of(p.getDisplayName());
  a.bio = string_of(p.getBio());
  a.verified = p.getVerified();
  a.followers = p.getFollowers();
  a.following = p.getFollowing();
  a.score = p.getScore();
  get(p.getLanguages(), a.languages);
  a.website = p.hasWebsite() ? std::optional<std::string>(string_of(p.getWebsite())) : std::nullopt;
  a.location = p.hasLocation()
                   ? std::optional<GeoPoint>(GeoPoint{p.getLocation().getLat(), p.getLocation().getLon()})
                   : std::nullopt;
  a.created_at_ms = p.getCreatedAtMs();
}
void get(cp::Event::Reader p, Event& a) {
  a.id = p.getId();
  a.type = string_of(p.getType());
  a.ts_ms = p.getTsMs();
  const auto actor = p.getActor();
  a.actor.id = actor.getId();
  a.actor.kind = string_of(actor.getKind());
  a.actor.ip = actor.hasIp() ? std::optional<std::string>(string_of(actor.getIp())) : std::nullopt;
  const auto m = p.getMetadata();
  a.metadata.trace_id = string_of(m.getTraceId());
  a.metadata.span_id = m.getSpanId();
  a.metadata.region = string_of(m.getRegion());
  a.metadata.sampled = m.getSampled();
  a.metadata.retries = m.getRetries();
  const auto attributes = m.getAttributes();
  a.metadata.attributes.resize(attributes.size());
  for (unsigned i = 0; i < attributes.size(); ++i) {
    a.metadata.attributes[i].key = string_of(attributes[i].getKey());
    a.metadata.attributes[i].value = string_of(attributes[i].getValue());
  }
  const auto values = p.getValues();
  a.values.resize(values.size());
  for (unsigned i = 0; i < values.size(); ++i) a.values[i] = values[i];
  a.error = p.hasError() ? std::optional<std::string>(string_of(p.getError())) : std::nullopt;
}
template <class R, class T>
void get(R p, Batch<T>& a) {
  const auto messages = p.getMessages();
  a.messages.resize(messages.size());
  for (unsigned i = 0; i < messages.size(); ++i) get(messages[i], a.messages[i]);
}

// --- reader -> visitor (access) -------------------------------------------------------------------

template <class V>
void text(V& v, capnp::Text::Reader t) {
  v.text(std::string_view(t.cStr(), t.size()));
}
template <class V>
void optional_text(V& v, bool has, capnp::Text::Reader t) {
  v.present(has);
  if (has) text(v, t);
}
template <class V>
void texts(V& v, capnp::List<capnp::Text>::Reader l) {
  v.size(l.size());
  for (auto t : l) text(v, t);
}
template <class V>
void read(V& v, cp::Address::Reader p) {
  text(v, p.getName());
  text(v, p.getStreet());
  text(v, p.getCity());
  optional_text(v, p.hasPostcode(), p.getPostcode());
  text(v, p.getCountry());
}
template <class V>
void read(V& v, cp::LineItem::Reader p) {
  text(v, p.getSku());
  text(v, p.getTitle());
  v.u64(p.getQuantity());
  v.f64(p.getUnitPrice());
  const auto discount = p.getDiscount();
  v.present(discount.isValue());
  if (discount.isValue()) v.f64(discount.getValue());
}
template <class V>
void read(V& v, cp::Order::Reader p) {
  v.u64(p.getId());
  v.u64(p.getCustomerId());
  v.i64(p.getCreatedAtMs());
  text(v, p.getCurrency());
  const auto items = p.getItems();
  v.size(items.size());
  for (auto item : items) read(v, item);
  v.f64(p.getTotal());
  v.boolean(p.getPaid());
  optional_text(v, p.hasCoupon(), p.getCoupon());
  optional_text(v, p.hasNote(), p.getNote());
  texts(v, p.getTags());
  read(v, p.getShipping());
}
template <class V>
void read(V& v, cp::UserProfile::Reader p) {
  v.u64(p.getId());
  text(v, p.getHandle());
  text(v, p.getDisplayName());
  text(v, p.getBio());
  v.boolean(p.getVerified());
  v.i64(p.getFollowers());
  v.i64(p.getFollowing());
  v.f64(p.getScore());
  texts(v, p.getLanguages());
  optional_text(v, p.hasWebsite(), p.getWebsite());
  v.present(p.hasLocation());
  if (p.hasLocation()) {
    v.f64(p.getLocation().getLat());
    v.f64(p.getLocation().getLon());
  }
  v.i64(p.getCreatedAtMs());
}
template <class V>
void read(V& v, cp::Event::Reader p) {
  v.u64(p.getId());
  text(v, p.getType());
  v.i64(p.getTsMs());
  const auto actor = p.getActor();
  v.u64(actor.getId());
  text(v, actor.getKind());
  optional_text(v, actor.hasIp(), actor.getIp());
  const auto m = p.getMetadata();
  text(v, m.getTraceId());
  v.u64(m.getSpanId());
  text(v, m.getRegion());
  v.boolean(m.getSampled());
  v.i64(m.getRetries());
  const auto attributes = m.getAttributes();
  v.size(attributes.size());
  for (auto attribute : attributes) {
    text(v, attribute.getKey());
    text(v, attribute.getValue());
  }
  const auto values = p.getValues();
  v.size(values.size());
  for (double x : values) v.f64(x);
  optional_text(v, p.hasError(), p.getError());
}

std::int64_t time_of(cp::Order::Reader m) { return m.getCreatedAtMs(); }
std::int64_t time_of(cp::UserProfile::Reader m) { return m.getCreatedAtMs(); }
std::int64_t time_of(cp::Event::Reader m) { return m.getTsMs(); }

// The flat and packed framings share everything but how bytes become a message and back.
template <bool kPacked>
class CapnProto {
 public:
  CapnProto() : scratch_(new std::uint64_t[kScratchWords]()) {}

  template <class T>
  void encode(const T& in, std::string& out) {
    capnp::MallocMessageBuilder builder(kj::arrayPtr(reinterpret_cast<capnp::word*>(scratch_.get()), kScratchWords));
    put(in, builder.initRoot<typename Schema<T>::type>());
    const std::size_t words = capnp::computeSerializedSizeInWords(builder);
    // Packing turns a word into at most 10 bytes (tag, the word, a run count): room enough.
    out.resize(kPacked ? words * 10 + 16 : words * sizeof(capnp::word));
    kj::ArrayOutputStream stream(kj::arrayPtr(reinterpret_cast<kj::byte*>(out.data()), out.size()));
    if constexpr (kPacked)
      capnp::writePackedMessage(stream, builder);
    else
      capnp::writeMessage(stream, builder);
    out.resize(stream.getArray().size());
  }
  template <class T>
  void decode(std::string_view bytes, T& out) {
    with_root<T>(bytes, [&](auto root) { get(root, out); });
  }
  template <class T>
  bool validate(std::string_view bytes) {
    try {
      with_root<T>(bytes, [](auto root) { root.totalSize(); });
      return true;
    } catch (const DecodeError&) {
      return false;
    }
  }
  template <class T>
  void partial_read(std::string_view batch, std::vector<Stamp>& out) {
    with_root<Batch<T>>(batch, [&](auto root) {
      const auto messages = root.getMessages();
      out.clear();
      out.reserve(messages.size());
      for (auto m : messages) out.push_back({m.getId(), time_of(m)});
    });
  }
  template <class T, class V>
  void access(std::string_view bytes, V& v) {
    with_root<T>(bytes, [&](auto root) { read(v, root); });
  }

 private:
  // Opens the bytes as a message and calls f(root reader); a kj::Exception (bad framing, a pointer
  // out of bounds, a limit reached) becomes a DecodeError.
  template <class T, class F>
  void with_root(std::string_view bytes, F&& f) {
    try {
      if constexpr (kPacked) {
        kj::ArrayInputStream in(kj::arrayPtr(reinterpret_cast<const kj::byte*>(bytes.data()), bytes.size()));
        capnp::PackedMessageReader reader(in);
        f(reader.getRoot<typename Schema<T>::type>());
      } else {
        if (bytes.size() % sizeof(capnp::word) != 0)
          throw DecodeError("capnproto: " + std::to_string(bytes.size()) + " bytes is not a whole number of words");
        kj::ArrayPtr<const capnp::word> words(reinterpret_cast<const capnp::word*>(bytes.data()),
                                              bytes.size() / sizeof(capnp::word));
        if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(capnp::word) != 0) {
          // Cap'n Proto reads words in place: misaligned bytes are copied first.
          if (aligned_size_ < words.size()) {
            aligned_.reset(new std::uint64_t[words.size()]);
            aligned_size_ = words.size();
          }
          std::memcpy(aligned_.get(), bytes.data(), bytes.size());
          words = kj::arrayPtr(reinterpret_cast<const capnp::word*>(aligned_.get()), words.size());
        }
        capnp::FlatArrayMessageReader reader(words);
        f(reader.getRoot<typename Schema<T>::type>());
      }
    } catch (const kj::Exception& e) {
      throw DecodeError(std::string("capnproto: ") + e.getDescription().cStr());
    }
  }

  static constexpr std::size_t kScratchWords = 1024;  // 8 KiB: a message fits in the first segment
  // Plain arrays, not kj::Array: its destructor may throw, which the cases' destructors may not.
  std::unique_ptr<std::uint64_t[]> scratch_;  // zeroed; MallocMessageBuilder zeroes what it used
  std::unique_ptr<std::uint64_t[]> aligned_;
  std::size_t aligned_size_ = 0;
};

}  // namespace

HOTBENCH_REGISTER(capnproto) {
  add_format<CapnProto<false>>("capnproto");
  add_format<CapnProto<true>>("capnproto", "packed");
}

}  // namespace hotbench::serial
