// tls_server_fuzzer: a volley server Connection (ECDSA P-256 credential from the test PKI, ALPN,
// a deterministic random source) against hostile client bytes, with every call checked against
// volley/tls.h (tls_fuzz_support.h: Watched). Two modes, chosen by the first input byte:
// - raw: the input is the client's byte stream, cut into receive() calls as the step byte says.
//   A seed recorded from a real client replays to the end (both randoms are fixed), so mutations
//   start from every state: ClientHello decoding and the offer (decode_client_hello_offer),
//   HelloRetryRequest and the second ClientHello, change_cipher_spec, the client's Certificate
//   and CertificateVerify (pairs 7-9 ask for them), the client Finished,
//   application data, close_notify, alerts.
// - live: a real volley client (one of tls_fuzz_support's config pairs) talks to the server and
//   the input edits the client -> server stream in flight (flip, insert, erase, cut, inject a
//   plaintext record, replay), then both sides write, read and close.
#include <cstddef>
#include <cstdint>

#include "fuzz/tls_fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return volley::fuzz::run_tls_target(volley::fuzz::Side::kServer, data, size);
}
