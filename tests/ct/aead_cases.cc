// AES-128/256-GCM (CTR and GHASH) and ChaCha20-Poly1305 through the public AeadKey, on every
// backend: the key, nonce and plaintext secret for seal; the key, nonce, ciphertext and received
// tag secret for open, so the kernels' decryption and the front end's tag compare are both
// checked. The AAD is public (record headers). Each backend's results are compared with nohw's.
#include <string>

#include "engine/aead/aead_key_access.h"
#include "tests/ct/ct.h"
#include "volley/aead.h"

namespace volley::ct {
namespace {

// Sealed is one message sealed on the reference backend.
struct Sealed {
  Buffer ct;
  Buffer tag;
};

std::string at(const char* what, size_t len) {
  return std::string(what) + " at " + std::to_string(len);
}

// one_piece is |b| as a list of one piece, for the seal that takes the tag apart.
Pieces one_piece(const Buffer& b) {
  static thread_local Bytes piece;
  piece = Bytes(b);
  return Pieces(&piece, 1);
}

// seal_reference seals |pt| on nohw, with nothing marked: the expected output.
Sealed seal_reference(const Aead& aead, const Buffer& key, const Buffer& nonce, const Buffer& aad,
                      const Buffer& pt) {
  AeadKey k;
  Sealed s{Buffer(pt.size()), Buffer(16)};
  if (k.init(aead, key, "nohw") != Status::kOk ||
      k.seal(s.ct, s.tag, nonce, aad, one_piece(pt)) != Status::kOk) {
    s.tag.clear();  // never equal to a real tag: the comparison reports it
  }
  return s;
}

void check_length(const AeadKey& k, const Aead& aead, const Buffer& key, size_t len, Tally& t) {
  const Buffer nonce = pattern(12, static_cast<uint32_t>(len) + 3);
  const Buffer aad = pattern(13, 4);  // public: the record header in TLS
  const Buffer pt = pattern(len, static_cast<uint32_t>(len) + 5);
  const Sealed ref = seal_reference(aead, key, nonce, aad, pt);

  // Seal, out of place. The ciphertext and the tag go on the wire: public once sealed.
  Buffer ct(len), tag(16);
  secret(nonce);
  secret(pt);
  Status s = k.seal(ct, tag, nonce, aad, one_piece(pt));
  reveal(ct);
  reveal(tag);
  t.expect(s == Status::kOk && ct == ref.ct && tag == ref.tag, at("seal", len));

  // Seal in place.
  Buffer buf = pt;
  secret(buf);
  s = k.seal(buf, tag, nonce, aad, one_piece(buf));
  reveal(buf);
  reveal(tag);
  t.expect(s == Status::kOk && buf == ref.ct && tag == ref.tag, at("seal in place", len));

  // Seal from three pieces: the front end's streaming path (begin, encrypt, finish) with blocks
  // gathered across pieces.
  secret(pt);
  const Bytes all(pt);
  const Bytes three[] = {all.first(len / 3), all.subspan(len / 3, len / 3),
                         all.subspan(2 * (len / 3))};
  s = k.seal(ct, tag, nonce, aad, Pieces(three));
  reveal(ct);
  reveal(tag);
  t.expect(s == Status::kOk && ct == ref.ct && tag == ref.tag, at("seal in pieces", len));

  // Open, out of place and in place, with the right tag. The status is declassified by the front
  // end itself (volley_ct_declassify); the plaintext is revealed here only to compare it.
  Buffer out(len), received = ref.tag;
  Buffer in = ref.ct;
  secret(nonce);
  secret(in);
  secret(received);
  s = k.open(out, nonce, aad, in, received);
  reveal(out);
  reveal(pt);
  t.expect(s == Status::kOk && out == pt, at("open", len));

  buf = ref.ct;
  secret(buf);
  secret(received);
  s = k.open(buf, nonce, aad, buf, received);
  reveal(buf);
  t.expect(s == Status::kOk && buf == pt, at("open in place", len));

  // Open with a forged tag, wrong in its last byte only: a compare that stopped early would
  // take its longest time here, and memcheck must still see nothing.
  received = ref.tag;
  received[15] ^= 1;
  in = ref.ct;
  secret(in);
  secret(received);
  s = k.open(out, nonce, aad, in, received);
  reveal(out);
  t.expect(s == Status::kAuthFailed && out == Buffer(len, 0), at("open forged", len));
}

int check_aead(const Aead& aead) {
  int wrong = 0;
  for_each_backend(aead.family, [&](const dispatch::Backend& b) {
    Tally t(aead.name, b.name);
    const Buffer key = pattern(aead.key_len, 1);
    AeadKey k;
    secret(key);
    const Status s = k.init(aead, key, b.name);
    reveal(key);  // for the reference keys; the expanded key in |k| stays undefined
    // The kernel that runs must be the one asked for: a silent fallback would check another.
    t.expect(s == Status::kOk && k.backend_name() == b.name &&
                 aead_internal::kernel_of(k) == b.kernel,
             "the key is not on the backend asked for");
    if (s == Status::kOk) {
      for (size_t len : kLengths) check_length(k, aead, key, len, t);
    }
    wrong += t.wrong();
  });
  return wrong;
}

}  // namespace

int check_aeads() {
  int wrong = 0;
  for (const Aead* aead : all_aeads()) wrong += check_aead(*aead);
  return wrong;
}

}  // namespace volley::ct
