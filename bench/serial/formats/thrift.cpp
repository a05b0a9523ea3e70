// Apache Thrift 0.17 (schemas/messages.thrift), its two standard protocols over an in-memory
// transport: `thrift:binary` (TBinaryProtocol: fixed-width big-endian integers, 4-byte lengths) and
// `thrift:compact` (TCompactProtocol: zigzag varints, field-id deltas). The struct is copied into the
// generated type and written, or the bytes read into a generated type and its strings moved out.
// The generated read/write are templates over the concrete protocol (the generator's `templates`
// option: no virtual call per field). One transport and one protocol per direction are reused.
//
// Untrusted bytes: Thrift has no verifier, so validate is the read, and the read must stay bounded.
// A TMemoryBuffer read never passes the end of its bytes, but a corrupted length or count would
// make the read allocate that much first (a string is resized to its length, a list of structs to
// its count, before either is read). Three limits refuse such values before any allocation:
// - the transport's remaining message size is this message's size, so a list whose elements have a
//   minimum wire size (strings, scalars) cannot claim more of them than the bytes hold;
// - the protocols' string limit (kMaxString) and container limit (kMaxElements) bound the rest
//   (a struct's minimum wire size is 0 to Thrift, so its lists are bounded by the count alone);
// - TConfiguration's default recursion limit (64) bounds the skipping of nested unknown fields.
// Bytes left after the struct's end are refused too: they are not one T.
#include <thrift/TConfiguration.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "../cases.h"
#include "messages_types.h"

