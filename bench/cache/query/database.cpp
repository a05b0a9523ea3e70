#include "database.h"

namespace hotbench::cache::query {

Registry<DatabaseInfo>& databases() {
  static Registry<DatabaseInfo> registry;
  return registry;
}

}  // namespace hotbench::cache::query
