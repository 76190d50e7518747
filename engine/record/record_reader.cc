// RecordReader: framing of every received record (RFC 8446 §5); protected runs are opened by
// RecordProtection::open_protected (record_open.cc).
#include "volley/record_reader.h"

#include <cstring>

#include "engine/common/secure_memory.h"
#include "engine/record/record_internal.h"

namespace volley {

using record_internal::check_content;
using record_internal::ContentCheck;
using record_internal::read_header;
using record_internal::RecordHeader;

Status RecordReader::install_keys(const CipherSuite& suite, const TrafficKeys& keys,
                                  std::string_view backend) noexcept {
  const Status s = record_internal::install_keys(protection_, suite, keys, backend);
  // Without keys the reader would take the peer's next records for plaintext ones.
  if (s != Status::kOk) failure_ = {RecordStatus::kAlert, AlertDescription::kInternalError, 0, 0};
  return s;
}

ReadResult RecordReader::fail(ReadResult r, AlertDescription alert) noexcept {
  r.status = RecordStatus::kAlert;
  r.alert = alert;
  failure_ = {RecordStatus::kAlert, alert, 0, 0};
  return r;
}

ReadResult RecordReader::read(std::span<OpenedRecord> records, MutableBytes stream) noexcept {
  return read_impl(stream.data(), stream.size(), stream.data(), stream.size(), records);
}

ReadResult RecordReader::read(std::span<OpenedRecord> records, MutableBytes out,
                              Bytes stream) noexcept {
  if (overlaps(stream.data(), stream.size(), out.data(), out.size())) {
    return {RecordStatus::kBadAliasing, AlertDescription::kCloseNotify, 0, 0};
  }
  return read_impl(stream.data(), stream.size(), out.data(), out.size(), records);
}

ReadResult RecordReader::read_impl(const uint8_t* stream, size_t stream_len, uint8_t* out,
                                   size_t out_len, std::span<OpenedRecord> records) noexcept {
  if (failed()) return failure_;
  ReadResult result;
  while (result.records < records.size()) {
    const size_t pos = result.consumed;
    if (stream_len - pos < kRecordHeaderLen) {
      if (stream_len != pos) result.status = RecordStatus::kNeedMoreData;
      return result;
    }
    const RecordHeader h = read_header(stream + pos);
    const size_t body = pos + kRecordHeaderLen;

    if (h.type == static_cast<uint8_t>(ContentType::kChangeCipherSpec)) {
      // RFC 8446 §5: dropped without further processing, when it is the single byte 0x01 and the
      // handshake allows it; any other change_cipher_spec is unexpected_message.
      if (!ccs_allowed_ || ccs_dropped_ || h.length != 1) {
        return fail(result, AlertDescription::kUnexpectedMessage);
      }
      if (stream_len - body < 1) {
        result.status = RecordStatus::kNeedMoreData;
        return result;
      }
      if (stream[body] != 0x01) return fail(result, AlertDescription::kUnexpectedMessage);
      ccs_dropped_ = true;
      result.consumed = body + 1;
      continue;
    }

    if (protection_.initialized()) {
      // RFC 8446 §5.2: once keys are in use, every record is an opaque application_data one.
      if (h.type != static_cast<uint8_t>(ContentType::kApplicationData)) {
        return fail(result, AlertDescription::kUnexpectedMessage);
      }
      const ReadResult run =
          protection_.open_protected(stream + pos, stream_len - pos, out + pos,
                                     out_len > pos ? out_len - pos : 0,
                                     records.subspan(result.records));
      result.records += run.records;
      result.consumed = pos + run.consumed;
      if (run.status == RecordStatus::kAlert) return fail(result, run.alert);
      if (run.status == RecordStatus::kOutputTooSmall && result.consumed > 0) return result;
      if (run.status != RecordStatus::kOk) {
        result.status = run.status;
        return result;
      }
      // After a record that is not application_data the caller acts first; a run that made no
      // progress ended on the output buffer.
      if (run.records == 0 ||
          records[result.records - 1].type != ContentType::kApplicationData) {
        return result;
      }
      continue;
    }

    // Before keys: TLSPlaintext handshake and alert records only (RFC 8446 §5.1).
    if (h.type != static_cast<uint8_t>(ContentType::kHandshake) &&
        h.type != static_cast<uint8_t>(ContentType::kAlert)) {
      return fail(result, AlertDescription::kUnexpectedMessage);
    }
    if (h.length > kMaxPlaintextLen) return fail(result, AlertDescription::kRecordOverflow);
    const ContentCheck check = check_content(h.type, h.length);
    if (!check.ok) return fail(result, check.alert);
    if (stream_len - body < h.length) {
      result.status = RecordStatus::kNeedMoreData;
      return result;
    }
    if (out != stream) {
      if (out_len < body + h.length) {
        if (result.consumed == 0) result.status = RecordStatus::kOutputTooSmall;
        return result;
      }
      std::memcpy(out + body, stream + body, h.length);
    }
    records[result.records] = {static_cast<ContentType>(h.type),
                               MutableBytes(out + body, h.length)};
    ++result.records;
    result.consumed = body + h.length;
    return result;  // not application_data: the caller acts on it before reading on
  }
  return result;
}

}  // namespace volley