namespace hotbench::serial {
namespace {

using namespace typed;
using apache::thrift::TConfiguration;
using apache::thrift::transport::TMemoryBuffer;

template <class T>
struct Generated;
template <> struct Generated<Order> { using type = th::Order; };
template <> struct Generated<UserProfile> { using type = th::UserProfile; };
template <> struct Generated<Event> { using type = th::Event; };
template <> struct Generated<Batch<Order>> { using type = th::OrderBatch; };
template <> struct Generated<Batch<UserProfile>> { using type = th::UserProfileBatch; };
template <> struct Generated<Batch<Event>> { using type = th::EventBatch; };

// An optional field of a generated struct: set only when the value is present; returns whether it is
// (for the field's __isset bit).
template <class V, class P>
bool put_optional(const std::optional<V>& value, P& field) {
  if (value) field = *value;
  return value.has_value();
}

// --- struct -> generated type ---------------------------------------------------------------------

void put(const Address& a, th::Address& p) {
  p.name = a.name;
  p.street = a.street;
  p.city = a.city;
  p.__isset.postcode = put_optional(a.postcode, p.postcode);
  p.country = a.country;
}
void put(const LineItem& a, th::LineItem& p) {
  p.sku = a.sku;
  p.title = a.title;
  p.quantity = static_cast<std::int32_t>(a.quantity);
  p.unit_price = a.unit_price;
  p.__isset.discount = put_optional(a.discount, p.discount);
}
void put(const Order& a, th::Order& p) {
  p.id = static_cast<std::int64_t>(a.id);
  p.customer_id = static_cast<std::int64_t>(a.customer_id);
  p.created_at_ms = a.created_at_ms;
  p.currency = a.currency;
  p.items.resize(a.items.size());
  for (std::size_t i = 0; i < a.items.size(); ++i) put(a.items[i], p.items[i]);
  p.total = a.total;
  p.paid = a.paid;
  p.__isset.coupon = put_optional(a.coupon, p.coupon);
  p.__isset.note = put_optional(a.note, p.note);
  p.tags = a.tags;
  put(a.shipping, p.shipping);
}
void put(const UserProfile& a, th::UserProfile& p) {
  p.id = static_cast<std::int64_t>(a.id);
  p.handle = a.handle;
  p.display_name = a.display_name;
  p.bio = a.bio;
  p.verified = a.verified;
  p.followers = a.followers;
  p.following = a.following;
  p.score = a.score;
  p.languages = a.languages;
  p.__isset.website = put_optional(a.website, p.website);
  p.__isset.location = a.location.has_value();
  if (a.location) {
    p.location.lat = a.location->lat;
    p.location.lon = a.location->lon;
  }
  p.created_at_ms = a.created_at_ms;
}
void put(const Event& a, th::Event& p) {
  p.id = static_cast<std::int64_t>(a.id);
  p.type = a.type;
  p.ts_ms = a.ts_ms;
  p.actor.id = static_cast<std::int64_t>(a.actor.id);
  p.actor.kind = a.actor.kind;
  p.actor.__isset.ip = put_optional(a.actor.ip, p.actor.ip);
  auto& metadata = p.metadata;
  metadata.trace_id = a.metadata.trace_id;
  metadata.span_id = static_cast<std::int64_t>(a.metadata.span_id);
  metadata.region = a.metadata.region;
  metadata.sampled = a.metadata.sampled;
  metadata.retries = a.metadata.retries;
  metadata.attributes.resize(a.metadata.attributes.size());
  for (std::size_t i = 0; i < a.metadata.attributes.size(); ++i) {
    metadata.attributes[i].key = a.metadata.attributes[i].key;
    metadata.attributes[i].value = a.metadata.attributes[i].value;
  }
  p.values = a.values;
  p.__isset.error = put_optional(a.error, p.error);
}
template <class T, class P>
void put(const Batch<T>& a, P& p) {
  p.messages.resize(a.messages.size());
  for (std::size_t i = 0; i < a.messages.size(); ++i) put(a.messages[i], p.messages[i]);
}

// --- generated type -> struct (the generated value is a temporary: its strings are moved out) -----

template <class V>
std::optional<V> optional_of(bool isset, V& field) {
  return isset ? std::optional<V>(std::move(field)) : std::nullopt;
}
void get(th::Address& p, Address& a) {
  a.name = std::move(p.name);
  a.street = std::move(p.street);
  a.city = std::move(p.city);
  a.postcode = optional_of(p.__isset.postcode, p.postcode);
  a.country = std::move(p.country);
}
void get(th::LineItem& p, LineItem& a) {
  a.sku = std::move(p.sku);
  a.title = std::move(p.title);
  a.quantity = static_cast<std::uint32_t>(p.quantity);
  a.unit_price = p.unit_price;
  a.discount = optional_of(p.__isset.discount, p.discount);
}
void get(th::Order& p, Order& a) {
  a.id = static_cast<std::uint64_t>(p.id);
  a.customer_id = static_cast<std::uint64_t>(p.customer_id);
  a.created_at_ms = p.created_at_ms;
  a.currency = std::move(p.currency);
  a.items.resize(p.items.size());
  for (std::size_t i = 0; i < p.items.size(); ++i) get(p.items[i], a.items[i]);
  a.total = p.total;
  a.paid = p.paid;
  a.coupon = optional_of(p.__isset.coupon, p.coupon);
  a.note = optional_of(p.__isset.note, p.note);
  a.tags = std::move(p.tags);
  get(p.shipping, a.shipping);
}
void get(th::UserProfile& p, UserProfile& a) {
  a.id = static_cast<std::uint64_t>(p.id);
  a.handle = std::move(p.handle);
  a.display_name = std::move(p.display_name);
  a.bio = std::move(p.bio);
  a.verified = p.verified;
  a.followers = p.followers;
  a.following = p.following;
  a.score = p.score;
  a.languages = std::move(p.languages);
  a.website = optional_of(p.__isset.website, p.website);
  a.location = p.__isset.location ? std::optional<GeoPoint>(GeoPoint{p.location.lat, p.location.lon}) : std::nullopt;
  a.created_at_ms = p.created_at_ms;
}
void get(th::Event& p, Event& a) {
  a.id = static_cast<std::uint64_t>(p.id);
  a.type = std::move(p.type);
  a.ts_ms = p.ts_ms;
  a.actor.id = static_cast<std::uint64_t>(p.actor.id);
  a.actor.kind = std::move(p.actor.kind);
  a.actor.ip = optional_of(p.actor.__isset.ip, p.actor.ip);
  auto& metadata = p.metadata;
  a.metadata.trace_id = std::move(metadata.trace_id);
  a.metadata.span_id = static_cast<std::uint64_t>(metadata.span_id);
  a.metadata.region = std::move(metadata.region);
  a.metadata.sampled = metadata.sampled;
  a.metadata.retries = metadata.retries;
  a.metadata.attributes.resize(metadata.attributes.size());
  for (std::size_t i = 0; i < metadata.attributes.size(); ++i) {
    a.metadata.attributes[i].key = std::move(metadata.attributes[i].key);
    a.metadata.attributes[i].value = std::move(metadata.attributes[i].value);
  }
  a.values = std::move(p.values);
  a.error = optional_of(p.__isset.error, p.error);
}
template <class P, class T>
void get(P& p, Batch<T>& a) {
  a.messages.resize(p.messages.size());
  for (std::size_t i = 0; i < p.messages.size(); ++i) get(p.messages[i], a.messages[i]);
}

// --- transports and protocols -----------------------------------------------------------------------

// The largest message read (TConfiguration's own default is 100 MB; a batch of the corpus is < 1 MB),
// the longest string and the most elements of one list: the policy an application reading untrusted
// bytes sets, here generous for the corpus (its strings are a few KB at most, its lists 300 messages).
constexpr int kMaxMessage = 16 * 1024 * 1024;
constexpr std::int32_t kMaxString = 1024 * 1024;
constexpr std::int32_t kMaxElements = 64 * 1024;

// The input transport: one message's bytes read in place, reused from message to message.
// TMemoryBuffer::resetBuffer would allocate a TConfiguration per message and keep counting the bytes
// consumed since the transport was made (reads fail once they pass the maximum message size); this
// points the buffer at the bytes and sets the remaining message size to their size, through the
// members TMemoryBuffer keeps for its subclasses.
class MessageBytes final : public TMemoryBuffer {
 public:
  explicit MessageBytes(std::shared_ptr<TConfiguration> config) : TMemoryBuffer(nullptr, 0, OBSERVE, std::move(config)) {}

