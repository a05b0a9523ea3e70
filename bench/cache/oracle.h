// Analytical hit ratios under the independent reference model (IRM): each
// request is key i with fixed probability p_i (../shared FIELD-NOTES, "Caching").
// Double precision, bisection; p must sum to 1 and capacity be below its size.
#pragma once

#include <cstddef>
#include <vector>

namespace hotbench::cache {

// Che's approximation for LRU: T with sum_i (1 - exp(-p_i T)) = C, then
// H = sum_i p_i (1 - exp(-p_i T)).
double che_lru_hit_ratio(const std::vector<double>& p, double capacity);
// FIFO (and Random) under IRM: h_i = p_i T / (1 + p_i T) with sum_i h_i = C,
// H = sum_i p_i h_i.
double fifo_irm_hit_ratio(const std::vector<double>& p, double capacity);
// Upper bound for any online policy under IRM: keep the C most popular keys.
double top_c_hit_ratio(std::vector<double> p, std::size_t capacity);

// Tolerance of a measured hit ratio over `requests` independent requests
// against an oracle: max(0.005, 4 standard errors).
double oracle_tolerance(double hit_ratio, double requests);

}  // namespace hotbench::cache
