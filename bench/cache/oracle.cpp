#include "oracle.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

namespace hotbench::cache {
namespace {

// The characteristic time T at which occupancy(T) = capacity (occupancy grows
// with T from 0 to the number of keys), by bisection on a log scale.
double solve_t(const std::function<double(double)>& occupancy, double capacity) {
  double lo = 0, hi = 1;
  while (occupancy(hi) < capacity) hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (occupancy(mid) < capacity ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

double che_lru_hit_ratio(const std::vector<double>& p, double capacity) {
  if (capacity >= static_cast<double>(p.size())) return 1.0;
  auto occupancy = [&](double t) {
    double s = 0;
    for (double pi : p) s += -std::expm1(-pi * t);
    return s;
  };
  const double t = solve_t(occupancy, capacity);
  double h = 0;
  for (double pi : p) h += pi * -std::expm1(-pi * t);
  return h;
}

double fifo_irm_hit_ratio(const std::vector<double>& p, double capacity) {
  if (capacity >= static_cast<double>(p.size())) return 1.0;
  auto occupancy = [&](double t) {
    double s = 0;
    for (double pi : p) s += pi * t / (1 + pi * t);
    return s;
  };
  const double t = solve_t(occupancy, capacity);
  double h = 0;
  for (double pi : p) h += pi * (pi * t / (1 + pi * t));
  return h;
}

double top_c_hit_ratio(std::vector<double> p, std::size_t capacity) {
  capacity = std::min(capacity, p.size());
  std::partial_sort(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(capacity), p.end(), std::greater<>());
  return std::accumulate(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(capacity), 0.0);
}

double oracle_tolerance(double hit_ratio, double requests) {
  const double se = std::sqrt(std::max(0.0, hit_ratio * (1 - hit_ratio)) / std::max(1.0, requests));
  return std::max(0.005, 4 * se);
}

}  // namespace hotbench::cache
