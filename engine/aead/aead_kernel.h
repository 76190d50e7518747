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
//
// Nonce: the kernel derives it as |iv| XOR the big-endian |seq| in its last eight bytes, the
// TLS 1.3 per-record nonce (RFC 8446 §5.3; tls_nonce.h). The record layer points |iv| at the connection's
// IV and passes the record's sequence number, so no nonce is ever written to memory for a record;
// a plain AEAD call passes its nonce as |iv| and seq 0.
//
// Framing (seal_batch only): a job whose |type| is not 0 is a TLS 1.3 inner plaintext (RFC 8446
// §5.2) sealed from the caller's buffer: the message is in[0, content_len) || type || zeros up to
// |len| (content_len < len), and only in[0, content_len) is read. A job with type 0 is plain: the
// message is in[0, len). open_batch jobs are always plain: they decrypt all of in[0, len).
//
// Inner content type (open_batch only): an open job whose |inner| is not null asks for the
// content type of its TLSInnerPlaintext (RFC 8446 §5.4: the last non-zero byte of the plaintext,
// zeros after it). A kernel whose table sets finds_content_type finds it while it decrypts, from
// the plaintext vectors it has in registers anyway, and writes it to *inner: the type, and
// content_len the index of the type byte; both 0 when the plaintext is all zeros (or len is 0),
// exactly what the standalone scan (content_type_kernels.h) returns. It finds it as that scan
// does, in constant time: no branch, loop bound or memory index depends on the plaintext, and no
// byte outside [out, out + len) is read for it. *inner is written whether or not the tag will
// match; the caller must not use it for a record whose tag does not. A kernel that does not set
// finds_content_type never touches *inner, and the caller scans the plaintext after the call
// (record_open.cc); so only the record layer, which needs the type, asks, and a plain AEAD open
// (|inner| null) costs what it did. seal_batch ignores |inner|.
struct InnerType {
  uint32_t content_len;
  uint8_t type;
};

struct Job {
  const KeyState* key;
  const uint8_t* iv;  // kNonceBytes
  uint64_t seq;
  const uint8_t* aad;
  size_t aad_len;
  const uint8_t* in;
  uint8_t* out;  // == in, or disjoint from it and from every other job's buffers
  size_t len;
  uint8_t* tag;  // kTagBytes, written: the tag (seal) or the tag computed over |in| (open)
  uint32_t content_len;  // framed jobs: bytes of content read from |in|
  uint8_t type;          // framed jobs: the content type, never 0; 0 for a plain job
  InnerType* inner;      // open jobs: where to report the content type, or null (see above)
};
// No default member initialisers: a Job stays trivially constructible, so no kernel translation
// unit emits a (weak, shareable) constructor built with its ISA's flags (isa_isolation_test).
// Designated initialisers that leave content_len, type and inner out zero them: a plain job.

// AeadKernel is a kernel's table. Every kernel fills every field (designated initialisers, so a
// missing one is visible in review and a reordering cannot shift entries): there is no optional
// entry point, and a kernel with a faster path for some shape of batch (one key, consecutive
// sequence numbers, one length: the record layer's steady state) detects it inside seal_batch.
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

  // Batch interface: seal or open |n| independent contiguous messages (plain or, for seal_batch,
  // framed jobs, in any mix). A kernel should interleave jobs so that short messages keep its AES /
  // ChaCha units and its multipliers busy; n == 1 is the one-shot path and must be as fast as the
  // streaming calls. open_batch decrypts |in| into |out| and writes the tag it computed to |tag|;
  // the front end compares tags and wipes on mismatch. A kernel with no faster framed path seals
  // framed jobs through seal_framed_jobs (inner_frame.h): frame into |out|, then seal in place.
  void (*seal_batch)(const Job* jobs, size_t n);
  void (*open_batch)(const Job* jobs, size_t n);

  // finds_content_type: open_batch reports the inner content type of every job that asks for it
  // (Job::inner). Only kernels that decrypt whole 64-byte vectors in registers set it
  // (vaes-avx512 AES-GCM, avx512 ChaCha20-Poly1305), where the scan costs a few ops per vector on
  // ports the cipher leaves idle; for the others the record layer scans after the call.
  bool finds_content_type;
};

}  // namespace volley::aead_internal
