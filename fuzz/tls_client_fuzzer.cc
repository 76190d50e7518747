// tls_client_fuzzer: a volley client Connection (the test PKI's root, a fixed verify time, ALPN,
// SNI "localhost", a deterministic random source: its ClientHello is the same on every run)
// against hostile server bytes, with every call checked against volley/tls.h
// (tls_fuzz_support.h: Watched). Two modes, chosen by the first input byte:
// - raw: the input is the server's byte stream, cut into receive() calls as the step byte says.
//   Seeds recorded from a real server for the fixed ClientHello replay to the end, so mutations
//   start from every state: ServerHello and HelloRetryRequest, EncryptedExtensions,
//   CertificateRequest (signature_algorithms, certificate_authorities; pairs 7-9), Certificate
//   and its chain, CertificateVerify, Finished, NewSessionTicket/KeyUpdate framing, application
//   data, close_notify, alerts.
// - live: a real volley server (one of tls_fuzz_support's config pairs) talks to the client and
//   the input edits the server -> client stream in flight, then both sides write, read and close.
#include <cstddef>
#include <cstdint>

#include "fuzz/tls_fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return volley::fuzz::run_tls_target(volley::fuzz::Side::kClient, data, size);
}
