// Framed jobs (aead_kernel.h, Job::type) for kernels without a faster path for them: write the
// inner plaintext into the job's output, then seal it there as a plain job.
//
// Included by per-ISA translation units: internal linkage, always inlined (see tls_nonce.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/aead/aead_kernel.h"

namespace volley::aead_internal {
namespace {

// frame_in_place writes framed job |j|'s inner plaintext (content, type, zeros) to j.out and
// returns the plain job that seals it in place. The content is copied only when it is elsewhere
// (the contract allows in == out or disjoint buffers, so memcpy is safe).
[[gnu::always_inline]] inline Job frame_in_place(const Job& j) noexcept {
  if (j.in != j.out && j.content_len != 0) std::memcpy(j.out, j.in, j.content_len);
  j.out[j.content_len] = j.type;
  std::memset(j.out + j.content_len + 1, 0, j.len - j.content_len - 1);
  Job p = j;
  p.in = j.out;
  p.content_len = 0;
  p.type = 0;
  return p;
}

// seal_framed_jobs seals jobs[0, n) with |seal_plain|, a kernel's batch sealer for plain jobs.
// Without framed jobs the batch goes as it is; else it goes in chunks of plain jobs, framed ones
// framed in place first, so that the chunk keeps the interleaving of a whole batch.
template <typename SealPlain>
[[gnu::always_inline]] inline void seal_framed_jobs(const Job* jobs, size_t n,
                                                    SealPlain seal_plain) noexcept {
  size_t first = 0;
  while (first < n && jobs[first].type == 0) ++first;
  if (first == n) {
    seal_plain(jobs, n);
    return;
  }
  constexpr size_t kChunk = 32;
  for (size_t done = 0; done < n;) {
    Job plain[kChunk];
    const size_t m = n - done < kChunk ? n - done : kChunk;
    for (size_t i = 0; i < m; ++i) {
      const Job& j = jobs[done + i];
      plain[i] = j.type == 0 ? j : frame_in_place(j);
    }
    seal_plain(plain, m);
    done += m;
  }
}

}  // namespace
}  // namespace volley::aead_internal
