// ChaCha20-Poly1305 (RFC 8439 §2.8) around one ISA's ChaCha20 and Poly1305, textually included by
// each per-ISA kernel file after chacha20_scalar.h (or chacha20_xsimd.h) and
// engine/kernels/poly1305_kernels.h. Internal linkage only: each ISA file gets its own copy.
//
// The ISA file supplies Ops:
//   kLanes          blocks computed by one vector pass (1 for the portable kernel)
//   kHeadBlocks     blocks keystream_head() computes
//   poly()          the Poly1305 kernel set of the same ISA
//   xor_stream(k, counter, in, out, len)       ChaCha20 from block |counter| on
//   keystream_head(k, ks)                      blocks 0 .. kHeadBlocks - 1 of k into ks
//   keystream_lanes(keys, counters, ks)        block counters[j] of keys[j] into ks + 64 j
//   kFusedPoly      whether xor_absorb<kDir>(k, counter, in, out, len, poly_state) exists: it
//                   encrypts a whole-pass prefix of the input, absorbs that prefix's ciphertext,
//                   and returns the prefix length (see FusedSimdOps); worth calling from
//                   kFusedMinLen bytes on (both only needed when kFusedPoly)
//
// Message layout (RFC 8439 §2.8): the Poly1305 key is the first 32 bytes of block 0, the message
// is encrypted from block 1, and Poly1305 runs over AAD || pad16 || ciphertext || pad16 ||
// le64(aad_len) || le64(ciphertext_len). Lengths, nonces and AAD are public; no branch or index
// depends on key, keystream or message bytes.
#pragma once

#include "engine/aead/inner_frame.h"
#include "engine/aead/tls_nonce.h"

namespace {
namespace chacha20_poly1305 {

using chacha20_scalar::ChaChaKey;
using volley::aead_internal::Job;
using volley::aead_internal::KeyState;
using volley::aead_internal::MsgState;
using volley::kernels::Poly1305Kernel;
using volley::kernels::Poly1305State;

// The streaming calls never see a partial 64-byte block except in the last call, so the message
// state needs no keystream buffer: every call starts on a block boundary.
constexpr size_t kStreamBlock = 64;

// Bytes per chunk of the one-shot path: ChaCha20 then Poly1305 over the same chunk while it is
// still in L1.
constexpr size_t kChunk = 4096;

// Batch jobs up to this length share vector passes (block i of one record next to block j of
// another); longer ones run alone.
constexpr size_t kBatchMaxLen = 1024;

// Jobs handled per round of the batch path: bounds the stack used for their Poly1305 keys.
constexpr size_t kBatchJobs = 32;

struct Msg {
  Poly1305State poly;
  ChaChaKey ck;
  uint32_t counter;  // next ChaCha20 block
  uint64_t aad_len;
  uint64_t ct_len;
};
static_assert(sizeof(Msg) <= sizeof(MsgState), "message state size");
static_assert(alignof(Msg) <= alignof(MsgState), "message state alignment");

// wipe clears a stack buffer that held keystream or a Poly1305 key. The empty asm takes the
// pointer and clobbers memory, so the compiler cannot drop the stores as dead.
static inline void wipe(void* p, size_t n) {
  std::memset(p, 0, n);
  __asm__ __volatile__("" : : "r"(p) : "memory");
}

static inline Msg* msg(MsgState* ms) { return reinterpret_cast<Msg*>(ms->bytes); }

static inline void make_key(ChaChaKey* ck, const KeyState* ks, const uint8_t* nonce) {
  chacha20_scalar::set_key(ck, ks->bytes, nonce);
}

// make_job_key sets |ck| for a batch job: its key and its nonce, iv XOR seq (aead_kernel.h).
static inline void make_job_key(ChaChaKey* ck, const Job& job) {
  const volley::aead_internal::TlsNonce nonce(job.iv, job.seq);
  make_key(ck, job.key, nonce.bytes);
}

// absorb_padded feeds |len| bytes and zero padding up to a multiple of 16 (RFC 8439 §2.8).
static inline void absorb_padded(const Poly1305Kernel& pk, Poly1305State* st, const uint8_t* p,
                                 size_t len) {
  const size_t whole = len & ~size_t{15};
  pk.blocks(st, p, whole);
  if (whole != len) {
    uint8_t last[16] = {};
    std::memcpy(last, p + whole, len - whole);
    pk.blocks(st, last, 16);
  }
}

static inline void absorb_lengths(const Poly1305Kernel& pk, Poly1305State* st, uint64_t aad_len,
                                  uint64_t ct_len) {
  uint8_t lens[16];
  std::memcpy(lens, &aad_len, 8);  // little-endian hosts: le64
  std::memcpy(lens + 8, &ct_len, 8);
  pk.blocks(st, lens, 16);
}

enum class Direction : uint8_t { kSeal, kOpen };

template <class Ops>
struct Kernel {
  static void init(KeyState* ks, const uint8_t* key, size_t /*key_len*/) {
    std::memcpy(ks->bytes, key, 32);
  }