  void reset(std::string_view bytes) {
    if (bytes.size() > static_cast<std::size_t>(kMaxMessage))
      throw DecodeError("thrift: " + std::to_string(bytes.size()) + " bytes is more than the largest message read (" +
                        std::to_string(kMaxMessage) + ")");
    // OBSERVE: never written through, as TMemoryBuffer's own constructor promises for a const buffer.
    buffer_ = reinterpret_cast<std::uint8_t*>(const_cast<char*>(bytes.data()));
    bufferSize_ = static_cast<std::uint32_t>(bytes.size());
    rBase_ = buffer_;
    rBound_ = wBase_ = wBound_ = buffer_ + bufferSize_;
    resetConsumedMessageSize();                  // the configured maximum, then
    resetConsumedMessageSize(bufferSize_);       // this message's size (it may only shrink)
  }
};

using Binary = apache::thrift::protocol::TBinaryProtocolT<TMemoryBuffer>;
using Compact = apache::thrift::protocol::TCompactProtocolT<TMemoryBuffer>;

template <class Protocol>
class Thrift {
 public:
  Thrift()
      : config_(std::make_shared<TConfiguration>(kMaxMessage)),
        out_(std::make_shared<TMemoryBuffer>(64 * 1024, config_)),
        writer_(out_),
        in_(std::make_shared<MessageBytes>(config_)),
        reader_(make_reader()) {}

  template <class T>
  void encode(const T& in, std::string& out) {
    typename Generated<T>::type p;
    put(in, p);
    out_->resetBuffer();  // rewinds; the buffer keeps its capacity
    p.write(&writer_);
    std::uint8_t* bytes;
    std::uint32_t size;
    out_->getBuffer(&bytes, &size);
    out.assign(reinterpret_cast<const char*>(bytes), size);
  }
  template <class T>
  void decode(std::string_view bytes, T& out) {
    typename Generated<T>::type p;
    read(bytes, p);
    get(p, out);
  }
  template <class T>
  bool validate(std::string_view bytes) {
    try {
      typename Generated<T>::type p;
      read(bytes, p);
      return true;
    } catch (const std::exception&) {  // DecodeError, or a bad_alloc the limits did not prevent
      return false;
    }
  }

 private:
  std::unique_ptr<Protocol> make_reader() {
    if constexpr (std::is_same_v<Protocol, Binary>)
      return std::make_unique<Binary>(in_, kMaxString, kMaxElements, /*strict_read=*/false, /*strict_write=*/true);
    else
      return std::make_unique<Compact>(in_, kMaxString, kMaxElements);
  }

  // The bytes as one P, whole: a TException (truncated, a wrong type, a limit) becomes a DecodeError.
  template <class P>
  void read(std::string_view bytes, P& p) {
    try {
      in_->reset(bytes);
      p.read(reader_.get());
    } catch (const apache::thrift::TException& e) {
      // A read that stopped midway may leave the protocol's state (the compact protocol's stack of
      // field ids, a pending bool) for the next message: start that one with a fresh protocol.
      reader_ = make_reader();
      throw DecodeError(std::string("thrift: ") + e.what());
    } catch (...) {
      reader_ = make_reader();
      throw;
    }
    if (const std::uint32_t left = in_->available_read(); left != 0)
      throw DecodeError("thrift: " + std::to_string(left) + " bytes after the end of the struct");
  }

  std::shared_ptr<TConfiguration> config_;
  std::shared_ptr<TMemoryBuffer> out_;
  Protocol writer_;
  std::shared_ptr<MessageBytes> in_;
  std::unique_ptr<Protocol> reader_;
};

}  // namespace

HOTBENCH_REGISTER(thrift) {
  add_format<Thrift<Binary>>("thrift", "binary");
  add_format<Thrift<Compact>>("thrift", "compact");
}

}  // namespace hotbench::serial
