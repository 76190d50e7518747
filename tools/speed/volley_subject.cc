// volley measured through its public API: AeadKey::seal/open for one message per call, VolleyBatch
// for batches.
#include <cstdio>
#include <cstdlib>

#include "tools/speed/subject.h"
#include "tools/speed/volley_batch.h"

namespace volley::speed {
namespace {

class VolleyWorker final : public Worker {
 public:
  VolleyWorker(const Aead& aead, const std::string& backend, std::span<const Message> pool,
               size_t batch) {
    if (key_.init(aead, bench_key(aead.key_len), backend) != Status::kOk) {
      std::fprintf(stderr, "volley speed: cannot set up %s on backend %s\n",
                   std::string(aead.name).c_str(), backend.c_str());
      std::abort();
    }
    if (batch > 1) batch_ = std::make_unique<VolleyBatch>(key_, pool, batch);
  }

  bool reproduces_reference() const noexcept override {
    return batch_ == nullptr || batch_->reproduces_reference();
  }

  bool process(Op op, std::span<const Message> msgs) noexcept override {
    if (batch_ != nullptr) return op == Op::kSeal ? batch_->seal(msgs) : batch_->open(msgs);
    bool ok = true;
    for (const Message& m : msgs) {
      if (op == Op::kSeal) {
        const Bytes in(m.plain, m.len);
        ok &= key_.seal(MutableBytes(m.out, m.len + 16), Bytes(m.nonce, 12), Bytes(m.aad, kAadLen),
                        {in}) == Status::kOk;
      } else {
        ok &= key_.open(MutableBytes(m.out, m.len), Bytes(m.nonce, 12), Bytes(m.aad, kAadLen),
                        Bytes(m.sealed, m.len + 16)) == Status::kOk;
      }
    }
    return ok;
  }

 private:
  AeadKey key_;
  std::unique_ptr<VolleyBatch> batch_;
};

class VolleySubject final : public Subject {
 public:
  VolleySubject(const Aead& aead, const std::string& backend, size_t batch)
      : info_{&aead, Impl::kVolley, backend,
              batch > 1 ? std::string(kVolleyBatchVia) : std::string("direct")} {}

  const SubjectInfo& info() const override { return info_; }

  std::unique_ptr<Worker> make_worker(std::span<const Message> pool, size_t batch) const override {
    return std::make_unique<VolleyWorker>(*info_.aead, info_.backend, pool, batch);
  }

 private:
  SubjectInfo info_;
};

}  // namespace

std::unique_ptr<Subject> make_volley_subject(const Aead& aead, const std::string& backend,
                                             size_t batch) {
  return std::make_unique<VolleySubject>(aead, backend, batch);
}

}  // namespace volley::speed
