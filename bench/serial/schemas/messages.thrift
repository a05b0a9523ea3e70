// The messages of bench/json/typed/messages.h as Apache Thrift structs, written as an application
// would: `optional` where the struct has std::optional (written only when set, read back with
// __isset, so an absent value and a present empty one stay apart), default requiredness elsewhere
// (Thrift's advice: `required` cannot be relaxed later), one Batch struct per kind for partial_read.
// Thrift has no unsigned integers: the uint64 ids and the uint32 quantity travel as i64 and i32 with
// the same bits (an id of 2^63 or more reads as a negative i64 on the wire and comes back unchanged).
namespace cpp hotbench.serial.th

struct Address {
  1: string name
  2: string street
  3: string city
  4: optional string postcode
  5: string country
}

struct LineItem {
  1: string sku
  2: string title
  3: i32 quantity
  4: double unit_price
  5: optional double discount
}

struct Order {
  1: i64 id
  2: i64 customer_id
  3: i64 created_at_ms
  4: string currency
  5: list<LineItem> items
  6: double total
  7: bool paid
  8: optional string coupon
  9: optional string note
  10: list<string> tags
  11: Address shipping
}

struct GeoPoint {
  1: double lat
  2: double lon
}

struct UserProfile {
  1: i64 id
  2: string handle
  3: string display_name
  4: string bio
  5: bool verified
  6: i64 followers
  7: i64 following
  8: double score
  9: list<string> languages
  10: optional string website
  11: optional GeoPoint location
  12: i64 created_at_ms
}

struct Attribute {
  1: string key
  2: string value
}

struct Actor {
  1: i64 id
  2: string kind
  3: optional string ip
}

struct EventMetadata {
  1: string trace_id
  2: i64 span_id
  3: string region
  4: bool sampled
  5: i32 retries
  6: list<Attribute> attributes
}

struct Event {
  1: i64 id
  2: string type
  3: i64 ts_ms
  4: Actor actor
  5: EventMetadata metadata
  6: list<double> values
  7: optional string error
}

struct OrderBatch {
  1: list<Order> messages
}
struct UserProfileBatch {
  1: list<UserProfile> messages
}
struct EventBatch {
  1: list<Event> messages
}
