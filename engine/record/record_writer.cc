// RecordWriter: handshake messages, alerts and change_cipher_spec as records (RFC 8446 §5).
#include "volley/record_writer.h"

#include <cstring>

#include "engine/common/secure_memory.h"
#include "engine/record/record_internal.h"

namespace volley {
namespace {

using record_internal::kTls12Version;
using record_internal::write_header;

// Fragments sealed per seal_batch call.
constexpr size_t kBatch = 32;

size_t fragments(size_t len, size_t max_fragment) {
  return (len + max_fragment - 1) / max_fragment;
}

WriteResult refuse(RecordStatus status) { return {status, 0}; }

}  // namespace

Status RecordWriter::install_keys(const CipherSuite& suite, const TrafficKeys& keys,
                                  std::string_view backend) noexcept {
  return record_internal::install_keys(protection_, suite, keys, backend);
}

size_t RecordWriter::handshake_size(size_t message_len) const noexcept {
  if (message_len == 0) return 0;
  if (!protection_.initialized()) {
    return message_len + fragments(message_len, kMaxPlaintextLen) * kRecordHeaderLen;
  }
  const size_t max_fragment = protection_.max_content_len();
  size_t total = 0;
  for (size_t off = 0; off < message_len; off += max_fragment) {
    const size_t len = message_len - off < max_fragment ? message_len - off : max_fragment;
    total += RecordProtection::sealed_size(len, protection_.padding_for(len));
  }
  return total;
}

WriteResult RecordWriter::write_plaintext(MutableBytes out, ContentType type,
                                          Bytes content) const noexcept {
  const size_t total = content.size() + fragments(content.size(), kMaxPlaintextLen) *
                                            kRecordHeaderLen;
  if (out.size() < total) return refuse(RecordStatus::kOutputTooSmall);
  if (overlaps(out.data(), total, content.data(), content.size())) {
    return refuse(RecordStatus::kBadAliasing);
  }
  uint8_t* p = out.data();
  for (size_t off = 0; off < content.size(); off += kMaxPlaintextLen) {
    const size_t len = content.size() - off < kMaxPlaintextLen ? content.size() - off
                                                                : kMaxPlaintextLen;
    write_header(p, type, plaintext_version_, len);
    std::memcpy(p + kRecordHeaderLen, content.data() + off, len);
    p += kRecordHeaderLen + len;
  }
  return {RecordStatus::kOk, total};
}

WriteResult RecordWriter::write_protected(MutableBytes out, ContentType type,
                                          Bytes content) noexcept {
  if (!protection_.initialized()) return refuse(RecordStatus::kNotInitialized);
  const size_t max_fragment = protection_.max_content_len();
  const size_t count = fragments(content.size(), max_fragment);
  // Checked before anything is sealed, so that a write is whole or nothing.
  if (protection_.records_left() < count) {
    // Without a usage limit below it (ChaCha20-Poly1305), what runs out is the sequence space.
    return refuse(protection_.suite().aead->max_records_per_key == UINT64_MAX
                      ? RecordStatus::kSequenceExhausted
                      : RecordStatus::kKeyUpdateRequired);
  }
  const size_t total = handshake_size(content.size());
  if (out.size() < total) return refuse(RecordStatus::kOutputTooSmall);
  if (overlaps(out.data(), total, content.data(), content.size())) {
    return refuse(RecordStatus::kBadAliasing);
  }
  SealEntry entries[kBatch];
  Bytes pieces[kBatch];
  size_t written = 0;
  size_t off = 0;
  while (off < content.size()) {
    size_t n = 0;
    for (; n < kBatch && off < content.size(); ++n) {
      const size_t len = content.size() - off < max_fragment ? content.size() - off : max_fragment;
      pieces[n] = content.subspan(off, len);
      const size_t size = RecordProtection::sealed_size(len, protection_.padding_for(len));
      entries[n] = {type, Pieces(&pieces[n], 1), kPolicyPadding, out.subspan(written, size), 0};
      written += size;
      off += len;
    }
    // Every refusal seal_batch knows was checked above.
    const SealResult sealed = protection_.seal_batch(std::span<SealEntry>(entries, n));
    if (sealed.status != RecordStatus::kOk) return refuse(sealed.status);
  }
  return {RecordStatus::kOk, written};
}

WriteResult RecordWriter::write_handshake(MutableBytes out, Bytes messages) noexcept {
  if (messages.empty()) return refuse(RecordStatus::kInvalidContentType);
  if (protection_.initialized()) return write_protected(out, ContentType::kHandshake, messages);
  return write_plaintext(out, ContentType::kHandshake, messages);
}

WriteResult RecordWriter::write_alert(MutableBytes out, AlertDescription alert) noexcept {
  const uint8_t body[kAlertLen] = {static_cast<uint8_t>(alert_level(alert)),
                                   static_cast<uint8_t>(alert)};
  if (protection_.initialized()) return write_protected(out, ContentType::kAlert, body);
  return write_plaintext(out, ContentType::kAlert, body);
}

WriteResult RecordWriter::write_change_cipher_spec(MutableBytes out) noexcept {
  if (out.size() < kRecordHeaderLen + 1) return refuse(RecordStatus::kOutputTooSmall);
  write_header(out.data(), ContentType::kChangeCipherSpec, kTls12Version, 1);
  out[kRecordHeaderLen] = 0x01;
  return {RecordStatus::kOk, kRecordHeaderLen + 1};
}

}  // namespace volley
