// `volley aead`: seal or open one message from stdin with any backend, or list the backends.
//
//   volley aead seal --aead aes-128-gcm --key HEX --nonce HEX [--aad HEX] [--backend NAME] < in
//   volley aead open ... < sealed            (exit 1, nothing on stdout, if the tag is wrong)
//   volley aead --list-backends --aead NAME  (available on this CPU, best first)
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tools/cli_io.h"
#include "tools/commands.h"
#include "tools/exit_status.h"
#include "tools/speed/options.h"
#include "volley/aead.h"

namespace volley::tool {
namespace {

struct AeadArgs {
  std::string op;
  std::string aead;
  std::string key;
  std::string nonce;
  std::string aad;
  std::string backend;
  bool list_backends = false;
};

int usage_error(const std::string& message) { return tool::usage_error("aead", message); }
int failure(const std::string& message) { return tool::failure("aead", message); }

int list_backends(const Aead& aead) {
  for (const std::string& name : speed::available_backends(aead)) {
    std::printf("%s\n", name.c_str());
  }
  return static_cast<int>(Exit::kOk);
}

int run(const AeadArgs& args) {
  const Aead* aead = aead_by_name(args.aead);
  if (aead == nullptr) {
    return usage_error("unknown AEAD '" + args.aead +
                       "' (expected aes-128-gcm, aes-256-gcm or chacha20-poly1305)");
  }
  if (args.list_backends) {
    if (!args.op.empty()) return usage_error("--list-backends takes no seal/open");
    return list_backends(*aead);
  }
  if (args.op.empty()) return usage_error("expected seal or open (or --list-backends)");

  // The key is never echoed: a message may end up in a log.
  SecretBytes key;
  std::vector<uint8_t> nonce, aad;
  if (!parse_hex(args.key, &key.bytes)) {
    return usage_error("--key is not hex (" + std::to_string(args.key.size()) + " characters)");
  }
  if (!parse_hex(args.nonce, &nonce))
    return usage_error("--nonce is not hex: '" + args.nonce + "'");
  if (!parse_hex(args.aad, &aad)) return usage_error("--aad is not hex: '" + args.aad + "'");
  if (key.bytes.size() != aead->key_len) {
    return usage_error("--key must be " + std::to_string(aead->key_len) + " bytes for " +
                       std::string(aead->name) + ", got " + std::to_string(key.bytes.size()));
  }
  if (nonce.size() != aead->nonce_len) {
    return usage_error("--nonce must be " + std::to_string(aead->nonce_len) + " bytes, got " +
                       std::to_string(nonce.size()));
  }
  // Without --backend, AeadKey picks the best backend; a family with none built yet has no best.
  if (args.backend.empty() && speed::available_backends(*aead).empty()) {
    return failure("no " + std::string(aead->name) + " backend runs on this CPU");
  }

  AeadKey k;
  const Status init = k.init(*aead, key.bytes, args.backend);
  if (init == Status::kUnknownBackend) {
    return usage_error("unknown backend '" + args.backend + "' for " + std::string(aead->name));
  }
  if (init == Status::kBackendUnavailable) {
    return usage_error("backend '" + args.backend + "' is not available on this CPU");
  }
  if (init != Status::kOk) return usage_error(std::string(status_name(init)));

  std::vector<uint8_t> in;
  if (!read_stdin(&in)) return failure("cannot read stdin");
  std::vector<uint8_t> out;
  if (args.op == "seal") {
    out.resize(in.size() + aead->tag_len);
    const Status s = k.seal(out, nonce, aad, {Bytes(in)});
    if (s != Status::kOk) return failure("seal failed: " + std::string(status_name(s)));
  } else {
    if (in.size() < aead->tag_len) return failure("input is shorter than a tag");
    out.resize(in.size() - aead->tag_len);
    const Status s = k.open(out, nonce, aad, in);
    if (s != Status::kOk) return failure("open failed: " + std::string(status_name(s)));
  }
  if (!write_stdout(out.data(), out.size())) return failure("cannot write stdout");
  return static_cast<int>(Exit::kOk);
}

}  // namespace

Runner add_aead_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand(
      "aead", "Seal or open stdin to stdout with one AEAD and backend, or list the backends");
  auto args = std::make_shared<AeadArgs>();
  sub->add_option("op", args->op, "seal or open")->check(CLI::IsMember({"seal", "open"}));
  sub->add_option("--aead", args->aead, "aes-128-gcm, aes-256-gcm or chacha20-poly1305")
      ->required();
  sub->add_option("--key", args->key, "key, hex");
  sub->add_option("--nonce", args->nonce, "96-bit nonce, hex");
  sub->add_option("--aad", args->aad, "associated data, hex (default: empty)");
  sub->add_option("--backend", args->backend, "backend name (default: the best for this CPU)");
  sub->add_flag("--list-backends", args->list_backends,
                "print the backends of --aead available on this CPU, best first");
  return [args]() -> int {
    const int code =
        !args->list_backends && (args->key.empty() || args->nonce.empty()) && !args->op.empty()
            ? usage_error("seal and open need --key and --nonce")
            : run(*args);
    // The key as typed, hex; CLI11's own copy of the argument and argv are beyond reach.
    wipe_string(&args->key);
    return code;
  };
}

}  // namespace volley::tool
