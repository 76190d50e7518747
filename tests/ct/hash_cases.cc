// SHA-256, SHA-384 and SHA-512, HMAC over them and HKDF (with TLS 1.3's HKDF-Expand-Label), on
// every SHA backend: the message, the HMAC key and the HKDF salt, input key material and
// pseudorandom key are secret (in TLS they are transcript-bound secrets). Labels, info and the
// lengths are public. Results are compared with the nohw backend's.
#include <string>

#include "tests/ct/ct.h"
#include "volley/hkdf.h"
#include "volley/hmac.h"
#include "volley/sha2.h"

namespace volley::ct {
namespace {

// Message lengths around the 64- and 128-byte blocks and their 8- or 16-byte length fields: the
// front end's padding takes one block or two.
constexpr size_t kHashLengths[] = {0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000};
// HMAC key lengths: empty, short, one block of SHA-256, over one block of SHA-512 (hashed first).
constexpr size_t kKeyLengths[] = {0, 32, 64, 200};

std::string at(const char* what, size_t len) {
  return std::string(what) + " at " + std::to_string(len);
}

template <class H>
Buffer digest(std::string_view backend, const Buffer& msg) {
  H h;
  Buffer out(H::kDigestSize);
  if (h.init(backend) != Status::kOk || h.backend_name() != backend) return {};
  // Two updates, so that the front end's buffering of a partial block runs too.
  h.update(Bytes(msg).first(msg.size() / 2));
  h.update(Bytes(msg).subspan(msg.size() / 2));
  h.final(std::span<uint8_t, H::kDigestSize>(out.data(), H::kDigestSize));
  return out;
}

template <class H>
Buffer mac(std::string_view backend, const Buffer& key, const Buffer& msg) {
  Hmac<H> m;
  Buffer out(H::kDigestSize);
  if (m.init(key, backend) != Status::kOk || m.backend_name() != backend) return {};
  m.update(msg);
  if (m.final(std::span<uint8_t, H::kDigestSize>(out.data(), H::kDigestSize)) != Status::kOk) {
    return {};
  }
  return out;
}

// hkdf_chain runs what the TLS 1.3 key schedule runs: Extract, Expand-Label, Expand, on the
// backend dispatch currently serves.
Buffer hkdf_chain(HashAlg alg, const Buffer& salt, const Buffer& ikm) {
  const size_t n = hash_size(alg);
  Buffer prk(n), secret_out(n), key(48);
  if (hkdf_extract(alg, prk, salt, ikm) != Status::kOk ||
      hkdf_expand_label(alg, secret_out, prk, "c hs traffic", Bytes(prk).first(8)) != Status::kOk ||
      hkdf_expand(alg, key, secret_out, Bytes()) != Status::kOk) {
    return {};
  }
  key.insert(key.end(), secret_out.begin(), secret_out.end());
  return key;
}

template <class H>
void check_hash_and_hmac(const dispatch::Backend& b, Tally& t) {
  for (size_t len : kHashLengths) {
    const Buffer msg = pattern(len, static_cast<uint32_t>(len) + 20);
    const Buffer want = digest<H>("nohw", msg);
    secret(msg);
    Buffer got = digest<H>(b.name, msg);
    reveal(msg);
    reveal(got);
    t.expect(!got.empty() && got == want, at("digest", len));
  }
  for (size_t key_len : kKeyLengths) {
    const Buffer key = pattern(key_len, 30), msg = pattern(100, 31);
    const Buffer want = mac<H>("nohw", key, msg);
    secret(key);
    secret(msg);
    Buffer got = mac<H>(b.name, key, msg);
    reveal(key);
    reveal(msg);
    reveal(got);
    t.expect(!got.empty() && got == want, at("hmac with key length", key_len));
  }
}

void check_hkdf(HashAlg alg, const dispatch::Backend& b, const dispatch::Backend& nohw,
                dispatch::Family family, Tally& t) {
  const Buffer salt = pattern(hash_size(alg), 40), ikm = pattern(hash_size(alg), 41);
  Buffer want, got;
  const bool ran = forced(family, nohw, [&] { want = hkdf_chain(alg, salt, ikm); }) &&
                   forced(family, b, [&] {
                     secret(salt);
                     secret(ikm);
                     got = hkdf_chain(alg, salt, ikm);
                     reveal(salt);
                     reveal(ikm);
                     reveal(got);
                   });
  t.expect(ran && !got.empty() && got == want, "hkdf on the forced backend");
}

}  // namespace

int check_hashes() {
  int wrong = 0;
  const dispatch::Backend* nohw256 = dispatch::find(dispatch::Family::kSha256, "nohw");
  const dispatch::Backend* nohw512 = dispatch::find(dispatch::Family::kSha512, "nohw");
  for_each_backend(dispatch::Family::kSha256, [&](const dispatch::Backend& b) {
    Tally t("sha256+hmac+hkdf", b.name);
    check_hash_and_hmac<Sha256>(b, t);
    check_hkdf(HashAlg::kSha256, b, *nohw256, dispatch::Family::kSha256, t);
    wrong += t.wrong();
  });
  for_each_backend(dispatch::Family::kSha512, [&](const dispatch::Backend& b) {
    Tally t("sha384+sha512+hmac+hkdf", b.name);
    check_hash_and_hmac<Sha384>(b, t);
    check_hash_and_hmac<Sha512>(b, t);
    check_hkdf(HashAlg::kSha384, b, *nohw512, dispatch::Family::kSha512, t);
    wrong += t.wrong();
  });
  return wrong;
}

}  // namespace volley::ct
