// One measurement: a subject sealing or opening messages of one size, |batch| per call, on one or
// more threads, for a fixed time budget.
//
// Method: every thread builds its own message pool and key, checks that its first call produces
// the reference output (so a broken kernel is reported, not timed), warms up for a fifth of the
// budget (which also estimates the cost of a call), then runs |repetitions| timed runs of a fixed
// call count sized to share the rest of the budget. Threads start each run together (a barrier)
// and each times itself; a run's throughput is the sum over threads of bytes / own time. The
// median run is reported. A byte of every call's output is folded into a global sink, so the
// compiler cannot drop the work.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tools/speed/subject.h"

namespace volley::speed {

struct MeasureSpec {
  Op op = Op::kSeal;
  size_t size = 0;
  size_t batch = 1;
  unsigned threads = 1;  // > 1: each thread pinned to its own core (round robin over allowed CPUs)
  double seconds = 0.25;
  unsigned repetitions = 3;
  bool cold = false;
};

struct Measurement {
  bool ok = false;
  std::string error;            // why not ok
  double bytes_per_second = 0;  // payload bytes per second, summed over threads (median run)
};

Measurement measure(const Subject& subject, const MeasureSpec& spec);

// WarmUp is what warming up learned: the cost of one call, and whether every call succeeded.
struct WarmUp {
  double seconds_per_call = 0;
  bool ok = true;
};

// warm_up calls |run| (which makes the given number of calls and reports whether all succeeded)
// for about |seconds|, doubling the call count until a chunk takes measurable time; the last
// chunk gives the cost of one call. Shared by measure() and the handshake measurement.
WarmUp warm_up(const std::function<bool(uint64_t calls)>& run, double seconds);

// calls_for finds how many calls of |seconds_per_call| fill |seconds|: at least one.
uint64_t calls_for(double seconds, double seconds_per_call);

// median of |values| (the mean of the middle two for an even count); 0 for none.
double median(std::vector<double> values);

}  // namespace volley::speed
