#include "handshake/connection_core.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "engine/common/secure_memory.h"
#include "handshake/os_random.h"

namespace volley::tls {
namespace {

// Records read per RecordReader call.
constexpr size_t kReadBatch = 32;
// Records sealed per seal_batch call by write().
constexpr size_t kWriteBatch = 32;
// receive() frames its input in steps of this many bytes, checking between steps whether the
// reader has filled its plaintext allowance.
constexpr size_t kReceiveStep = 64 * 1024;
// The largest record the writer can produce (a protected record at the size limit with padding).
constexpr size_t kMaxRecordSize = kRecordHeaderLen + kMaxCiphertextLen;

// The largest TLSInnerPlaintext TLS 1.3 allows (RFC 8449 §4: a larger record_size_limit value
// means this).
constexpr uint16_t kMaxInnerLimit = 16385;

}  // namespace

ConnectionCore::ConnectionCore(std::shared_ptr<const Config> config, bool is_client)
    : config_(std::move(config)), is_client_(is_client) {}

ConnectionCore::~ConnectionCore() {
  secure_wipe(random_pool_, sizeof(random_pool_));
  secure_wipe(in_.data(), in_.size());
  secure_wipe(app_in_.data(), app_in_.size());
}

void ConnectionCore::set_machine(std::unique_ptr<HandshakeMachine> machine) {
  machine_ = std::move(machine);
  const TlsError e = machine_->start();
  if (!e.ok()) fail(e);
}

TlsError ConnectionCore::random(MutableBytes out) {
  constexpr TlsError kFailed =
      tls_fail(AlertDescription::kInternalError, "the random source failed");
  if (config_->random_ != nullptr) {
    return config_->random_(config_->random_context_, out) ? kTlsOk : kFailed;
  }
  size_t done = 0;
  while (done < out.size()) {
    if (random_used_ == kRandomPool) {
      if (!os_random(MutableBytes(random_pool_, kRandomPool))) {
        secure_wipe(out.data(), out.size());
        return kFailed;
      }
      random_used_ = 0;
    }
    const size_t n = std::min(out.size() - done, kRandomPool - random_used_);
    std::memcpy(out.data() + done, random_pool_ + random_used_, n);
    secure_wipe(random_pool_ + random_used_, n);  // a served byte is never served again
    random_used_ += n;
    done += n;
  }
  return kTlsOk;
}

TlsError ConnectionCore::draw_key_share(std::unique_ptr<KeyShare>* out, NamedGroup group) {
  TlsError source_error = kTlsOk;
  struct Draw {
    ConnectionCore* core;
    TlsError* error;
  } draw{this, &source_error};
  const TlsError e = tls::draw_key_share(
      out, group,
      [](void* context, MutableBytes bytes) {
        auto* d = static_cast<Draw*>(context);
        *d->error = d->core->random(bytes);
        return d->error->ok();
      },
      &draw);
  return source_error.ok() ? e : source_error;
}

uint8_t* ConnectionCore::reserve_output(size_t n) {
  if (out_sent_ == out_.size()) {  // everything was sent: start the buffer again
    out_.clear();
    out_sent_ = 0;
  }
  const size_t at = out_.size();
  out_.resize(at + n);
  return out_.data() + at;
}

void ConnectionCore::consume_output(size_t n) noexcept {
  out_sent_ += std::min(n, out_.size() - out_sent_);
  if (out_sent_ == out_.size()) {
    out_.clear();
    out_sent_ = 0;
  }
}

TlsError ConnectionCore::send_handshake(Bytes messages) {
  const size_t n = writer_.handshake_size(messages.size());
  uint8_t* const at = reserve_output(n);
  const WriteResult w = writer_.write_handshake(MutableBytes(at, n), messages);
  out_.resize(out_.size() - n + (w.status == RecordStatus::kOk ? w.written : 0));
  if (w.status != RecordStatus::kOk) {
    return tls_fail(AlertDescription::kInternalError, "the record layer refused a handshake flight");
  }
  return kTlsOk;
}

TlsError ConnectionCore::send_change_cipher_spec() {
  uint8_t* const at = reserve_output(kRecordHeaderLen + 1);
  const WriteResult w = writer_.write_change_cipher_spec(MutableBytes(at, kRecordHeaderLen + 1));
  if (w.status != RecordStatus::kOk) {
    out_.resize(out_.size() - kRecordHeaderLen - 1);
    return tls_fail(AlertDescription::kInternalError, "change_cipher_spec could not be written");
  }
  return kTlsOk;
}

TlsError ConnectionCore::install_read_keys(const CipherSuite& suite, const TrafficKeys& keys) {
  if (reader_.install_keys(suite, keys, config_->aead_backend()) != Status::kOk) {
    return tls_fail(AlertDescription::kInternalError, "the receive keys could not be installed");
  }
  read_keys_changed_ = true;
  return kTlsOk;
}

TlsError ConnectionCore::install_write_keys(const CipherSuite& suite, const TrafficKeys& keys) {
  if (writer_.install_keys(suite, keys, config_->aead_backend()) != Status::kOk) {
    return tls_fail(AlertDescription::kInternalError, "the send keys could not be installed");
  }
  return kTlsOk;
}

TlsError ConnectionCore::set_peer_record_size_limit(uint16_t limit) {
  if (writer_.protection().set_record_size_limit(std::min(limit, kMaxInnerLimit)) != Status::kOk) {
    return tls_fail(AlertDescription::kIllegalParameter, "record_size_limit below 64");
  }
  return kTlsOk;
}

TlsError ConnectionCore::set_own_record_size_limit(uint16_t limit) {
  if (reader_.set_record_size_limit(std::min(limit, kMaxInnerLimit)) != Status::kOk) {
    return tls_fail(AlertDescription::kInternalError, "record_size_limit below 64");
  }
  return kTlsOk;
}

void ConnectionCore::handshake_complete() noexcept {
  if (state_ == HandshakeState::kHandshaking) state_ = HandshakeState::kConnected;
}

size_t ConnectionCore::receive(Bytes in) {
  size_t taken = 0;
  while (taken < in.size()) {
    if (state_ == HandshakeState::kFailed || state_ == HandshakeState::kClosed || peer_closed_) {
      break;
    }
    if (app_in_.size() - app_in_read_ >= config_->max_buffered_plaintext()) break;
    const size_t step = std::min(in.size() - taken, kReceiveStep);
    in_.insert(in_.end(), in.begin() + static_cast<ptrdiff_t>(taken),
               in.begin() + static_cast<ptrdiff_t>(taken + step));
    taken += step;
    process();
  }
  answer_key_update();  // once for every update_requested handled above (key_update.cc)
  return taken;
}

void ConnectionCore::process() {
  size_t pos = 0;
  while (state_ != HandshakeState::kFailed && !peer_closed_ && pos < in_.size()) {
    OpenedRecord records[kReadBatch];
    const ReadResult r = reader_.read(records, MutableBytes(in_.data() + pos, in_.size() - pos));
    for (size_t i = 0; i < r.records && state_ != HandshakeState::kFailed && !peer_closed_; ++i) {
      const TlsError e = on_record(records[i]);
      if (!e.ok()) fail(e);
    }
    pos += r.consumed;
    if (state_ == HandshakeState::kFailed || peer_closed_) break;
    if (r.status == RecordStatus::kAlert) {
      fail(tls_fail(r.alert, "a record from the peer was refused by the record layer"));
      break;
    }
    if (r.status == RecordStatus::kSequenceExhausted) {
      fail(tls_fail(AlertDescription::kInternalError, "receive sequence number exhausted"));
      break;
    }
    if (r.status != RecordStatus::kOk || r.records == 0) break;  // needs more bytes
  }
  // What was consumed held plaintext (opened in place): wipe it before it goes.
  secure_wipe(in_.data(), pos);
  in_.erase(in_.begin(), in_.begin() + static_cast<ptrdiff_t>(pos));
}

TlsError ConnectionCore::on_record(const OpenedRecord& record) {
  switch (record.type) {
    case ContentType::kHandshake: {
      TlsError e = framer_.add(record.content);
      if (!e.ok()) return e;
      for (;;) {
        HandshakeMessage m;
        bool got = false;
        e = framer_.next(&m, &got);
        if (!e.ok()) return e;
        if (!got) return kTlsOk;
        read_keys_changed_ = false;
        e = machine_->on_message(m);
        if (!e.ok()) return e;
        if (read_keys_changed_) {
          e = framer_.check_key_change();
          if (!e.ok()) return e;
        }
      }
    }
    case ContentType::kAlert:
      return on_alert(record.content);
    case ContentType::kApplicationData:
      if (state_ != HandshakeState::kConnected) {
        return tls_fail(AlertDescription::kUnexpectedMessage,
                        "application data before the handshake completed");
      }
      if (!record.content.empty()) key_updates_in_a_row_ = 0;
      if (app_in_read_ == app_in_.size()) {
        secure_wipe(app_in_.data(), app_in_.size());
        app_in_.clear();
        app_in_read_ = 0;
      }
      app_in_.insert(app_in_.end(), record.content.begin(), record.content.end());
      return kTlsOk;
    default:
      return tls_fail(AlertDescription::kUnexpectedMessage, "unexpected record type");
  }
}

TlsError ConnectionCore::on_alert(Bytes content) {
  // The reader checked the length: exactly one alert (RFC 8446 §5.1).
  const auto alert = static_cast<AlertDescription>(content[1]);
  if (alert == AlertDescription::kUserCanceled) return kTlsOk;  // close_notify follows (§6.1)
  if (alert == AlertDescription::kCloseNotify) {
    if (state_ != HandshakeState::kConnected) {
      fail(tls_fail(alert, "the peer closed the connection during the handshake"), true);
      return kTlsOk;
    }
    peer_closed_ = true;
    if (closed_) state_ = HandshakeState::kClosed;
    return kTlsOk;
  }
  fail(tls_fail(alert, "the peer sent an alert"), true);
  return kTlsOk;
}

void ConnectionCore::fail(TlsError e, bool from_peer) {
  if (state_ == HandshakeState::kFailed) return;
  state_ = HandshakeState::kFailed;
  error_ = e;
  error_from_peer_ = from_peer;
  if (!from_peer && !closed_) {
    uint8_t* const at = reserve_output(kMaxRecordSize);
    const WriteResult w = writer_.write_alert(MutableBytes(at, kMaxRecordSize), e.alert);
    out_.resize(out_.size() - kMaxRecordSize + (w.status == RecordStatus::kOk ? w.written : 0));
  }
  // No application data is delivered after an error, and the handshake's secrets go now.
  secure_wipe(app_in_.data(), app_in_.size());
  app_in_.clear();
  app_in_read_ = 0;
  machine_.reset();
}

size_t ConnectionCore::write(Bytes data) {
  if (state_ != HandshakeState::kConnected || closed_) return 0;
  RecordProtection& protection = writer_.protection();
  size_t taken = 0;
  while (taken < data.size()) {
    // RFC 8446 §5.5: the send key is replaced by a KeyUpdate before its usage limit, and one record
    // of every key is kept for that KeyUpdate, so a long connection never meets the limit.
    if (protection.key_update_recommended() || protection.records_left() <= 1) {
      const TlsError e = send_key_update(KeyUpdateRequest::kUpdateNotRequested);
      if (!e.ok()) {
        fail(e);
        break;
      }
      if (protection.records_left() <= 1) {  // a key good for one record carries only KeyUpdates
        fail(tls_fail(AlertDescription::kInternalError, "the send key's usage limit is too low"));
        break;
      }
    }
    const size_t max_content = protection.max_content_len();
    const uint64_t room = protection.records_left() - 1;
    SealEntry entries[kWriteBatch];
    Bytes pieces[kWriteBatch];
    size_t sizes[kWriteBatch];
    size_t count = 0;
    size_t total = 0;
    for (size_t at = taken; at < data.size() && count < kWriteBatch && count < room; ++count) {
      const size_t len = std::min(max_content, data.size() - at);
      pieces[count] = data.subspan(at, len);
      sizes[count] = RecordProtection::sealed_size(len, protection.padding_for(len));
      total += sizes[count];
      at += len;
    }
    uint8_t* const base = reserve_output(total);
    size_t off = 0;
    for (size_t i = 0; i < count; ++i) {
      entries[i].type = ContentType::kApplicationData;
      entries[i].payload = Pieces(&pieces[i], 1);
      entries[i].out = MutableBytes(base + off, sizes[i]);
      off += sizes[i];
    }
    const SealResult r = protection.seal_batch(std::span<SealEntry>(entries, count));
    size_t written = 0;
    for (size_t i = 0; i < r.sealed; ++i) {
      written += entries[i].written;
      taken += pieces[i].size();
    }
    // Sealed records are contiguous from |base|; drop the room the rest did not use.
    out_.resize(out_.size() - total + written);
    if (r.status != RecordStatus::kOk) {
      // Not the usage limit (the KeyUpdate above comes first): the sequence space or a bug.
      fail(tls_fail(AlertDescription::kInternalError, "the record layer refused application data"));
      break;
    }
  }
  return taken;
}

size_t ConnectionCore::read(MutableBytes out) noexcept {
  const size_t n = std::min(out.size(), app_in_.size() - app_in_read_);
  if (n == 0) return 0;
  std::memcpy(out.data(), app_in_.data() + app_in_read_, n);
  app_in_read_ += n;
  if (app_in_read_ == app_in_.size()) {
    secure_wipe(app_in_.data(), app_in_.size());
    app_in_.clear();
    app_in_read_ = 0;
  }
  return n;
}

void ConnectionCore::close() {
  if (closed_ || state_ == HandshakeState::kFailed) return;
  uint8_t* const at = reserve_output(kMaxRecordSize);
  const WriteResult w =
      writer_.write_alert(MutableBytes(at, kMaxRecordSize), AlertDescription::kCloseNotify);
  out_.resize(out_.size() - kMaxRecordSize + (w.status == RecordStatus::kOk ? w.written : 0));
  closed_ = true;
  if (peer_closed_) state_ = HandshakeState::kClosed;
}

}  // namespace volley::tls
