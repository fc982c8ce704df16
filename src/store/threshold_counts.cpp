// The window arithmetic shared by the ThresholdCounts backends (threshold_counts.h).
#include "store/threshold_counts.h"

#include <algorithm>

namespace trailwatch::store {

int64_t BestWindow(const std::vector<int64_t>& times, int64_t t, int64_t window,
                   int64_t* best_first) {
  int64_t best = 0;
  *best_first = t;
  size_t end = 0;
  for (size_t first = 0; first < times.size() && times[first] <= t; ++first) {
    end = std::max(end, first);
    while (end < times.size() && times[end] < times[first] + window) ++end;
    int64_t in_window = static_cast<int64_t>(end - first);
    if (in_window > best) {
      best = in_window;
      *best_first = times[first];
    }
  }
  return best;
}

}  // namespace trailwatch::store
