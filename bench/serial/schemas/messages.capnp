# The messages of bench/json/typed/messages.h as Cap'n Proto structs, written as an application would
# (camelCase names, as Cap'n Proto requires). A Text or struct field that is absent is a null pointer
# (has*() false), which keeps std::optional's absent apart from a present empty value; the optional
# double is a union of none and value.
@0x8916b90dffdd0ac9;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("hotbench::serial::cp");

struct Address {
  name @0 :Text;
  street @1 :Text;
  city @2 :Text;
  postcode @3 :Text;
  country @4 :Text;
}

struct LineItem {
  sku @0 :Text;
  title @1 :Text;
  quantity @2 :UInt32;
  unitPrice @3 :Float64;
  discount :union {
    none @4 :Void;
    value @5 :Float64;
  }
}

struct Order {
  id @0 :UInt64;
  customerId @1 :UInt64;
  createdAtMs @2 :Int64;
  currency @3 :Text;
  items @4 :List(LineItem);
  total @5 :Float64;
  paid @6 :Bool;
  coupon @7 :Text;
  note @8 :Text;
  tags @9 :List(Text);
  shipping @10 :Address;
}

struct GeoPoint {
  lat @0 :Float64;
  lon @1 :Float64;
}

struct UserProfile {
  id @0 :UInt64;
  handle @1 :Text;
  displayName @2 :Text;
  bio @3 :Text;
  verified @4 :Bool;
  followers @5 :Int64;
  following @6 :Int64;
  score @7 :Float64;
  languages @8 :List(Text);
  website @9 :Text;
  location @10 :GeoPoint;
  createdAtMs @11 :Int64;
}

struct Attribute {
  key @0 :Text;
  value @1 :Text;
}

struct Actor {
  id @0 :UInt64;
  kind @1 :Text;
  ip @2 :Text;
}

struct EventMetadata {
  traceId @0 :Text;
  spanId @1 :UInt64;
  region @2 :Text;
  sampled @3 :Bool;
  retries @4 :Int32;
  attributes @5 :List(Attribute);
}

struct Event {
  id @0 :UInt64;
  type @1 :Text;
  tsMs @2 :Int64;
  actor @3 :Actor;
  metadata @4 :EventMetadata;
  values @5 :List(Float64);
  error @6 :Text;
}

struct OrderBatch {
  messages @0 :List(Order);
}
struct UserProfileBatch {
  messages @0 :List(UserProfile);
}
struct EventBatch {
  messages @0 :List(Event);
}
