// `volley record`: seal or open one TLS 1.3 record on stdin/stdout, for inspecting captures.
//
//   volley record seal --suite TLS_AES_128_GCM_SHA256 --secret HEX [--seq N] [--type N] [--pad N]
//       reads the content from stdin, writes the whole record (header, ciphertext, tag)
//   volley record open --suite ... --secret HEX [--seq N]
//       reads one record from stdin, writes its content (type and padding removed) to stdout and
//       the content type to stderr; exits 1 with nothing on stdout if it does not open
// The secret is the traffic secret (RFC 8446 §7.3); --seq is the record's sequence number.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tools/cli_io.h"
#include "tools/commands.h"
#include "tools/exit_status.h"
#include "volley/alert.h"
#include "volley/key_schedule.h"
#include "volley/record.h"
#include "volley/record_reader.h"

namespace volley::tool {
namespace {

struct RecordArgs {
  std::string op;
  std::string suite;
  std::string secret;
  std::string backend;
  std::string seq = "0";  // as typed: parse_decimal refuses what CLI11 would wrap ("-1")
  int type = static_cast<int>(ContentType::kApplicationData);
  std::string pad = "0";
};

int usage_error(const std::string& message) { return tool::usage_error("record", message); }
int failure(const std::string& message) { return tool::failure("record", message); }

const char* content_type_name(ContentType t) {
  switch (t) {
    case ContentType::kChangeCipherSpec: return "change_cipher_spec";
    case ContentType::kAlert: return "alert";
    case ContentType::kHandshake: return "handshake";
    case ContentType::kApplicationData: return "application_data";
    case ContentType::kInvalid: break;
  }
  return "unknown";
}

int seal(RecordProtection& rp, const RecordArgs& args, size_t pad,
         const std::vector<uint8_t>& content) {
  // Checked here, before the record buffer is sized by them, rather than left to seal().
  if (content.size() >= kMaxInnerPlaintextLen || pad > kMaxInnerPlaintextLen - 1 - content.size()) {
    return usage_error("content (" + std::to_string(content.size()) + " bytes) plus padding (" +
                       std::to_string(pad) + ") exceeds the 2^14-byte record limit");
  }
  std::vector<uint8_t> record(RecordProtection::sealed_size(content.size(), pad));
  const Bytes piece(content);
  SealEntry entry{static_cast<ContentType>(args.type), Pieces(&piece, 1), pad, record, 0};
  const RecordStatus s = rp.seal(entry);
  if (s == RecordStatus::kInvalidContentType) {
    return usage_error("an empty handshake or alert record cannot be sealed (RFC 8446 §5.1)");
  }
  if (s != RecordStatus::kOk) return failure(std::string(record_status_name(s)));
  if (!write_stdout(record.data(), entry.written)) return failure("cannot write stdout");
  return static_cast<int>(Exit::kOk);
}

int open(RecordReader& reader, std::vector<uint8_t>& stream) {
  OpenedRecord rec[1];
  const ReadResult r = reader.read(rec, stream);
  if (r.status == RecordStatus::kAlert) {
    return failure("record does not open: " + std::string(alert_name(r.alert)));
  }
  if (r.status == RecordStatus::kNeedMoreData || r.records == 0) {
    return failure("input ends inside a record (" + std::to_string(stream.size()) + " bytes)");
  }
  if (r.status != RecordStatus::kOk) return failure(std::string(record_status_name(r.status)));
  if (r.consumed != stream.size()) {
    return usage_error("expected exactly one record; " +
                       std::to_string(stream.size() - r.consumed) + " bytes follow it");
  }
  std::fprintf(stderr, "content type: %d (%s)\n", static_cast<int>(rec[0].type),
               content_type_name(rec[0].type));
  if (!write_stdout(rec[0].content.data(), rec[0].content.size())) {
    return failure("cannot write stdout");
  }
  return static_cast<int>(Exit::kOk);
}

int run(const RecordArgs& args) {
  const CipherSuite* suite = cipher_suite_by_name(args.suite);
  if (suite == nullptr) {
    return usage_error("unknown suite '" + args.suite +
                       "' (expected TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384 or "
                       "TLS_CHACHA20_POLY1305_SHA256)");
  }
  SecretBytes secret;
  if (!parse_hex(args.secret, &secret.bytes)) return usage_error("--secret is not hex");
  if (secret.bytes.size() != suite->hash_len) {
    return usage_error("--secret must be " + std::to_string(suite->hash_len) + " bytes for " +
                       args.suite);
  }
  uint64_t seq = 0, pad = 0;
  if (!parse_decimal(args.seq, 0, UINT64_MAX, &seq)) {
    return usage_error("--seq: expected an integer in [0, 2^64 - 1], got '" + args.seq + "'");
  }
  if (!parse_decimal(args.pad, 0, kMaxInnerPlaintextLen - 1, &pad)) {
    return usage_error("--pad: expected an integer in [0, " +
                       std::to_string(kMaxInnerPlaintextLen - 1) + "], got '" + args.pad + "'");
  }
  // RFC 8446 §5.2: only alert, handshake and application_data are ever protected.
  if (args.type < 21 || args.type > 23) {
    return usage_error("--type must be 21 (alert), 22 (handshake) or 23 (application_data)");
  }
  // The key schedule turns the traffic secret into the record key and iv (RFC 8446 §7.3).
  Secret traffic_secret;
  TrafficKeys keys;
  if (traffic_secret.assign(secret.bytes) != Status::kOk ||
      traffic_keys(*suite, &keys, traffic_secret) != Status::kOk) {
    return usage_error("--secret cannot be used with " + args.suite);
  }
  RecordProtection rp;
  RecordReader reader;
  Status s = args.op == "seal" ? rp.init(*suite, keys, args.backend)
                               : reader.install_keys(*suite, keys, args.backend);
  if (s != Status::kOk) {
    return usage_error("--backend " + args.backend + ": " + std::string(status_name(s)));
  }
  s = args.op == "seal" ? rp.advance_sequence(seq) : reader.advance_sequence(seq);
  if (s != Status::kOk) return usage_error("--seq: " + std::string(status_name(s)));
  std::vector<uint8_t> input;
  if (!read_stdin(&input)) return failure("cannot read stdin");
  return args.op == "seal" ? seal(rp, args, static_cast<size_t>(pad), input) : open(reader, input);
}

}  // namespace

Runner add_record_command(CLI::App& app) {
  auto args = std::make_shared<RecordArgs>();
  CLI::App* sub = app.add_subcommand("record", "seal or open one TLS 1.3 record on stdin/stdout");
  sub->add_option("op", args->op, "seal or open")->required()->check(CLI::IsMember({"seal", "open"}));
  sub->add_option("--suite", args->suite, "TLS 1.3 cipher suite name")->required();
  sub->add_option("--secret", args->secret, "traffic secret, hex")->required();
  sub->add_option("--seq", args->seq, "sequence number of the record (default 0)");
  sub->add_option("--type", args->type, "content type to seal (default 23, application_data)");
  sub->add_option("--pad", args->pad, "zero padding bytes to seal (default 0)");
  sub->add_option("--backend", args->backend, "AEAD backend (default: the best for this CPU)");
  return [args] {
    const int code = run(*args);
    wipe_string(&args->secret);  // as typed; CLI11's copy and argv are beyond reach
    return code;
  };
}

}  // namespace volley::tool