  // ---- Streaming. ----

  static void begin(const KeyState* ks, MsgState* ms, const uint8_t* nonce, const uint8_t* aad,
                    size_t aad_len) {
    Msg* m = msg(ms);
    make_key(&m->ck, ks, nonce);
    uint8_t block0[64];
    chacha20_scalar::block(&m->ck, 0, block0);
    const Poly1305Kernel& pk = Ops::poly();
    pk.init(&m->poly, block0);
    wipe(block0, sizeof(block0));
    absorb_padded(pk, &m->poly, aad, aad_len);
    m->counter = 1;
    m->aad_len = aad_len;
    m->ct_len = 0;
  }

  template <Direction kDir>
  static void crypt(MsgState* ms, const uint8_t* in, uint8_t* out, size_t len) {
    Msg* m = msg(ms);
    const Poly1305Kernel& pk = Ops::poly();
    m->ct_len += len;
    if constexpr (Ops::kFusedPoly) {
      if (len >= Ops::kFusedMinLen) {
        const size_t done =
            Ops::template xor_absorb<kDir>(&m->ck, m->counter, in, out, len, &m->poly);
        m->counter += static_cast<uint32_t>(done / 64);
        in += done;
        out += done;
        len -= done;
      }
    }
    while (len > 0) {
      const size_t n = len < kChunk ? len : kChunk;
      if constexpr (kDir == Direction::kOpen) absorb_padded(pk, &m->poly, in, n);
      Ops::xor_stream(&m->ck, m->counter, in, out, n);
      if constexpr (kDir == Direction::kSeal) absorb_padded(pk, &m->poly, out, n);
      m->counter += static_cast<uint32_t>(n / 64);  // only the last call may end mid-block
      in += n;
      out += n;
      len -= n;
    }
  }

  static void encrypt(const KeyState*, MsgState* ms, const uint8_t* in, uint8_t* out, size_t len) {
    crypt<Direction::kSeal>(ms, in, out, len);
  }

  static void decrypt(const KeyState*, MsgState* ms, const uint8_t* in, uint8_t* out, size_t len) {
    crypt<Direction::kOpen>(ms, in, out, len);
  }

  static void finish(const KeyState*, MsgState* ms, uint8_t* tag) {
    Msg* m = msg(ms);
    const Poly1305Kernel& pk = Ops::poly();
    absorb_lengths(pk, &m->poly, m->aad_len, m->ct_len);
    pk.finish(&m->poly, tag);
  }

  // ---- One shot: block 0 and the first blocks of the message come from one vector pass. ----

