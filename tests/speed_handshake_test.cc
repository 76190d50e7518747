// `volley speed --handshake` run briefly, end to end from its options: the table and the JSON
// have every row and field, every rate is positive, and the split adds up to the total. Nothing
// here depends on how fast the machine is: the run is short, and only structure, signs and sums
// are checked (the rest of the split is a difference of timings, so its sign is not).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/speed_parse.h"
#include "tools/speed/handshake_run.h"
#include "tools/speed/peers.h"

namespace volley::speed {
namespace {

constexpr const char* kBrief = "--handshake --duration 0.05 --repetitions 3";
constexpr const char* kSplitFields[] = {"x25519_us", "sign_us",    "verify_us",
                                        "chain_us",  "hashing_us", "rest_us"};

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// RunResult is what one run of the command left: its exit status, table and JSON text.
struct RunResult {
  int status = -1;
  std::string table;
  std::string json;
};

RunResult run(const std::string& cmdline) {
  RunResult r;
  SpeedOptions o;
  std::string error;
  const std::string json = temp_path("handshake.json");
  std::remove(json.c_str());
  if (!parse_speed_args(cmdline + " --json " + json, &o, &error)) {
    ADD_FAILURE() << cmdline << ": " << error;
    return r;
  }
  EXPECT_TRUE(o.handshake);
  const std::string table = temp_path("handshake.txt");
  std::FILE* out = std::fopen(table.c_str(), "w");
  if (out == nullptr) {
    ADD_FAILURE() << "cannot write " << table;
    return r;
  }
  r.status = run_handshake_speed(o, out);
  std::fclose(out);
  r.table = read_all(table);
  r.json = read_all(json);
  return r;
}

// table_number returns the first number after |label| on its line of |table|, or -1.
double table_number(const std::string& table, const std::string& label) {
  const size_t at = table.find("  " + label + " ");
  if (at == std::string::npos) return -1;
  const size_t end = table.find('\n', at);
  std::istringstream in(table.substr(at + 2 + label.size(), end - at - 2 - label.size()));
  double v = -1;
  in >> v;
  return v;
}

TEST(SpeedHandshake, OptionsKeepToWhatAppliesToAHandshake) {
  SpeedOptions o;
  std::string error;
  ASSERT_TRUE(parse_speed_args("--handshake", &o, &error)) << error;
  EXPECT_TRUE(o.handshake);
  EXPECT_EQ(o.pki_dir, "tests/pki");
  EXPECT_EQ(o.impls, (std::vector<Impl>{Impl::kVolley, Impl::kOpenSsl}));
  ASSERT_TRUE(parse_speed_args("--handshake --impl openssl --pki /x", &o, &error)) << error;
  EXPECT_EQ(o.impls, std::vector<Impl>{Impl::kOpenSsl});
  EXPECT_EQ(o.pki_dir, "/x");
  const char* const bad[] = {
      "--handshake --sizes 64",    "--handshake --aead aes-128-gcm", "--handshake --threads 2",
      "--handshake --csv a.csv",   "--handshake --svg a.svg",        "--handshake --cold",
      "--handshake --impl sodium", "--handshake --duration 0",       "--handshake --batch 1",
  };
  for (const char* cmdline : bad) {
    EXPECT_FALSE(parse_speed_args(cmdline, &o, &error)) << cmdline;
    EXPECT_FALSE(error.empty()) << cmdline;
  }
  if (peer_built(Impl::kIpsecMb)) {
    EXPECT_FALSE(parse_speed_args("--handshake --impl volley,ipsec-mb", &o, &error));
    EXPECT_NE(error.find("no TLS handshake"), std::string::npos) << error;
  }
}

TEST(SpeedHandshake, TableAndJsonOfABriefRun) {
  const RunResult r = run(kBrief);
  ASSERT_EQ(r.status, 0) << r.table;

  for (const char* label :
       {"volley handshake", "OpenSSL handshake", "volley / OpenSSL",
        "X25519, 2 key pairs + 2 shared secrets", "ECDSA P-256 sign", "ECDSA P-256 verify",
        "chain verification", "hashing: transcript, key schedule, Finished",
        "the rest (total minus the parts)", "total"}) {
    EXPECT_NE(r.table.find("  " + std::string(label)), std::string::npos) << label << r.table;
  }
  EXPECT_NE(r.table.find("CPU: "), std::string::npos);
  EXPECT_GT(table_number(r.table, "volley handshake"), 0) << r.table;
  EXPECT_GT(table_number(r.table, "OpenSSL handshake"), 0) << r.table;
  // The table rounds each figure to 0.1 us: the parts and the rest add up to the total within
  // half of that per figure.
  double parts = 0;
  for (const char* label :
       {"X25519, 2 key pairs + 2 shared secrets", "ECDSA P-256 sign", "ECDSA P-256 verify",
        "chain verification", "hashing: transcript, key schedule, Finished"}) {
    const double us = table_number(r.table, label);
    EXPECT_GT(us, 0) << label;
    parts += us;
  }
  parts += table_number(r.table, "the rest (total minus the parts)");
  EXPECT_NEAR(parts, table_number(r.table, "total"), 6 * 0.05 + 1e-9) << r.table;

  const nlohmann::json j = nlohmann::json::parse(r.json);
  EXPECT_TRUE(j["cpu"]["model"].is_string());
  EXPECT_TRUE(j["cpu"]["features"].is_string());
  EXPECT_TRUE(j["libraries"]["openssl"].is_string());
  EXPECT_DOUBLE_EQ(j["settings"]["seconds_per_measurement"].get<double>(), 0.05);
  EXPECT_EQ(j["settings"]["repetitions"], 3);
  EXPECT_EQ(j["settings"]["pki"], "tests/pki");
  EXPECT_TRUE(j["setup"].is_string());
  ASSERT_EQ(j["handshakes"].size(), 2u);
  EXPECT_EQ(j["handshakes"][0]["impl"], "volley");
  EXPECT_EQ(j["handshakes"][1]["impl"], "openssl");
  for (const nlohmann::json& h : j["handshakes"]) {
    EXPECT_TRUE(h["ok"].get<bool>());
    EXPECT_GT(h["handshakes_per_second"].get<double>(), 0);
    const double rate = h["handshakes_per_second"].get<double>();
    EXPECT_LE(h["handshakes_per_second_min"].get<double>(), rate);
    EXPECT_GE(h["handshakes_per_second_max"].get<double>(), rate);
    EXPECT_GT(h["us_each"].get<double>(), 0);
  }
  ASSERT_EQ(j["parts"].size(), 5u);
  for (const nlohmann::json& p : j["parts"]) {
    EXPECT_TRUE(p["ok"].get<bool>());
    EXPECT_GT(p["per_second"].get<double>(), 0) << p["part"];
  }
  EXPECT_GT(j["ratio_volley_to_openssl"].get<double>(), 0);
  const nlohmann::json& split = j["split_us"];
  ASSERT_TRUE(split.is_object());
  const double total = split["total_us"].get<double>();
  EXPECT_DOUBLE_EQ(total, j["handshakes"][0]["us_each"].get<double>());
  double sum = 0;
  for (const char* field : kSplitFields) {
    ASSERT_TRUE(split[field].is_number()) << field;
    if (std::string(field) != "rest_us") {
      EXPECT_GT(split[field].get<double>(), 0) << field;
    }
    sum += split[field].get<double>();
  }
  EXPECT_NEAR(sum, total, 1e-9 * total);
  // The hashed messages are those of a real handshake: a Finished is its header and a SHA-256.
  EXPECT_EQ(j["hashed_messages_bytes"]["finished"], 36);
  EXPECT_GT(j["hashed_messages_bytes"]["extensions_and_certificate"].get<int>(), 0);
}

TEST(SpeedHandshake, OpensslAloneHasNoRatioAndNoSplit) {
  const RunResult r = run(std::string(kBrief) + " --impl openssl");
  ASSERT_EQ(r.status, 0) << r.table;
  const nlohmann::json j = nlohmann::json::parse(r.json);
  ASSERT_EQ(j["handshakes"].size(), 1u);
  EXPECT_TRUE(j["ratio_volley_to_openssl"].is_null());
  EXPECT_TRUE(j["split_us"].is_null());
  EXPECT_EQ(r.table.find("volley"), std::string::npos) << r.table;
}

TEST(SpeedHandshake, MissingPkiIsAReadableErrorAndExitOne) {
  const std::string dir = temp_path("no-such-pki");
  const RunResult r = run(std::string(kBrief) + " --pki " + dir);
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.table.empty()) << r.table;

  HandshakeRunSpec spec;
  spec.pki_dir = dir;
  HandshakeReport report;
  std::string error;
  EXPECT_FALSE(measure_handshakes(spec, &report, &error));
  EXPECT_NE(error.find(dir + "/root.pem"), std::string::npos) << error;
  EXPECT_NE(error.find("--pki"), std::string::npos) << error;
}

}  // namespace
}  // namespace volley::speed
