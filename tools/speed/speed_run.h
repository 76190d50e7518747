// run_speed: everything `volley speed` measures for a set of options, in table order.
#pragma once

#include "tools/speed/options.h"
#include "tools/speed/report.h"

namespace volley::speed {

// run_speed calibrates the core clock, measures every (AEAD, op, size, implementation, batch) of
// |options| and returns the report with ratios filled in. A progress line goes to stderr when
// stderr is a terminal. Rows whose output did not match the reference have ok == false.
Report run_speed(const SpeedOptions& options);

}  // namespace volley::speed