  template <Direction kDir>
  static void one_shot(const Job& job) {
    const Poly1305Kernel& pk = Ops::poly();
    ChaChaKey ck;
    make_job_key(&ck, job);
    static_assert(Ops::kHeadBlocks >= 2, "the short path writes two blocks to head");
    alignas(64) uint8_t head[Ops::kHeadBlocks * 64];
    size_t head_len = (Ops::kHeadBlocks - 1) * 64;
    if (job.len <= 64) {
      // One or two blocks: the scalar path beats a whole vector pass.
      chacha20_scalar::block(&ck, 0, head);
      if (job.len > 0) chacha20_scalar::block(&ck, 1, head + 64);
      head_len = 64;
    } else {
      Ops::keystream_head(&ck, head);
    }
    if (head_len > job.len) head_len = job.len;

    Poly1305State st;
    pk.init(&st, head);
    absorb_padded(pk, &st, job.aad, job.aad_len);
    const uint8_t* in = job.in;
    uint8_t* out = job.out;
    size_t len = job.len;
    // The Poly1305 input is the ciphertext: |in| when opening (absorbed before an in-place
    // decryption overwrites it), |out| when sealing. head_len is a multiple of 64 unless the
    // message ends inside the head, so padding here only ever pads the message's end.
    if constexpr (kDir == Direction::kOpen) absorb_padded(pk, &st, in, head_len);
    chacha20_scalar::xor_bytes(out, in, head + 64, head_len);
    if constexpr (kDir == Direction::kSeal) absorb_padded(pk, &st, out, head_len);
    uint32_t counter = static_cast<uint32_t>(1 + head_len / 64);
    in += head_len;
    out += head_len;
    len -= head_len;
    if constexpr (Ops::kFusedPoly) {
      if (len >= Ops::kFusedMinLen) {
        const size_t done = Ops::template xor_absorb<kDir>(&ck, counter, in, out, len, &st);
        counter += static_cast<uint32_t>(done / 64);
        in += done;
        out += done;
        len -= done;
      }
    }
    while (len > 0) {
      const size_t n = len < kChunk ? len : kChunk;
      if constexpr (kDir == Direction::kOpen) absorb_padded(pk, &st, in, n);
      Ops::xor_stream(&ck, counter, in, out, n);
      if constexpr (kDir == Direction::kSeal) absorb_padded(pk, &st, out, n);
      counter += static_cast<uint32_t>(n / 64);
      in += n;
      out += n;
      len -= n;
    }
    absorb_lengths(pk, &st, job.aad_len, job.len);
    pk.finish(&st, job.tag);
    // Only the bytes written hold keystream: two blocks on the short path (a public length).
    wipe(head, job.len <= 64 ? 128 : sizeof(head));
  }

  // ---- Batch: vector lanes carry blocks of different records. ----

  // Lanes collects (record, block) pairs until a vector pass is full.
  struct Lanes {
    const ChaChaKey* keys[Ops::kLanes];
    uint32_t counters[Ops::kLanes];
    uint32_t owner[Ops::kLanes];  // index into the round's job list
    size_t count = 0;
  };

  // tag_job runs Poly1305 over a batch job's AAD and ciphertext with its one-time key.
  static void tag_job(const Job& job, const uint8_t* poly_key, const uint8_t* ciphertext) {
    const Poly1305Kernel& pk = Ops::poly();
    Poly1305State st;
    pk.init(&st, poly_key);
    absorb_padded(pk, &st, job.aad, job.aad_len);
    absorb_padded(pk, &st, ciphertext, job.len);
    absorb_lengths(pk, &st, job.aad_len, job.len);
    pk.finish(&st, job.tag);
  }

  template <Direction kDir>
  static void batch_round(const Job* const* jobs, size_t n) {
    ChaChaKey ck[kBatchJobs];
    uint8_t poly_keys[kBatchJobs][32];
    alignas(64) uint8_t ks[Ops::kLanes * 64];
    for (size_t i = 0; i < n; ++i) make_job_key(&ck[i], *jobs[i]);

    // Phase 1: block 0 of every record, the Poly1305 keys.
    Lanes lanes;
    auto flush_keys = [&]() {
      for (size_t j = lanes.count; j < Ops::kLanes; ++j) {
        lanes.keys[j] = lanes.keys[0];
        lanes.counters[j] = 0;
      }
      Ops::keystream_lanes(lanes.keys, lanes.counters, ks);
      for (size_t j = 0; j < lanes.count; ++j) {
        std::memcpy(poly_keys[lanes.owner[j]], ks + 64 * j, 32);
      }
      lanes.count = 0;
    };
    for (size_t i = 0; i < n; ++i) {
      lanes.keys[lanes.count] = &ck[i];
      lanes.counters[lanes.count] = 0;
      lanes.owner[lanes.count] = static_cast<uint32_t>(i);
      if (++lanes.count == Ops::kLanes) flush_keys();
    }
    if (lanes.count > 0) flush_keys();

    // Opening authenticates the ciphertext before it is decrypted (possibly in place).
    if constexpr (kDir == Direction::kOpen) {
      for (size_t i = 0; i < n; ++i) tag_job(*jobs[i], poly_keys[i], jobs[i]->in);
    }

    // Phase 2: every message block of every record, packed densely into lanes.
    auto flush_data = [&]() {
      for (size_t j = lanes.count; j < Ops::kLanes; ++j) {
        lanes.keys[j] = lanes.keys[0];
        lanes.counters[j] = 0;
      }
      Ops::keystream_lanes(lanes.keys, lanes.counters, ks);
      for (size_t j = 0; j < lanes.count; ++j) {
        const Job& job = *jobs[lanes.owner[j]];
        const size_t offset = static_cast<size_t>(lanes.counters[j] - 1) * 64;
        const size_t left = job.len - offset;
        chacha20_scalar::xor_bytes(job.out + offset, job.in + offset, ks + 64 * j,
                                   left < 64 ? left : 64);
      }
      lanes.count = 0;
    };
    for (size_t i = 0; i < n; ++i) {
      const uint32_t blocks = static_cast<uint32_t>((jobs[i]->len + 63) / 64);
      for (uint32_t b = 1; b <= blocks; ++b) {
        lanes.keys[lanes.count] = &ck[i];
        lanes.counters[lanes.count] = b;
        lanes.owner[lanes.count] = static_cast<uint32_t>(i);
        if (++lanes.count == Ops::kLanes) flush_data();
      }
    }
    if (lanes.count > 0) flush_data();

    if constexpr (kDir == Direction::kSeal) {
      for (size_t i = 0; i < n; ++i) tag_job(*jobs[i], poly_keys[i], jobs[i]->out);
    }
    wipe(ks, sizeof(ks));
    wipe(poly_keys, sizeof(poly_keys));
  }

