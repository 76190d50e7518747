#include "handshake/messages/encrypted_extensions.h"

#include "handshake/messages/codec_internal.h"
#include "handshake/wire/wire_reader.h"

namespace volley::tls {

bool encode_encrypted_extensions(WireWriter& w, const EncryptedExtensions& ee) {
  const size_t msg = codec::begin_message(w, HandshakeType::kEncryptedExtensions);
  encode_extensions(w, ee.extensions);
  return codec::end_message(w, msg);
}

TlsError decode_encrypted_extensions(EncryptedExtensions* ee, Bytes body) {
  WireReader r(body);
  EncryptedExtensions out;
  if (TlsError e = codec::read_last_extensions(
          r, &out.extensions, ExtensionContext::kEncryptedExtensions,
          {"EncryptedExtensions: truncated extensions", "EncryptedExtensions: trailing bytes"});
      !e.ok()) {
    return e;
  }
  *ee = std::move(out);
  return kTlsOk;
}

}  // namespace volley::tls
