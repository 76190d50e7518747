// The core clock, measured rather than read: the TSC ticks at a fixed rate that is not the core
// clock on this machine (and perf counters are unavailable in VMs), so cycles per byte come from
// wall time times a calibrated core frequency.
#pragma once

namespace volley::speed {

// calibrate_core_ghz runs a chain of dependent register adds (one cycle each on every x86-64 and
// ARMv8 core, never eliminated at rename, unlike moves) for a few milliseconds, several times, and
// returns the highest rate seen in GHz: interruptions only ever make a run slower. Call it on the
// thread (and core) that will be measured, right before measuring, so that the core is at the
// frequency it will run at.
double calibrate_core_ghz();

// core_ghz returns the first calibration of this process, computing it on first use. Thread-safe.
double core_ghz();

}  // namespace volley::speed
