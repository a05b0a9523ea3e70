// The schema-evolution rows' message, version 1 (outcomes/evolution.cpp): v2 appends one field to the
// nested Item, the change Thrift allows (a new field id, default requiredness).
namespace cpp hotbench.evolution.th1

struct Item {
  1: i64 id
  2: string name
}

struct Basket {
  1: i64 id
  2: list<Item> items
  3: string note
}
