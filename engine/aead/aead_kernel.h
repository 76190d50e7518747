// The contract between the AEAD front end (engine/aead/aead.cc, engine/record/) and the per-ISA
// AEAD kernels (engine/kernels/<arch>/...). Internal: not part of the public API.
//
// A kernel implements one AEAD family (AES-GCM for 128- and 256-bit keys, or ChaCha20-Poly1305)
// with a 96-bit nonce and a 128-bit tag. The front end validates every argument (lengths, nonce
// size, aliasing, usage limits) before calling a kernel; kernels do not re-check them.
//
// Constant time: nothing in a kernel may branch on, loop over, or index memory by key material,
// keystream, plaintext, ciphertext or tag bytes. Lengths, the nonce and the AAD are public.
//
// Aliasing: for every call, |out| is either exactly |in| or does not overlap it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace volley::aead_internal {

inline constexpr size_t kNonceBytes = 12;
inline constexpr size_t kTagBytes = 16;

// KeyState holds everything a kernel derives from a key (round keys, powers of H, ...). Written by
// init(), then only read, possibly by several threads at once. The front end wipes it when the key
// is destroyed. Layout is private to the kernel that wrote it.
struct alignas(64) KeyState {
  uint8_t bytes[1536];
};

// MsgState carries one message between begin(), encrypt()/decrypt() and finish(): counter,
// hash accumulator, pending partial block, E(K, J0) or the Poly1305 key, lengths. Layout is private
// to the kernel. The front end wipes it after finish().
struct alignas(64) MsgState {
  uint8_t bytes[512];
};

// Job is one message of a batch. Messages of one batch are independent: they may use different
// keys (of the same kernel), nonces, AAD and lengths, and any length including 0.
struct Job {
  const KeyState* key;
  const uint8_t* nonce;  // kNonceBytes
  const uint8_t* aad;
  size_t aad_len;
  const uint8_t* in;
  uint8_t* out;  // == in, or disjoint from it and from every other job's buffers
  size_t len;
  uint8_t* tag;  // kTagBytes, written: the tag (seal) or the tag computed over |in| (open)
};

// InnerFrame describes a message laid out as a TLS 1.3 inner plaintext (seal_framed).
struct InnerFrame {
  size_t content_len;
  uint8_t type;
};

struct AeadKernel {
  // init expands |key| (16 or 32 bytes for AES-GCM, 32 for ChaCha20-Poly1305) into |ks|.
  void (*init)(KeyState* ks, const uint8_t* key, size_t key_len);

  // Streaming interface. begin() starts a message with |nonce| and the whole AAD. Then any number
  // of encrypt() (or decrypt()) calls: each |len| must be a multiple of |stream_block| except in the
  // last call. finish() writes the tag (for decrypt, the tag computed over the ciphertext).
  void (*begin)(const KeyState* ks, MsgState* ms, const uint8_t* nonce, const uint8_t* aad,
                size_t aad_len);
  void (*encrypt)(const KeyState* ks, MsgState* ms, const uint8_t* in, uint8_t* out, size_t len);
  void (*decrypt)(const KeyState* ks, MsgState* ms, const uint8_t* in, uint8_t* out, size_t len);
  void (*finish)(const KeyState* ks, MsgState* ms, uint8_t* tag);
  size_t stream_block;

  // Batch interface: seal or open |n| independent contiguous messages. A kernel should interleave
  // jobs so that short messages keep its AES / ChaCha units and its multipliers busy; n == 1 is the
  // one-shot path and must be as fast as the streaming calls. open_batch decrypts |in| into |out|
  // and writes the tag it computed to |tag|; the front end compares tags and wipes on mismatch.
  void (*seal_batch)(const Job* jobs, size_t n);
  void (*open_batch)(const Job* jobs, size_t n);

  // Optional (null when a kernel does not have it): seal |n| independent messages that are TLS 1.3
  // inner plaintexts (RFC 8446 §5.2) whose content is in the caller's buffer: message i is
  // jobs[i].in[0, c) || t || zeros up to jobs[i].len, for c = frames[i].content_len and
  // t = frames[i].type, and only in[0, c) is read. The kernel reads whole chunks of frame_align
  // bytes from |in|, so c >= len - len % frame_align is required. job.out receives all job.len
  // bytes. The record layer seals payloads from the caller's buffers this way, with neither a copy
  // of the payload nor of its last partial chunk, and in batches (streaming them as pieces could
  // not overlap their begin and finish steps with the bulk of the work as the batch path does).
  void (*seal_framed)(const Job* jobs, const InnerFrame* frames, size_t n) = nullptr;
  size_t frame_align = 0;

  // Optional (null when a kernel does not have it): seal |n| messages of |len| bytes in place under
  // one key and one AAD, with the nonces of consecutive TLS 1.3 records (RFC 8446 §5.3): message i
  // is bufs[i][0, len), its tag is written right after it, and its nonce is |iv| XOR the
  // big-endian 64-bit seq + i in the nonce's last eight bytes (seq + n - 1 must not wrap). This is
  // the record layer's steady state, one connection sealing records of one size; the kernel
  // computes the nonces in vectors and reads one pointer per message instead of a Job and a nonce.
  void (*seal_uniform)(const KeyState* key, const uint8_t* iv, uint64_t seq, const uint8_t* aad,
                       size_t aad_len, uint8_t* const* bufs, size_t len, size_t n) = nullptr;
};

}  // namespace volley::aead_internal
