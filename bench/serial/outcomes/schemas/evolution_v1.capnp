# The schema-evolution rows' message, version 1 (outcomes/evolution.cpp): v2 appends one field to the
# nested Item, the change Cap'n Proto allows (the next ordinal).
@0xd4c1e5a7b2f30911;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("hotbench::evolution::cp1");

struct Item {
  id @0 :UInt64;
  name @1 :Text;
}

struct Basket {
  id @0 :UInt64;
  items @1 :List(Item);
  note @2 :Text;
}
