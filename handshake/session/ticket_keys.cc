// TicketKeys and StatelessTicketStore (volley/session.h): tickets sealed with AES-256-GCM under a
// rotating server key.
#include <sys/random.h>

#include <chrono>
#include <cstring>

#include "engine/common/secure_memory.h"
#include "volley/aead.h"
#include "volley/session.h"

namespace volley::tls {
namespace {

// age is how long ago |then| was at |now|; a clock that went back counts as no time.
uint64_t age(uint64_t now, uint64_t then) { return now > then ? now - then : 0; }

bool os_random(uint8_t* p, size_t n) {
  for (size_t done = 0; done < n;) {
    const ssize_t got = getrandom(p + done, n - done, 0);
    if (got <= 0) return false;
    done += static_cast<size_t>(got);
  }
  return true;
}

}  // namespace

uint64_t system_clock_ms(void*) {
  using namespace std::chrono;
  return static_cast<uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

// Key is one ticket key: immutable once made, shared by the threads sealing and opening under it
// (AeadKey allows concurrent seal/open), wiped by AeadKey's destructor and ~Key.
struct TicketKeys::Key {
  uint8_t name[kNameSize] = {};
  uint64_t created_ms = 0;
  AeadKey aead;
  ~Key() { secure_wipe(name, sizeof(name)); }
};

TicketKeys::TicketKeys(uint64_t rotation_interval_ms, Clock clock, void* clock_context)
    : interval_ms_(rotation_interval_ms == 0 ? 1 : rotation_interval_ms),
      clock_(clock != nullptr ? clock : &system_clock_ms),
      clock_context_(clock_context) {}

TicketKeys::~TicketKeys() = default;

bool TicketKeys::install_locked(Bytes name, Bytes key, uint64_t now) {
  if (name.size() != kNameSize || key.size() != kKeySize) return false;
  auto k = std::make_shared<Key>();
  std::memcpy(k->name, name.data(), kNameSize);
  k->created_ms = now;
  if (k->aead.init(kAes256Gcm, key) != Status::kOk) return false;
  previous_ = std::move(current_);  // the one that was previous goes (and is wiped) here
  current_ = std::move(k);
  return true;
}

bool TicketKeys::rotate() {
  uint8_t material[kNameSize + kKeySize];
  bool ok = os_random(material, sizeof(material));
  if (ok) {
    const std::lock_guard<std::mutex> lock(mutex_);
    ok = install_locked(Bytes(material, kNameSize), Bytes(material + kNameSize, kKeySize),
                        clock_(clock_context_));
  }
  secure_wipe(material, sizeof(material));
  return ok;
}

bool TicketKeys::rotate_to(Bytes name, Bytes key) {
  const std::lock_guard<std::mutex> lock(mutex_);
  return install_locked(name, key, clock_(clock_context_));
}

void TicketKeys::refresh_locked(uint64_t now) {
  if (previous_ != nullptr && age(now, previous_->created_ms) >= 2 * interval_ms_) {
    previous_.reset();
  }
  if (current_ != nullptr && age(now, current_->created_ms) < interval_ms_) return;
  uint8_t material[kNameSize + kKeySize];
  if (os_random(material, sizeof(material))) {
    (void)install_locked(Bytes(material, kNameSize), Bytes(material + kNameSize, kKeySize), now);
  }
  secure_wipe(material, sizeof(material));
  if (previous_ != nullptr && age(now, previous_->created_ms) >= 2 * interval_ms_) {
    previous_.reset();
  }
}

bool TicketKeys::seal(std::vector<uint8_t>* out, Bytes plain) {
  std::shared_ptr<const Key> key;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    refresh_locked(clock_(clock_context_));
    key = current_;
  }
  if (key == nullptr) return false;
  std::vector<uint8_t> t(kNameSize + kNonceSize + plain.size() + kTagSize);
  std::memcpy(t.data(), key->name, kNameSize);
  if (!os_random(t.data() + kNameSize, kNonceSize)) return false;
  const Bytes nonce(t.data() + kNameSize, kNonceSize);
  const Bytes aad(t.data(), kNameSize);
  const MutableBytes body(t.data() + kNameSize + kNonceSize, plain.size() + kTagSize);
  if (key->aead.seal(body, nonce, aad, {plain}) != Status::kOk) return false;
  *out = std::move(t);
  return true;
}

bool TicketKeys::open(std::vector<uint8_t>* out, Bytes ticket) {
  if (ticket.size() < kOverhead) return false;
  std::shared_ptr<const Key> key;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    refresh_locked(clock_(clock_context_));
    // The name is not secret: an ordinary comparison picks the key.
    for (const auto& k : {current_, previous_}) {
      if (k != nullptr && std::memcmp(k->name, ticket.data(), kNameSize) == 0) key = k;
    }
  }
  if (key == nullptr) return false;
  std::vector<uint8_t> plain(ticket.size() - kOverhead);
  const Status s = key->aead.open(plain, ticket.subspan(kNameSize, kNonceSize),
                                  ticket.first(kNameSize), ticket.subspan(kNameSize + kNonceSize));
  if (s != Status::kOk) return false;
  if (!out->empty()) secure_wipe(out->data(), out->size());
  *out = std::move(plain);
  return true;
}

bool StatelessTicketStore::seal(std::vector<uint8_t>* ticket, Bytes state) const {
  return keys_->seal(ticket, state);
}

bool StatelessTicketStore::open(std::vector<uint8_t>* state, Bytes ticket) const {
  return keys_->open(state, ticket);
}

}  // namespace volley::tls
