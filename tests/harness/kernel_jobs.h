// Differential tests of a kernel's batch entry points against sealing each message alone through
// AeadKey: framed jobs (aead_kernel.h) and record-shaped runs, for every AEAD family. Each test
// suite calls these from a TEST_P of its per-backend fixture, with keys set up on that backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <sstream>
#include <vector>

#include "engine/aead/aead_key_access.h"
#include "engine/aead/aead_kernel.h"
#include "gtest/gtest.h"
#include "tests/harness/vectors.h"
#include "volley/aead.h"

namespace volley::test {

using KernelJob = aead_internal::Job;
using KernelBytes = std::vector<uint8_t>;

// tls_nonce_of is the nonce a job with |iv| and |seq| must use: iv XOR the big-endian seq in the
// last eight bytes (RFC 8446 §5.3), computed here byte by byte, apart from the engine's helper.
inline KernelBytes tls_nonce_of(const uint8_t* iv, uint64_t seq) {
  KernelBytes n(iv, iv + 12);
  for (int b = 0; b < 8; ++b) n[11 - b] ^= static_cast<uint8_t>(seq >> (8 * b));
  return n;
}

// expect_job_sealed checks that a job sealed |inner| (the whole message, frame included) as
// AeadKey::seal does with the job's nonce: ciphertext in |out|, tag in |tag|.
inline void expect_job_sealed(const AeadKey& key, const KernelJob& j, const KernelBytes& inner,
                              const uint8_t* out, const uint8_t* tag, size_t index) {
  const KernelBytes nonce = tls_nonce_of(j.iv, j.seq);
  KernelBytes want(inner.size() + 16);
  ASSERT_EQ(key.seal(MutableBytes(want), Bytes(nonce), Bytes(j.aad, j.aad_len), {Bytes(inner)}),
            Status::kOk);
  ASSERT_EQ(to_hex(out, inner.size()), to_hex(want.data(), inner.size())) << "job " << index;
  ASSERT_EQ(to_hex(tag, 16), to_hex(want.data() + inner.size(), 16)) << "job " << index << " tag";
}

// check_framed_jobs seals random batches mixing plain and framed jobs of every size class (short,
// paired, long; with padding short and long, so that the content does or does not cover a kernel's
// bulk chunks), in place and not, under |keys| (all of one kernel). Only in[0, content_len) of a
// framed job may be read: its input buffer holds garbage after the content.
inline void check_framed_jobs(std::initializer_list<const AeadKey*> key_list, uint64_t seed) {
  const std::vector<const AeadKey*> keys(key_list);
  std::mt19937_64 rng(seed);
  const aead_internal::AeadKernel& kernel = *aead_internal::kernel_of(*keys[0]);
  for (int round = 0; round < 80; ++round) {
    const size_t n = 1 + rng() % (round % 4 == 0 ? 40 : 9);
    std::vector<KernelBytes> ivs(n, KernelBytes(12)), aads(n), inners(n), ins(n), outs(n),
        tags(n, KernelBytes(16));
    std::vector<KernelJob> jobs(n);
    std::vector<size_t> key_of(n);
    std::ostringstream shape;
    shape << "framed round " << round << ", jobs:";
    for (size_t i = 0; i < n; ++i) {
      const int cls = static_cast<int>(rng() % 6);
      const size_t len = cls == 0   ? 1 + rng() % 64
                         : cls == 1 ? 60 + rng() % 21
                         : cls == 2 ? 1 + rng() % 300
                         : cls == 3 ? 256 * (1 + rng() % 6) + rng() % 256
                                    : 1 + rng() % 3000;
      const bool framed = rng() % 3 != 0;
      // Padding: none, a little, or most of the message (content short of the bulk chunks).
      const int pad_kind = static_cast<int>(rng() % 4);
      size_t padding = pad_kind == 0 ? rng() % 20 : pad_kind == 1 ? rng() % len : 0;
      if (padding > len - 1) padding = len - 1;
      const size_t content = len - 1 - padding;
      key_of[i] = rng() % keys.size();
      for (uint8_t& b : ivs[i]) b = static_cast<uint8_t>(rng());
      if (i > 0 && rng() % 2 == 0) ivs[i] = ivs[i - 1];
      aads[i].resize(rng() % 3 == 0 ? rng() % 40 : 5);
      for (uint8_t& b : aads[i]) b = static_cast<uint8_t>(rng());
      inners[i].assign(len, 0);
      for (uint8_t& b : inners[i]) b = static_cast<uint8_t>(rng());
      const uint8_t type = static_cast<uint8_t>(1 + rng() % 255);
      if (framed) {
        inners[i][content] = type;
        for (size_t k = content + 1; k < len; ++k) inners[i][k] = 0;
      }
      // The input: the message, then (framed) garbage where the type byte and padding go.
      ins[i] = inners[i];
      if (framed) {
        for (size_t k = content; k < len; ++k) ins[i][k] = static_cast<uint8_t>(rng());
      }
      const bool in_place = (rng() & 1) != 0;
      outs[i] = in_place ? ins[i] : KernelBytes(len, 0xA5);
      const uint64_t seq = rng() % 3 == 0 ? 0 : rng() >> (rng() % 64);
      jobs[i] = KernelJob{.key = aead_internal::key_state_of(*keys[key_of[i]]),
                          .iv = ivs[i].data(),
                          .seq = seq,
                          .aad = aads[i].data(),
                          .aad_len = aads[i].size(),
                          .in = in_place ? outs[i].data() : ins[i].data(),
                          .out = outs[i].data(),
                          .len = len,
                          .tag = tags[i].data(), .content_len = 0, .type = 0, .inner = nullptr};
      if (framed) {
        jobs[i].content_len = static_cast<uint32_t>(content);
        jobs[i].type = type;
      }
      shape << " [key " << key_of[i] << ", aad " << aads[i].size() << ", len " << len;
      if (framed) shape << ", content " << content;
      shape << (in_place ? ", in place]" : "]");
    }
    SCOPED_TRACE(shape.str());
    kernel.seal_batch(jobs.data(), n);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_NO_FATAL_FAILURE(expect_job_sealed(*keys[key_of[i]], jobs[i], inners[i],
                                                outs[i].data(), tags[i].data(), i));
    }
  }
}

