#include "tools/speed/speed_run.h"

#include <unistd.h>

#include <cstdio>
#include <memory>

#include "tools/speed/core_clock.h"
#include "tools/speed/measure.h"
#include "tools/speed/peers.h"
#include "tools/speed/subject.h"

namespace volley::speed {
namespace {

struct Planned {
  std::unique_ptr<Subject> subject;
  size_t batch;
};

// subjects_for lists what to measure for one AEAD: each volley backend at each batch size, then
// each peer at one message per call (no peer has a batched AEAD call to compare with).
std::vector<Planned> subjects_for(const SpeedOptions& o, const AeadPlan& plan) {
  std::vector<Planned> list;
  for (Impl impl : o.impls) {
    if (impl == Impl::kVolley) {
      if (plan.backends.empty()) {
        std::fprintf(stderr, "volley speed: note: no volley backend for %s on this CPU yet\n",
                     std::string(plan.aead->name).c_str());
      }
      for (const std::string& backend : plan.backends) {
        for (size_t batch : o.batches) {
          list.push_back({make_volley_subject(*plan.aead, backend, batch), batch});
        }
      }
      continue;
    }
    std::unique_ptr<Subject> peer = make_peer_subject(impl, *plan.aead);
    if (peer != nullptr) list.push_back({std::move(peer), 1});
  }
  return list;
}

}  // namespace

Report run_speed(const SpeedOptions& o) {
  Report report;
  report.cpu = read_cpu_info();
  report.seconds_per_measurement = o.duration_seconds;
  report.repetitions = o.repetitions;
  report.cold = o.cold;
  for (Impl impl : o.impls) {
    if (impl != Impl::kVolley) report.libraries.emplace_back(impl_name(impl), peer_version(impl));
  }

  std::vector<std::vector<Planned>> per_aead;
  size_t total = 0;
  for (const AeadPlan& plan : o.aeads) {
    per_aead.push_back(subjects_for(o, plan));
    total += per_aead.back().size() * o.ops.size() * o.sizes.size();
  }

  report.cpu.core_ghz = calibrate_core_ghz();
  const bool progress = isatty(STDERR_FILENO) == 1;
  size_t done = 0;
  for (size_t a = 0; a < o.aeads.size(); ++a) {
    for (Op op : o.ops) {
      for (size_t size : o.sizes) {
        for (const Planned& p : per_aead[a]) {
          const SubjectInfo& info = p.subject->info();
          ++done;
          if (progress) {
            std::fprintf(stderr, "\r\033[K[%zu/%zu] %s %s %zu B: %s %s x%zu", done, total,
                         std::string(info.aead->name).c_str(), std::string(op_name(op)).c_str(),
                         size, std::string(impl_name(info.impl)).c_str(), info.backend.c_str(),
                         p.batch);
            std::fflush(stderr);
          }
          MeasureSpec spec;
          spec.op = op;
          spec.size = size;
          spec.batch = p.batch;
          spec.threads = o.threads;
          spec.seconds = o.duration_seconds;
          spec.repetitions = o.repetitions;
          spec.cold = o.cold;
          const Measurement m = measure(*p.subject, spec);
          Result r;
          r.aead = std::string(info.aead->name);
          r.impl = std::string(impl_name(info.impl));
          r.backend = info.backend;
          r.via = info.via;
          r.op = std::string(op_name(op));
          r.size = size;
          r.batch = p.batch;
          r.threads = o.threads;
          r.bytes_per_second = m.bytes_per_second;
          r.cycles_per_byte = cycles_per_byte(report.cpu.core_ghz, m.bytes_per_second, o.threads);
          r.ok = m.ok;
          r.error = m.error;
          report.results.push_back(std::move(r));
        }
      }
    }
  }
  if (progress) std::fputs("\r\033[K", stderr);
  fill_ratios(&report.results);
  return report;
}

}  // namespace volley::speed
