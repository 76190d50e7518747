// Tests of `volley speed`'s machinery without timing anything: the option parser, the subjects'
// outputs against the OpenSSL reference, and the JSON, CSV and SVG writers.
#include <algorithm>
#include <cstring>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <openssl/evp.h>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/speed_parse.h"
#include "tools/speed/options.h"
#include "tools/speed/peers.h"
#include "tools/speed/report.h"
#include "tools/speed/subject.h"
#include "tools/speed/volley_batch.h"
#include "tools/speed/workload.h"
#include "volley/dispatch.h"

namespace volley::speed {
namespace {

TEST(SpeedOptions, Defaults) {
  SpeedOptions o;
  std::string error;
  ASSERT_TRUE(parse_speed_args("", &o, &error)) << error;
  ASSERT_EQ(o.aeads.size(), 3u);
  EXPECT_EQ(o.aeads[0].aead, &kAes128Gcm);
  EXPECT_EQ(o.aeads[1].aead, &kAes256Gcm);
  EXPECT_EQ(o.aeads[2].aead, &kChaCha20Poly1305);
  for (const AeadPlan& p : o.aeads) {
    const std::vector<std::string> all = available_backends(*p.aead);
    // The best backend only, when the family has one.
    ASSERT_EQ(p.backends.size(), all.empty() ? 0u : 1u);
    if (!all.empty()) {
      EXPECT_EQ(p.backends[0], all[0]);
    }
  }
  EXPECT_EQ(o.sizes, (std::vector<size_t>{64, 256, 1350, 4096, 16384}));
  EXPECT_EQ(o.batches, (std::vector<size_t>{1, 32}));
  EXPECT_EQ(o.ops, std::vector<Op>{Op::kSeal});
  EXPECT_EQ(o.threads, 1u);
  EXPECT_EQ(o.repetitions, 5u);
  EXPECT_FALSE(o.cold);
  ASSERT_FALSE(o.impls.empty());
  EXPECT_EQ(o.impls[0], Impl::kVolley);
  EXPECT_NE(std::find(o.impls.begin(), o.impls.end(), Impl::kOpenSsl), o.impls.end());
}

TEST(SpeedOptions, ValidLists) {
  SpeedOptions o;
  std::string error;
  ASSERT_TRUE(
      parse_speed_args("--aead chacha20-poly1305,aes-128-gcm --op both --sizes 1,64,16384,64 "
                       "--batch 8,1 --threads 2 --duration 0.5 --repetitions 5 --cold "
                       "--impl openssl,volley --json a.json --csv a.csv --svg a.svg",
                       &o, &error))
      << error;
  ASSERT_EQ(o.aeads.size(), 2u);
  EXPECT_EQ(o.aeads[0].aead, &kChaCha20Poly1305);
  EXPECT_EQ(o.aeads[1].aead, &kAes128Gcm);
  EXPECT_EQ(o.ops, (std::vector<Op>{Op::kSeal, Op::kOpen}));
  EXPECT_EQ(o.sizes, (std::vector<size_t>{1, 64, 16384}));  // duplicates dropped, order kept
  EXPECT_EQ(o.batches, (std::vector<size_t>{8, 1}));
  EXPECT_EQ(o.threads, 2u);
  EXPECT_DOUBLE_EQ(o.duration_seconds, 0.5);
  EXPECT_EQ(o.repetitions, 5u);
  EXPECT_TRUE(o.cold);
  EXPECT_EQ(o.impls, (std::vector<Impl>{Impl::kVolley, Impl::kOpenSsl}));
  EXPECT_EQ(o.json_path, "a.json");
  EXPECT_EQ(o.csv_path, "a.csv");
  EXPECT_EQ(o.svg_path, "a.svg");
}

TEST(SpeedOptions, BackendAllAndByName) {
  SpeedOptions o;
  std::string error;
  ASSERT_TRUE(parse_speed_args("--backend all", &o, &error)) << error;
  for (const AeadPlan& p : o.aeads) EXPECT_EQ(p.backends, available_backends(*p.aead));

  // nohw is the portable backend of every family that has one: naming it picks it everywhere.
  ASSERT_TRUE(parse_speed_args("--aead aes-128-gcm --backend nohw", &o, &error)) << error;
  ASSERT_EQ(o.aeads.size(), 1u);
  EXPECT_EQ(o.aeads[0].backends, std::vector<std::string>{"nohw"});
}

TEST(SpeedOptions, UnavailableBackendIsAnError) {
  // Any backend in the AES-GCM list that this CPU (or this architecture) cannot run.
  for (const dispatch::Backend& b : dispatch::backends(dispatch::Family::kAesGcm)) {
    if (dispatch::available(b)) continue;
    SpeedOptions o;
    std::string error;
    EXPECT_FALSE(
        parse_speed_args("--aead aes-128-gcm --backend " + std::string(b.name), &o, &error));
    EXPECT_NE(error.find("not available"), std::string::npos) << error;
    return;
  }
  // The AES-GCM list always holds another architecture's backends, which never run here.
  ADD_FAILURE() << "no unavailable AES-GCM backend to try";
}

TEST(SpeedOptions, BadValues) {
  const char* const bad[] = {
      "--aead des-cbc",      "--aead aes-128-gcm,,chacha20-poly1305",
      "--aead ''",           "--backend no-such-backend",
      "--backend nohw,",     "--impl boringssl",
      "--op encrypt",        "--sizes 0",
      "--sizes 64,,128",     "--sizes abc",
      "--sizes -1",          "--sizes 1.5",
      "--sizes 99999999999", "--batch 0",
      "--batch 2000",        "--threads 0",
      "--threads two",       "--threads 1000",
      "--duration 0",        "--duration -1",
      "--duration abc",      "--duration nan",
      "--duration inf",      "--duration 1s",
      "--repetitions 0",     "--no-such-option",
  };
  for (const char* cmdline : bad) {
    SpeedOptions o;
    std::string error;
    EXPECT_FALSE(parse_speed_args(cmdline, &o, &error)) << cmdline;
    EXPECT_FALSE(error.empty()) << cmdline;
  }
}

// Every subject, volley backend or peer, must produce exactly OpenSSL's output on the shared pool:
// the measurements compare like with like.
TEST(SpeedSubjects, EverySubjectMatchesTheReference) {
  const Impl peers[] = {Impl::kOpenSsl, Impl::kIpsecMb, Impl::kLibsodium};
  for (const Aead* aead : all_aeads()) {
    std::vector<std::unique_ptr<Subject>> subjects;
    for (const std::string& backend : available_backends(*aead)) {
      subjects.push_back(make_volley_subject(*aead, backend, 1));
      subjects.push_back(make_volley_subject(*aead, backend, 4));
    }
    for (Impl impl : peers) {
      if (!peer_built(impl)) continue;
      std::unique_ptr<Subject> s = make_peer_subject(impl, *aead);
      if (s != nullptr) subjects.push_back(std::move(s));
    }
    for (const auto& subject : subjects) {
      const SubjectInfo& info = subject->info();
      EXPECT_EQ(info.aead, aead);
      for (size_t len : {1, 15, 16, 64, 1350, 4097}) {
        const size_t batch = info.impl == Impl::kVolley && info.via != "direct" ? 4 : 1;
        MessagePool pool(*aead, bench_key(aead->key_len), len, batch * 2, 7);
        auto worker = subject->make_worker(pool.messages(), batch);
        for (Op op : {Op::kSeal, Op::kOpen}) {
          const std::string what = std::string(aead->name) + " " +
                                   std::string(impl_name(info.impl)) + " " + info.backend + " " +
                                   std::string(op_name(op)) + " " + std::to_string(len);
          pool.clear_outputs(0, pool.count());
          for (size_t first = 0; first < pool.count(); first += batch) {
            EXPECT_TRUE(worker->process(op, pool.messages().subspan(first, batch))) << what;
          }
          if (worker->reproduces_reference()) {
            EXPECT_TRUE(pool.check_outputs(0, pool.count(), op == Op::kSeal)) << what;
          }
        }
      }
    }
  }
}

// open_reference decrypts one sealed message with OpenSSL's EVP (independent of volley): returns
// whether it authenticated, and the plaintext in |out|.
bool open_reference(const Aead& aead, std::span<const uint8_t> key, const uint8_t nonce[12],
                    const uint8_t* aad, size_t aad_len, const uint8_t* ct, size_t len,
                    const uint8_t tag[16], std::vector<uint8_t>* out) {
  const EVP_CIPHER* cipher = &aead == &kAes128Gcm   ? EVP_aes_128_gcm()
                             : &aead == &kAes256Gcm ? EVP_aes_256_gcm()
                                                    : EVP_chacha20_poly1305();
  out->assign(len + 1, 0);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int n = 0;
  bool ok = ctx != nullptr && EVP_DecryptInit_ex(ctx, cipher, nullptr, key.data(), nonce) == 1 &&
            EVP_DecryptUpdate(ctx, nullptr, &n, aad, static_cast<int>(aad_len)) == 1 &&
            EVP_DecryptUpdate(ctx, out->data(), &n, ct, static_cast<int>(len)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, const_cast<uint8_t*>(tag)) == 1 &&
            EVP_DecryptFinal_ex(ctx, out->data() + len, &n) == 1;
  EVP_CIPHER_CTX_free(ctx);
  out->resize(len);
  return ok;
}

// Every subject that opens the pool's sealed messages (each volley backend one message at a time,
// and each peer) opens the untouched message to its plaintext, and refuses it with one bit flipped
// in the ciphertext (first and last byte) or the tag (first and last byte). The record path opens
// only records it sealed itself; SpeedSubjects.RecordPathSealsAndOpensThePoolsMessages checks it.
TEST(SpeedSubjects, OpenRejectsATamperedMessage) {
  const Impl peers[] = {Impl::kOpenSsl, Impl::kIpsecMb, Impl::kLibsodium};
  for (const Aead* aead : all_aeads()) {
    std::vector<std::unique_ptr<Subject>> subjects;
    for (const std::string& backend : available_backends(*aead)) {
      subjects.push_back(make_volley_subject(*aead, backend, 1));
    }
    for (Impl impl : peers) {
      if (!peer_built(impl)) continue;
      std::unique_ptr<Subject> s = make_peer_subject(impl, *aead);
      if (s != nullptr) subjects.push_back(std::move(s));
    }
    ASSERT_GE(subjects.size(), available_backends(*aead).size() + 1) << aead->name;
    for (const auto& subject : subjects) {
      const SubjectInfo& info = subject->info();
      ASSERT_NE(info.via, "record");  // one message per call: "direct", or ipsec-mb's "job"
      const std::string what = std::string(aead->name) + " " + std::string(impl_name(info.impl)) +
                               " " + info.backend;
      MessagePool pool(*aead, bench_key(aead->key_len), 64, 1, 3);
      auto worker = subject->make_worker(pool.messages(), 1);
      const Message good = pool.messages()[0];
      pool.clear_outputs(0, 1);
      ASSERT_TRUE(worker->process(Op::kOpen, {&good, 1})) << what << ": the untouched message";
      ASSERT_TRUE(pool.check_outputs(0, 1, false)) << what;
      for (size_t pos : {size_t{0}, size_t{63}, size_t{64}, size_t{79}}) {
        Message m = good;
        std::vector<uint8_t> bad(m.sealed, m.sealed + 64 + 16);
        bad[pos] ^= 1;
        m.sealed = bad.data();
        EXPECT_FALSE(worker->process(Op::kOpen, {&m, 1}))
            << what << ": flipped byte " << pos << (pos < 64 ? " (ciphertext)" : " (tag)");
      }
    }
  }
}

// The record path (volley's record layer, via "record") frames records itself, so its outputs are
// not the pool's reference. Its seal must still carry each pool message: every record it writes
// opens with OpenSSL (RFC 8446 §5.2 framing: the header as AAD, the nonce the iv XOR the record's
// number) to the message's plaintext and the application_data type. Its open must return each pool
// message's plaintext, in order.
TEST(SpeedSubjects, RecordPathSealsAndOpensThePoolsMessages) {
  constexpr size_t kBatch = 4;
  size_t records = 0, want = 0;
  for (const Aead* aead : all_aeads()) {
    const std::span<const uint8_t> key = bench_key(aead->key_len);
    const std::vector<std::string> backends = available_backends(*aead);
    ASSERT_FALSE(backends.empty()) << aead->name;
    for (const std::string& backend : backends) {
      for (size_t len : {1, 64, 1350, 4097}) {
        const std::string what =
            std::string(aead->name) + " " + backend + " " + std::to_string(len);
        MessagePool pool(*aead, key, len, 2 * kBatch, 11);
        const std::span<const Message> msgs = pool.messages();
        auto subject = make_volley_subject(*aead, backend, kBatch);
        ASSERT_EQ(subject->info().via, "record") << what;
        auto worker = subject->make_worker(msgs, kBatch);
        pool.clear_outputs(0, pool.count());
        for (size_t first = 0; first < pool.count(); first += kBatch) {
          ASSERT_TRUE(worker->process(Op::kSeal, msgs.subspan(first, kBatch))) << what;
        }
        for (size_t i = 0; i < pool.count(); ++i) {
          const Message& m = msgs[i];
          const uint8_t* rec = m.out;
          const size_t body = len + 1;  // payload || content type, no padding
          ASSERT_EQ(rec[0], 23) << what << " record " << i;  // application_data
          ASSERT_EQ(rec[1], 3) << what;
          ASSERT_EQ(rec[2], 3) << what;
          ASSERT_EQ(size_t{rec[3]} << 8 | rec[4], body + 16) << what << " record " << i;
          uint8_t nonce[12];
          std::memcpy(nonce, kVolleyBatchIv, 12);
          nonce[11] ^= static_cast<uint8_t>(i % kBatch);  // numbered from 0 in every call
          std::vector<uint8_t> plain;
          ASSERT_TRUE(open_reference(*aead, key, nonce, rec, 5, rec + 5, body, rec + 5 + body,
                                     &plain))
              << what << " record " << i << " does not open";
          EXPECT_EQ(plain.back(), 23) << what << " record " << i << ": inner content type";
          plain.pop_back();
          EXPECT_TRUE(plain == std::vector<uint8_t>(m.plain, m.plain + len))
              << what << " record " << i << " does not carry its message";
          ++records;
        }
        want += pool.count();

        AeadKey batch_key;
        ASSERT_EQ(batch_key.init(*aead, key, backend), Status::kOk) << what;
        VolleyBatch batch(batch_key, msgs, kBatch);
        for (size_t first = 0; first < pool.count(); first += kBatch) {
          ASSERT_TRUE(batch.open(msgs.subspan(first, kBatch))) << what;
          ASSERT_EQ(batch.opened().size(), kBatch) << what;
          for (size_t i = 0; i < kBatch; ++i) {
            const OpenedRecord& r = batch.opened()[i];
            EXPECT_EQ(r.type, ContentType::kApplicationData) << what;
            const Message& m = msgs[first + i];
            EXPECT_TRUE(std::equal(r.content.begin(), r.content.end(), m.plain, m.plain + len))
                << what << " open of message " << first + i;
          }
        }
      }
    }
  }
  EXPECT_EQ(records, want);
}

Result row(const std::string& aead, const std::string& impl, const std::string& backend,
           size_t size, size_t batch, double bps) {
  Result r;
  r.aead = aead;
  r.impl = impl;
  r.backend = backend;
  r.via = impl == "volley" && batch > 1 ? "record" : "direct";
  r.op = "seal";
  r.size = size;
  r.batch = batch;
  r.threads = 1;
  r.bytes_per_second = bps;
  r.cycles_per_byte = cycles_per_byte(4.0, bps, 1);
  return r;
}

Report sample_report() {
  Report rep;
  rep.cpu = CpuInfo{"Test CPU <model> & co", "aes avx2", 4.0};
  rep.libraries = {{"openssl", "OpenSSL 3"}};
  rep.seconds_per_measurement = 0.25;
  rep.repetitions = 3;
  for (const char* aead : {"aes-128-gcm", "aes-256-gcm", "chacha20-poly1305"}) {
    for (size_t size : {64, 1350, 16384}) {
      rep.results.push_back(row(aead, "volley", "fast&<wide>", size, 1, size * 1e6));
      rep.results.push_back(row(aead, "volley", "fast&<wide>", size, 32, size * 1.2e6));
      rep.results.push_back(row(aead, "openssl", "evp", size, 1, size * 0.5e6));
    }
  }
  // One series only in the ChaCha20-Poly1305 panel, and one failed row that must not be drawn.
  rep.results.push_back(row("chacha20-poly1305", "libsodium", "auto", 64, 1, 3e8));
  rep.results.push_back(row("chacha20-poly1305", "libsodium", "auto", 16384, 1, 1e9));
  Result failed = row("aes-128-gcm", "ipsec-mb", "avx512", 64, 1, 0);
  failed.ok = false;
  failed.error = "output differs from OpenSSL's";
  rep.results.push_back(failed);
  fill_ratios(&rep.results);
  return rep;
}

TEST(SpeedReport, Ratios) {
  const Report rep = sample_report();
  for (const Result& r : rep.results) {
    ASSERT_TRUE(r.ratio_to_openssl.has_value()) << r.impl;
    if (r.impl == "openssl") {
      EXPECT_DOUBLE_EQ(*r.ratio_to_openssl, 1.0);
    }
    if (r.impl == "volley" && r.batch == 1) {
      EXPECT_NEAR(*r.ratio_to_openssl, 2.0, 1e-12);
    }
    if (r.impl == "volley" && r.batch == 32) {
      EXPECT_NEAR(*r.ratio_to_openssl, 2.4, 1e-12);
    }
  }
  EXPECT_NEAR(cycles_per_byte(4.0, 2e9, 1), 2.0, 1e-12);
  EXPECT_NEAR(cycles_per_byte(4.0, 2e9, 2), 4.0, 1e-12);
}

TEST(SpeedReport, JsonFollowsTheSchema) {
  const Report rep = sample_report();
  // Through text and back, as a reader of the file would see it.
  const nlohmann::json j = nlohmann::json::parse(to_json(rep).dump(2));
  ASSERT_TRUE(j.is_object());
  ASSERT_TRUE(j.contains("cpu"));
  EXPECT_TRUE(j["cpu"]["model"].is_string());
  EXPECT_TRUE(j["cpu"]["features"].is_string());
  EXPECT_TRUE(j["cpu"]["core_ghz"].is_number());
  EXPECT_EQ(j["cpu"]["model"], rep.cpu.model);
  EXPECT_TRUE(j["libraries"].is_object());
  EXPECT_TRUE(j["settings"]["seconds_per_measurement"].is_number());
  EXPECT_TRUE(j["settings"]["repetitions"].is_number_integer());
  EXPECT_TRUE(j["settings"]["cold"].is_boolean());
  ASSERT_TRUE(j["results"].is_array());
  ASSERT_EQ(j["results"].size(), rep.results.size());
  const std::set<std::string> aeads = {"aes-128-gcm", "aes-256-gcm", "chacha20-poly1305"};
  const std::set<std::string> impls = {"volley", "openssl", "ipsec-mb", "libsodium"};
  const std::set<std::string> vias = {"direct", "loop", "record", "job"};
  for (const nlohmann::json& r : j["results"]) {
    ASSERT_TRUE(r.is_object());
    ASSERT_TRUE(r["aead"].is_string());
    EXPECT_TRUE(aeads.count(r["aead"].get<std::string>()));
    ASSERT_TRUE(r["impl"].is_string());
    EXPECT_TRUE(impls.count(r["impl"].get<std::string>()));
    EXPECT_TRUE(r["backend"].is_string());
    ASSERT_TRUE(r["via"].is_string());
    EXPECT_TRUE(vias.count(r["via"].get<std::string>()));
    ASSERT_TRUE(r["op"].is_string());
    EXPECT_TRUE(r["op"] == "seal" || r["op"] == "open");
    EXPECT_TRUE(r["size"].is_number_unsigned());
    EXPECT_TRUE(r["batch"].is_number_unsigned());
    EXPECT_TRUE(r["threads"].is_number_unsigned());
    EXPECT_TRUE(r["bytes_per_second"].is_number());
    EXPECT_TRUE(r["bytes_per_second_per_thread"].is_number());
    EXPECT_TRUE(r["cycles_per_byte"].is_number());
    EXPECT_TRUE(r["ratio_to_openssl"].is_number() || r["ratio_to_openssl"].is_null());
    EXPECT_TRUE(r["ok"].is_boolean());
    EXPECT_TRUE(r["error"].is_string());
  }
  EXPECT_EQ(j["results"][0]["size"], 64);
  EXPECT_DOUBLE_EQ(j["results"][0]["bytes_per_second"].get<double>(), 64e6);
}

TEST(SpeedReport, CsvHasTheJsonColumns) {
  const Report rep = sample_report();
  std::istringstream in(to_csv(rep));
  std::string header;
  ASSERT_TRUE(std::getline(in, header));
  std::vector<std::string> columns;
  std::stringstream hs(header);
  for (std::string c; std::getline(hs, c, ',');) columns.push_back(c);
  std::vector<std::string> keys;
  const nlohmann::json j = to_json(rep);
  for (const auto& [key, value] : j["results"][0].items()) keys.push_back(key);
  std::vector<std::string> sorted = columns;
  std::sort(sorted.begin(), sorted.end());
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(sorted, keys);
  size_t lines = 0;
  for (std::string line; std::getline(in, line);) {
    ++lines;
    // No field here contains a comma, so every line splits into the header's column count.
    EXPECT_EQ(static_cast<size_t>(std::count(line.begin(), line.end(), ',')) + 1, columns.size())
        << line;
  }
  EXPECT_EQ(lines, rep.results.size());
}

// XmlCheck is a strict little XML well-formedness checker: every tag closes in order, attribute
// values are quoted, text holds no raw '<' and only the five predefined entities (or numeric
// ones), one root element. It records each element's tag and attributes.
struct Element {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attrs;
};

bool valid_entity(const std::string& s, size_t amp, size_t* end) {
  const size_t semi = s.find(';', amp);
  if (semi == std::string::npos) return false;
  const std::string e = s.substr(amp + 1, semi - amp - 1);
  static const std::set<std::string> kNamed = {"amp", "lt", "gt", "quot", "apos"};
  bool ok = kNamed.count(e) > 0;
  if (!ok && e.size() > 1 && e[0] == '#') {
    ok = std::all_of(e.begin() + 1, e.end(), [](char c) { return c >= '0' && c <= '9'; });
  }
  *end = semi + 1;
  return ok;
}

bool check_text(const std::string& s, size_t from, size_t to) {
  for (size_t i = from; i < to;) {
    if (s[i] == '>') return false;
    if (s[i] == '&') {
      if (!valid_entity(s, i, &i) || i > to) return false;
      continue;
    }
    ++i;
  }
  return true;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == ':' || c == '.';
}

bool check_xml(const std::string& s, std::vector<Element>* elements, std::string* why) {
  std::vector<std::string> stack;
  size_t roots = 0;
  size_t i = 0;
  if (s.rfind("<?xml", 0) == 0) {
    i = s.find("?>");
    if (i == std::string::npos) return *why = "unterminated declaration", false;
    i += 2;
  }
  while (i < s.size()) {
    const size_t lt = s.find('<', i);
    const size_t text_end = lt == std::string::npos ? s.size() : lt;
    if (!check_text(s, i, text_end)) return *why = "bad text near " + std::to_string(i), false;
    if (stack.empty()) {
      for (size_t k = i; k < text_end; ++k) {
        if (s[k] != ' ' && s[k] != '\n') return *why = "text outside the root", false;
      }
    }
    if (lt == std::string::npos) break;
    if (s.compare(lt, 4, "<!--") == 0) {
      const size_t end = s.find("-->", lt);
      if (end == std::string::npos) return *why = "unterminated comment", false;
      i = end + 3;
      continue;
    }
    if (s[lt + 1] == '/') {
      size_t k = lt + 2;
      while (k < s.size() && is_name_char(s[k])) ++k;
      const std::string name = s.substr(lt + 2, k - lt - 2);
      if (k >= s.size() || s[k] != '>') return *why = "bad end tag " + name, false;
      if (stack.empty() || stack.back() != name) return *why = "mismatched </" + name + ">", false;
      stack.pop_back();
      i = k + 1;
      continue;
    }
    size_t k = lt + 1;
    while (k < s.size() && is_name_char(s[k])) ++k;
    Element el;
    el.name = s.substr(lt + 1, k - lt - 1);
    if (el.name.empty()) return *why = "empty tag name at " + std::to_string(lt), false;
    bool self_closing = false;
    while (true) {
      while (k < s.size() && (s[k] == ' ' || s[k] == '\n')) ++k;
      if (k >= s.size()) return *why = "unterminated tag " + el.name, false;
      if (s[k] == '>') {
        ++k;
        break;
      }
      if (s[k] == '/' && k + 1 < s.size() && s[k + 1] == '>') {
        self_closing = true;
        k += 2;
        break;
      }
      const size_t name_start = k;
      while (k < s.size() && is_name_char(s[k])) ++k;
      const std::string attr = s.substr(name_start, k - name_start);
      if (attr.empty() || k + 1 >= s.size() || s[k] != '=' ||
          (s[k + 1] != '"' && s[k + 1] != '\'')) {
        return *why = "bad attribute in " + el.name, false;
      }
      const char quote = s[k + 1];
      const size_t value_end = s.find(quote, k + 2);
      if (value_end == std::string::npos) return *why = "unterminated attribute", false;
      const std::string value = s.substr(k + 2, value_end - k - 2);
      if (value.find('<') != std::string::npos || !check_text(s, k + 2, value_end)) {
        return *why = "bad attribute value in " + el.name, false;
      }
      for (const auto& [n, v] : el.attrs) {
        if (n == attr) return *why = "duplicate attribute " + attr, false;
      }
      el.attrs.emplace_back(attr, value);
      k = value_end + 1;
    }
    if (stack.empty()) ++roots;
    if (!self_closing) stack.push_back(el.name);
    elements->push_back(std::move(el));
    i = k;
  }
  if (!stack.empty()) return *why = "unclosed <" + stack.back() + ">", false;
  if (roots != 1) return *why = "expected one root element", false;
  return true;
}

std::string attr(const Element& e, const std::string& name) {
  for (const auto& [n, v] : e.attrs) {
    if (n == name) return v;
  }
  return "";
}

TEST(SpeedReport, XmlCheckerRejectsBrokenDocuments) {
  std::vector<Element> els;
  std::string why;
  EXPECT_TRUE(check_xml("<a x=\"1\"><b/>t &amp; u</a>", &els, &why)) << why;
  for (const char* bad : {"<a><b></a></b>", "<a>", "<a x=1></a>", "<a>x & y</a>", "<a/><b/>",
                          "<a x=\"<\"/>", "<a></b>"}) {
    els.clear();
    EXPECT_FALSE(check_xml(bad, &els, &why)) << bad;
  }
}

TEST(SpeedReport, SvgIsWellFormedWithOnePanelPerAeadAndOneLinePerSeries) {
  const Report rep = sample_report();
  const std::string svg = to_svg(rep);
  std::vector<Element> els;
  std::string why;
  ASSERT_TRUE(check_xml(svg, &els, &why)) << why;
  ASSERT_FALSE(els.empty());
  EXPECT_EQ(els[0].name, "svg");
  EXPECT_EQ(attr(els[0], "xmlns"), "http://www.w3.org/2000/svg");

  // Panels in document order; the series polylines counted per panel.
  std::vector<size_t> lines_per_panel;
  for (const Element& e : els) {
    if (e.name == "g" && attr(e, "class") == "panel") lines_per_panel.push_back(0);
    if (e.name == "polyline" && attr(e, "class") == "series") {
      ASSERT_FALSE(lines_per_panel.empty());
      ++lines_per_panel.back();
      // Every point is "x,y" with finite coordinates.
      std::istringstream pts(attr(e, "points"));
      for (std::string p; pts >> p;) {
        const size_t comma = p.find(',');
        ASSERT_NE(comma, std::string::npos) << p;
        EXPECT_NO_THROW((void)std::stod(p.substr(0, comma))) << p;
        EXPECT_NO_THROW((void)std::stod(p.substr(comma + 1))) << p;
      }
    }
  }
  // aes-128-gcm: volley x1, volley x32, openssl (the failed ipsec-mb row is not drawn);
  // aes-256-gcm: the same three; chacha20-poly1305: those and libsodium.
  EXPECT_EQ(lines_per_panel, (std::vector<size_t>{3, 3, 4}));
  // The legend names every series, escaped.
  EXPECT_NE(svg.find("volley fast&amp;&lt;wide&gt; x32 (record)"), std::string::npos);
  EXPECT_NE(svg.find("libsodium auto"), std::string::npos);
  EXPECT_EQ(svg.find("ipsec-mb"), std::string::npos);
}

TEST(SpeedReport, SvgOfAnEmptyReportIsStillWellFormed) {
  Report rep;
  std::vector<Element> els;
  std::string why;
  EXPECT_TRUE(check_xml(to_svg(rep), &els, &why)) << why;
}

TEST(SpeedReport, TableShowsRatiosAndFailures) {
  const std::string table = format_table(sample_report());
  EXPECT_NE(table.find("aes-128-gcm seal"), std::string::npos);
  EXPECT_NE(table.find("vs OpenSSL"), std::string::npos);
  EXPECT_NE(table.find("2.40x"), std::string::npos);
  EXPECT_NE(table.find("FAILED: output differs"), std::string::npos);
}

}  // namespace
}  // namespace volley::speed