// check_record_runs seals batches shaped as the record layer builds them (records back to back,
// header as AAD, tag right after the body; one key, one IV, consecutive sequence numbers that
// carry across bytes and reach the last one; one length, in place or framed from a separate
// buffer), and the same batches with the run broken at one position by each way a job can differ:
// length, sequence number, IV, key, AAD bytes, frame, in place or not. Then open_batch over the
// sealed plain batches. |keys| has two keys of one kernel and one key size.
inline void check_record_runs(std::initializer_list<const AeadKey*> key_list, uint64_t seed) {
  const std::vector<const AeadKey*> keys(key_list);
  std::mt19937_64 rng(seed);
  const aead_internal::AeadKernel& kernel = *aead_internal::kernel_of(*keys[0]);
  constexpr uint64_t kSeqs[] = {0, 250, 0xfffffff0, 0x00fffffffffffff8};
  constexpr size_t kHeader = 5;
  for (int round = 0; round < 160; ++round) {
    const size_t n = 1 + rng() % 36;
    const int cls = round % 4;
    const size_t len = cls == 0   ? 1 + rng() % 64
                       : cls == 1 ? 65 + rng() % 16
                       : cls == 2 ? 81 + rng() % 48
                                  : 129 + rng() % 300;
    const bool framed = (round / 4) % 2 == 1;
    const size_t content = len - 1 - (rng() % 3 == 0 ? rng() % len : 0);
    const uint8_t type = static_cast<uint8_t>(1 + rng() % 255);
    const uint64_t seq0 = round % 13 == 0 ? UINT64_MAX - 1 - n : kSeqs[rng() % 4] + rng() % 8;
    // The break: none (-1) or one of seven kinds at position |at|.
    const int kind = round % 9 == 8 ? -1 : static_cast<int>(rng() % 7);
    const size_t at = rng() % n;
    KernelBytes iv(12), other_iv(12), header(kHeader);
    for (KernelBytes* v : {&iv, &other_iv, &header}) {
      for (uint8_t& b : *v) b = static_cast<uint8_t>(rng());
    }

    std::vector<size_t> lens(n, len), contents(n, framed ? content : len), offs(n);
    std::vector<uint64_t> seqs(n);
    std::vector<bool> in_place(n, !framed);
    std::vector<size_t> key_of(n, 0);
    std::vector<const uint8_t*> iv_of(n, iv.data());
    std::vector<uint8_t> types(n, framed ? type : 0);
    for (size_t i = 0; i < n; ++i) seqs[i] = seq0 + i;
    switch (kind) {
      case 0:
        lens[at] = len + 1 + rng() % 20;
        contents[at] = framed ? lens[at] - 1 : lens[at];
        break;
      case 1:
        seqs[at] += 1 + rng() % 3;
        break;
      case 2:
        iv_of[at] = other_iv.data();
        break;
      case 3:
        key_of[at] = 1;
        break;
      case 5:  // another frame: framed in a plain run, or another type and content length
        types[at] = framed ? static_cast<uint8_t>(type % 255 + 1) : type;
        contents[at] = framed && contents[at] > 0 ? contents[at] - 1 : len - 1;
        break;
      case 6:  // framed from its own buffer in a run in place, or in place in a framed run
        in_place[at] = !in_place[at];
        types[at] = in_place[at] ? 0 : type;
        contents[at] = in_place[at] ? len : len - 1;
        break;
      default:  // none, or the AAD bytes (below)
        break;
    }
    size_t total = 0;
    for (size_t i = 0; i < n; ++i) {
      offs[i] = total;
      total += kHeader + lens[i] + 16;
    }
    KernelBytes buf(total), src(total);
    for (uint8_t& b : buf) b = static_cast<uint8_t>(rng());
    for (uint8_t& b : src) b = static_cast<uint8_t>(rng());
    std::vector<KernelBytes> inners(n);
    std::vector<KernelJob> jobs(n);
    for (size_t i = 0; i < n; ++i) {
      uint8_t* rec = buf.data() + offs[i];
      std::copy(header.begin(), header.end(), rec);
      if (kind == 4 && i == at) rec[rng() % kHeader] ^= 0x10;
      uint8_t* body = rec + kHeader;
      // The message: random content, then (framed) the type byte and zeros.
      uint8_t* const from = in_place[i] ? body : src.data() + offs[i] + kHeader;
      inners[i].assign(from, from + lens[i]);
      if (types[i] != 0) {
        inners[i][contents[i]] = types[i];
        for (size_t k = contents[i] + 1; k < lens[i]; ++k) inners[i][k] = 0;
      }
      if (in_place[i]) std::copy(inners[i].begin(), inners[i].end(), body);
      jobs[i] = KernelJob{.key = aead_internal::key_state_of(*keys[key_of[i]]),
                          .iv = iv_of[i],
                          .seq = seqs[i],
                          .aad = rec,
                          .aad_len = kHeader,
                          .in = from,
                          .out = body,
                          .len = lens[i],
                          .tag = body + lens[i], .content_len = 0, .type = 0, .inner = nullptr};
      if (types[i] != 0) {
        jobs[i].content_len = static_cast<uint32_t>(contents[i]);
        jobs[i].type = types[i];
      }
    }
    std::ostringstream label;
    label << "run round " << round << ": " << n << " records of " << len << " bytes"
          << (framed ? ", framed, content " : ", in place, content ") << content << ", seq "
          << seq0 << ", break kind " << kind << " at " << at;
    SCOPED_TRACE(label.str());
    kernel.seal_batch(jobs.data(), n);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_NO_FATAL_FAILURE(expect_job_sealed(*keys[key_of[i]], jobs[i], inners[i], jobs[i].out,
                                                jobs[i].tag, i));
    }
    // Opening the records in place gives the messages back, and the tags computed (to scratch)
    // equal those sealed.
    KernelBytes computed(16 * n);
    for (size_t i = 0; i < n; ++i) {
      jobs[i].in = jobs[i].out;
      jobs[i].tag = &computed[16 * i];
      jobs[i].content_len = 0;
      jobs[i].type = 0;
    }
    const KernelBytes sealed = buf;
    kernel.open_batch(jobs.data(), n);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(to_hex(jobs[i].out, lens[i]), to_hex(inners[i])) << "open job " << i;
      ASSERT_EQ(to_hex(&computed[16 * i], 16),
                to_hex(sealed.data() + offs[i] + kHeader + lens[i], 16))
          << "open job " << i << " tag";
    }
  }
}

}  // namespace volley::test