  template <Direction kDir>
  static void batch(const Job* jobs, size_t n) {
    if (n == 1 || Ops::kLanes == 1) {
      for (size_t i = 0; i < n; ++i) one_shot<kDir>(jobs[i]);
      return;
    }
    const Job* short_jobs[kBatchJobs];
    size_t count = 0;
    for (size_t i = 0; i < n; ++i) {
      if (jobs[i].len > kBatchMaxLen) {
        one_shot<kDir>(jobs[i]);
        continue;
      }
      short_jobs[count++] = &jobs[i];
      if (count == kBatchJobs) {
        batch_round<kDir>(short_jobs, count);
        count = 0;
      }
    }
    if (count == 1) {
      one_shot<kDir>(*short_jobs[0]);
    } else if (count > 1) {
      batch_round<kDir>(short_jobs, count);
    }
  }

  // Framed jobs are framed in place first (inner_frame.h): the lanes read whole blocks.
  static void seal_batch(const Job* jobs, size_t n) {
    volley::aead_internal::seal_framed_jobs(jobs, n, batch<Direction::kSeal>);
  }
  static void open_batch(const Job* jobs, size_t n) { batch<Direction::kOpen>(jobs, n); }

  static constexpr volley::aead_internal::AeadKernel table() {
    return {
        .init = init,
        .begin = begin,
        .encrypt = encrypt,
        .decrypt = decrypt,
        .finish = finish,
        .stream_block = kStreamBlock,
        .seal_batch = seal_batch,
        .open_batch = open_batch,
        .finds_content_type = false,
    };
  }
};

#if defined(VOLLEY_CHACHA20_XSIMD)
// SimdOps is Ops for an xsimd instantiation: P groups of N blocks in flight on long inputs, the
// scalar path for tails of at most kScalarMax bytes, and the Poly1305 kernel kPoly.
template <class A, int P, size_t kScalarMax, const Poly1305Kernel& kPoly>
struct SimdOps {
  static constexpr size_t kLanes = chacha20_simd::kBlocks<A>;
  static constexpr size_t kHeadBlocks = kLanes;
  static constexpr bool kFusedPoly = false;
  static const Poly1305Kernel& poly() { return kPoly; }
  static void xor_stream(const ChaChaKey* k, uint32_t counter, const uint8_t* in, uint8_t* out,
                         size_t len) {
    chacha20_simd::xor_stream<A, P>(k, counter, in, out, len, kScalarMax);
  }
  static void keystream_head(const ChaChaKey* k, uint8_t* ks) {
    chacha20_simd::keystream_groups<A, 1>(k, 0, ks);
  }
  static void keystream_lanes(const ChaChaKey* const* keys, const uint32_t* counters, uint8_t* ks) {
    chacha20_simd::keystream_lanes<A>(keys, counters, ks);
  }
};

#if defined(VOLLEY_CHACHA20_FUSED_SCALAR_POLY)
// FusedSimdOps adds the one-pass path for ISAs whose Poly1305 is best left on the scalar 64-bit
// multipliers (SSE, AVX2): the scalar blocks run between the vector double rounds, so ChaCha20
// keeps the vector units busy while Poly1305 keeps the integer multipliers busy. The including
// file must have included poly1305_scalar.inc (ScalarPoly, sp_blocks) before this header; kPoly's
// state must start with a ScalarPoly, as every volley Poly1305 kernel's does.
template <class A, int P, size_t kScalarMax, const Poly1305Kernel& kPoly>
struct FusedSimdOps : SimdOps<A, P, kScalarMax, kPoly> {
  static constexpr bool kFusedPoly = true;
  static constexpr size_t kFusedMinLen = P * chacha20_simd::kBlocks<A> * 64;  // one pass
  // ScalarBlocks is sp_blocks() for one block with the accumulator in plain 64-bit locals and
  // the additions through _addcarry_u64: with unsigned __int128 sums GCC 12 bounces the halves
  // through the stack inside the ChaCha20 rounds, which lengthens the serial chain of Poly1305.
  // Same arithmetic and invariant (h2 <= 4 between blocks) as sp_blocks with pad_bit = 1.
  struct ScalarBlocks {
    uint64_t h0, h1, h2, r0, r1, rr1;
    void block(const uint8_t* p) noexcept {
      using u64 = unsigned long long;
      u64 a0, a1, lo, t;
      unsigned char c = _addcarry_u64(0, h0, sp_load64(p), &a0);
      c = _addcarry_u64(c, h1, sp_load64(p + 8), &a1);
      const uint64_t a2 = h2 + c + 1;  // <= 6
      // d0 = a0 r0 + a1 rr1, d1 = a0 r1 + a1 r0 + a2 rr1 + d0 >> 64, d2 = a2 r0 + d1 >> 64.
      const u128 p00 = static_cast<u128>(a0) * r0;
      const u128 p11 = static_cast<u128>(a1) * rr1;
      const u128 p01 = static_cast<u128>(a0) * r1;
      const u128 p10 = static_cast<u128>(a1) * r0;
      c = _addcarry_u64(0, static_cast<u64>(p00), static_cast<u64>(p11), &lo);
      const uint64_t d0 = lo;
      const uint64_t d0h = static_cast<uint64_t>(p00 >> 64) + static_cast<uint64_t>(p11 >> 64) + c;
      c = _addcarry_u64(0, static_cast<u64>(p01), static_cast<u64>(p10), &lo);
      uint64_t d1h = static_cast<uint64_t>(p01 >> 64) + static_cast<uint64_t>(p10 >> 64) + c;
      c = _addcarry_u64(0, lo, a2 * rr1, &t);
      d1h += c;
      c = _addcarry_u64(0, t, d0h, &t);
      d1h += c;
      const uint64_t d2 = a2 * r0 + d1h;
      // d2 * 2^128 == (d2 & 3) * 2^128 + 5 * (d2 >> 2) (mod 2^130 - 5).
      const uint64_t fold = (d2 & ~uint64_t{3}) + (d2 >> 2);
      c = _addcarry_u64(0, d0, fold, &a0);
      c = _addcarry_u64(c, t, 0, &a1);
      h0 = a0;
      h1 = a1;
      h2 = (d2 & 3) + c;
    }
  };

  template <Direction kDir>
  static size_t xor_absorb(const ChaChaKey* k, uint32_t counter, const uint8_t* in, uint8_t* out,
                           size_t len, Poly1305State* st) {
    ScalarPoly sp;
    std::memcpy(&sp, st->bytes, sizeof(sp));
    ScalarBlocks sb{sp.h0, sp.h1, sp.h2, sp.r0, sp.r1, sp.r1 + (sp.r1 >> 2)};
    const size_t done = chacha20_simd::xor_absorb_passes<A, P, kDir == Direction::kOpen>(
        k, counter, in, out, len, &sb);
    sp.h0 = sb.h0;
    sp.h1 = sb.h1;
    sp.h2 = sb.h2;
    std::memcpy(st->bytes, &sp, sizeof(sp));
    return done;
  }
};
#endif
#endif

}  // namespace chacha20_poly1305
}  // namespace
