// FlatBuffers 2.0.8 (schemas/messages.fbs). encode: a reused FlatBufferBuilder (Clear() keeps its
// buffer), the bytes copied out; decode: the accessors copied into the struct; validate: the
// Verifier (bounds, alignment, offsets, nesting), which untrusted bytes need before any read since
// the accessors check nothing; access: every field read in place; partial_read: the two fields of
// each message of the batch, in place.
#include <flatbuffers/flatbuffers.h>

#include "../cases.h"
#include "messages_generated.h"

namespace hotbench::serial {
namespace {

using namespace typed;
namespace fbs = flatbuffers;

template <class T>
struct Table;
template <> struct Table<Order> { using type = fb::Order; };
template <> struct Table<UserProfile> { using type = fb::UserProfile; };
template <> struct Table<Event> { using type = fb::Event; };
template <> struct Table<Batch<Order>> { using type = fb::OrderBatch; };
template <> struct Table<Batch<UserProfile>> { using type = fb::UserProfileBatch; };
template <> struct Table<Batch<Event>> { using type = fb::EventBatch; };

// --- struct -> builder (children first: FlatBuffers builds bottom-up) ----------------------------

using Builder = fbs::FlatBufferBuilder;

fbs::Offset<fbs::String> optional_string(Builder& b, const std::optional<std::string>& s) {
  return s ? b.CreateString(*s) : 0;
}
fbs::Offset<fbs::Vector<fbs::Offset<fbs::String>>> strings(Builder& b, const std::vector<std::string>& v) {
  return b.CreateVector<fbs::Offset<fbs::String>>(v.size(), [&](std::size_t i) { return b.CreateString(v[i]); });
}
fbs::Offset<fb::Address> put(Builder& b, const Address& a) {
  auto name = b.CreateString(a.name), street = b.CreateString(a.street), city = b.CreateString(a.city);
  auto postcode = optional_string(b, a.postcode);
  auto country = b.CreateString(a.country);
  return fb::CreateAddress(b, name, street, city, postcode, country);
}
fbs::Offset<fb::LineItem> put(Builder& b, const LineItem& a) {
  auto sku = b.CreateString(a.sku), title = b.CreateString(a.title);
  return fb::CreateLineItem(b, sku, title, a.quantity, a.unit_price,
                            a.discount ? fbs::Optional<double>(*a.discount) : fbs::nullopt);
}
fbs::Offset<fb::Order> put(Builder& b, const Order& a) {
  auto currency = b.CreateString(a.currency);
  auto items = b.CreateVector<fbs::Offset<fb::LineItem>>(a.items.size(), [&](std::size_t i) { return put(b, a.items[i]); });
  auto coupon = optional_string(b, a.coupon), note = optional_string(b, a.note);
  auto tags = strings(b, a.tags);
  auto shipping = put(b, a.shipping);
  return fb::CreateOrder(b, a.id, a.customer_id, a.created_at_ms, currency, items, a.total, a.paid, coupon, note,
                         tags, shipping);
}
fbs::Offset<fb::UserProfile> put(Builder& b, const UserProfile& a) {
  auto handle = b.CreateString(a.handle), display_name = b.CreateString(a.display_name), bio = b.CreateString(a.bio);
  auto languages = strings(b, a.languages);
  auto website = optional_string(b, a.website);
  fb::GeoPoint location;
  if (a.location) location = fb::GeoPoint(a.location->lat, a.location->lon);
  return fb::CreateUserProfile(b, a.id, handle, display_name, bio, a.verified, a.followers, a.following, a.score,
                               languages, website, a.location ? &location : nullptr, a.created_at_ms);
}
fbs::Offset<fb::Event> put(Builder& b, const Event& a) {
  auto type = b.CreateString(a.type);
  auto actor = fb::CreateActor(b, a.actor.id, b.CreateString(a.actor.kind), optional_string(b, a.actor.ip));
  const auto& m = a.metadata;
  auto trace_id = b.CreateString(m.trace_id), region = b.CreateString(m.region);
  auto attributes = b.CreateVector<fbs::Offset<fb::Attribute>>(m.attributes.size(), [&](std::size_t i) {
    auto key = b.CreateString(m.attributes[i].key);
    return fb::CreateAttribute(b, key, b.CreateString(m.attributes[i].value));
  });
  auto metadata = fb::CreateEventMetadata(b, trace_id, m.span_id, region, m.sampled, m.retries, attributes);
  auto values = b.CreateVector(a.values);
  auto error = optional_string(b, a.error);
  return fb::CreateEvent(b, a.id, type, a.ts_ms, actor, metadata, values, error);
}
template <class T>
auto put(Builder& b, const Batch<T>& a) {
  auto messages = b.CreateVector<fbs::Offset<typename Table<T>::type>>(
      a.messages.size(), [&](std::size_t i) { return put(b, a.messages[i]); });
  typename Table<Batch<T>>::type::Builder batch(b);
  batch.add_messages(messages);
  return batch.Finish();
}

// --- table -> struct ------------------------------------------------------------------------------

std::string string_of(const fbs::String* s) { return s ? s->str() : std::string(); }
std::optional<std::string> optional_of(const fbs::String* s) {
  return s ? std::optional<std::string>(s->str()) : std::nullopt;
}
void get(const fbs::Vector<fbs::Offset<fbs::String>>* v, std::vector<std::string>& out) {
  out.clear();
  if (!v) return;
  out.reserve(v->size());
  for (const fbs::String* s : *v) out.push_back(string_of(s));
}
void get(const fb::Address* p, Address& a) {
  if (!p) return;  // absent: the default Address, as the struct starts
  a.name = string_of(p->name());
  a.street = string_of(p->street());
  a.city = string_of(p->city());
  a.postcode = optional_of(p->postcode());
  a.country = string_of(p->country());
}
void get(const fb::LineItem* p, LineItem& a) {
  a.sku = string_of(p->sku());
  a.title = string_of(p->title());
  a.quantity = p->quantity();
  a.unit_price = p->unit_price();
  const auto discount = p->discount();
  a.discount = discount ? std::optional<double>(*discount) : std::nullopt;
}
void get(const fb::Order* p, Order& a) {
  a.id = p->id();
  a.customer_id = p->customer_id();
  a.created_at_ms = p->created_at_ms();
  a.currency = string_of(p->currency());
  a.items.clear();
  if (const auto* items = p->items()) {
    a.items.resize(items->size());
    for (fbs::uoffset_t i = 0; i < items->size(); ++i) get(items->Get(i), a.items[i]);
  }
  a.total = p->total();
  a.paid = p->paid();
  a.coupon = optional_of(p->coupon());
  a.note = optional_of(p->note());
  get(p->tags(), a.tags);
  get(p->shipping(), a.shipping);
}
void get(const fb::UserProfile* p, UserProfile& a) {
  a.id = p->id();
  a.handle = string_of(p->handle());
  a.display_name = string_of(p->display_name());
  a.bio = string_of(p->bio());
  a.verified = p->verified();
  a.followers = p->followers();
  a.following = p->following();
  a.score = p->score();
  get(p->languages(), a.languages);
  a.website = optional_of(p->website());
  const fb::GeoPoint* location = p->location();
  a.location = location ? std::optional<GeoPoint>(GeoPoint{location->lat(), location->lon()}) : std::nullopt;
  a.created_at_ms = p->created_at_ms();
}
void get(const fb::Event* p, Event& a) {
  a.id = p->id();
  a.type = string_of(p->type());
  a.ts_ms = p->ts_ms();
  a.actor = {};
  if (const fb::Actor* actor = p->actor()) {
    a.actor.id = actor->id();
    a.actor.kind = string_of(actor->kind());
    a.actor.ip = optional_of(actor->ip());
  }
  a.metadata = {};
  if (const fb::EventMetadata* m = p->metadata()) {
    a.metadata.trace_id = string_of(m->trace_id());
    a.metadata.span_id = m->span_id();
    a.metadata.region = string_of(m->region());
    a.metadata.sampled = m->sampled();
    a.metadata.retries = m->retries();
    if (const auto* attributes = m->attributes()) {
      a.metadata.attributes.resize(attributes->size());
      for (fbs::uoffset_t i = 0; i < attributes->size(); ++i) {
        a.metadata.attributes[i].key = string_of(attributes->Get(i)->key());
        a.metadata.attributes[i].value = string_of(attributes->Get(i)->value());
      }
    }
  }
  a.values.clear();
  if (const auto* values = p->values()) a.values.assign(values->begin(), values->end());
  a.error = optional_of(p->error());
}
template <class P, class T>
void get(const P* p, Batch<T>& a) {
  a.messages.clear();
  if (const auto* messages = p->messages()) {
    a.messages.resize(messages->size());
    for (fbs::uoffset_t i = 0; i < messages->size(); ++i) get(messages->Get(i), a.messages[i]);
  }
}

// --- table -> visitor (access: no struct built) -----------------------------------------------------

template <class V>
void text(V& v, const fbs::String* s) {
  v.text(s ? std::string_view(s->c_str(), s->size()) : std::string_view());
}
template <class V>
void optional_text(V& v, const fbs::String* s) {
  v.present(s != nullptr);
  if (s) v.text(std::string_view(s->c_str(), s->size()));
}
template <class V>
void texts(V& v, const fbs::Vector<fbs::Offset<fbs::String>>* l) {
  v.size(l ? l->size() : 0);
  if (l)
    for (const fbs::String* s : *l) text(v, s);
}
template <class V>
void read(V& v, const fb::Address* p) {
  if (!p) return visit(Address{}, v);
  text(v, p->name());
  text(v, p->street());
  text(v, p->city());
  optional_text(v, p->postcode());
  text(v, p->country());
}
template <class V>
void read(V& v, const fb::LineItem* p) {
  text(v, p->sku());
  text(v, p->title());
  v.u64(p->quantity());
  v.f64(p->unit_price());
  const auto discount = p->discount();
  v.present(discount.has_value());
  if (discount) v.f64(*discount);
}
template <class V>
void read(V& v, const fb::Order* p) {
  v.u64(p->id());
  v.u64(p->customer_id());
  v.i64(p->created_at_ms());
  text(v, p->currency());
  const auto* items = p->items();
  v.size(items ? items->size() : 0);
  if (items)
    for (const fb::LineItem* item : *items) read(v, item);
  v.f64(p->total());
  v.boolean(p->paid());
  optional_text(v, p->coupon());
  optional_text(v, p->note());
  texts(v, p->tags());
  read(v, p->shipping());
}
template <class V>
void read(V& v, const fb::UserProfile* p) {
  v.u64(p->id());
  text(v, p->handle());
  text(v, p->display_name());
  text(v, p->bio());
  v.boolean(p->verified());
  v.i64(p->followers());
  v.i64(p->following());
  v.f64(p->score());
  texts(v, p->languages());
  optional_text(v, p->website());
  const fb::GeoPoint* location = p->location();
  v.present(location != nullptr);
  if (location) {
    v.f64(location->lat());
    v.f64(location->lon());
  }
  v.i64(p->created_at_ms());
}
template <class V>
void read(V& v, const fb::Event* p) {
  v.u64(p->id());
  text(v, p->type());
  v.i64(p->ts_ms());
  if (const fb::Actor* actor = p->actor()) {
    v.u64(actor->id());
    text(v, actor->kind());
    optional_text(v, actor->ip());
  } else {
    visit(Actor{}, v);
  }
  if (const fb::EventMetadata* m = p->metadata()) {
    text(v, m->trace_id());
    v.u64(m->span_id());
    text(v, m->region());
    v.boolean(m->sampled());
    v.i64(m->retries());
    const auto* attributes = m->attributes();
    v.size(attributes ? attributes->size() : 0);
    if (attributes)
      for (const fb::Attribute* attribute : *attributes) {
        text(v, attribute->key());
        text(v, attribute->value());
      }
  } else {
    visit(EventMetadata{}, v);
  }
  const auto* values = p->values();
  v.size(values ? values->size() : 0);
  if (values)
    for (double x : *values) v.f64(x);
  optional_text(v, p->error());
}

class FlatBuffers {
 public:
  template <class T>
  void encode(const T& in, std::string& out) {
    builder_.Clear();
    builder_.Finish(put(builder_, in));
    out.assign(reinterpret_cast<const char*>(builder_.GetBufferPointer()), builder_.GetSize());
  }
  // Trusts its input, as FlatBuffers readers do: untrusted bytes go through validate() first.
  template <class T>
  void decode(std::string_view bytes, T& out) {
    get(root<T>(bytes), out);
  }
  // The Verifier, plus one check it lacks: 2.0.8 checks a vector's 4-byte length for alignment but
  // not its elements, so a corrupted offset can put the doubles of Event::values at an address
  // that is not a multiple of 8, where reading them is undefined behaviour (UBSan caught it in
  // malformed_test.cpp).
  template <class T>
  bool validate(std::string_view bytes) {
    fbs::Verifier verifier(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    if (!verifier.VerifyBuffer<typename Table<T>::type>(nullptr)) return false;
    if constexpr (std::is_same_v<T, Event>) return doubles_aligned(root<T>(bytes));
    if constexpr (std::is_same_v<T, Batch<Event>>) {
      if (const auto* messages = root<T>(bytes)->messages())
        for (const fb::Event* m : *messages)
          if (!doubles_aligned(m)) return false;
    }
    return true;
  }
  template <class T>
  void partial_read(std::string_view batch, std::vector<Stamp>& out) {
    out.clear();
    const auto* messages = root<Batch<T>>(batch)->messages();
    if (!messages) return;
    out.reserve(messages->size());
    for (const auto* m : *messages) out.push_back({m->id(), time_of(m)});
  }
  template <class T, class V>
  void access(std::string_view bytes, V& v) {
    read(v, root<T>(bytes));
  }

 private:
  template <class T>
  static const typename Table<T>::type* root(std::string_view bytes) {
    if (bytes.size() < sizeof(fbs::uoffset_t)) throw DecodeError("flatbuffers: too short for a buffer");
    return fbs::GetRoot<typename Table<T>::type>(bytes.data());
  }
  static bool doubles_aligned(const fb::Event* m) {
    const auto* values = m->values();
    return !values || values->size() == 0 || reinterpret_cast<std::uintptr_t>(values->data()) % alignof(double) == 0;
  }
  static std::int64_t time_of(const fb::Order* m) { return m->created_at_ms(); }
  static std::int64_t time_of(const fb::UserProfile* m) { return m->created_at_ms(); }
  static std::int64_t time_of(const fb::Event* m) { return m->ts_ms(); }

  Builder builder_{16 * 1024};
};

}  // namespace

HOTBENCH_REGISTER(flatbuffers) { add_format<FlatBuffers>("flatbuffers"); }

}  // namespace hotbench::serial
