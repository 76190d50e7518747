#include "tools/speed/options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "tools/cli_io.h"
#include "tools/speed/peers.h"
#include "volley/dispatch.h"

namespace volley::speed {
namespace {

// split_list splits a comma-separated list; empty entries make the list malformed.
bool split_list(std::string_view text, std::vector<std::string>* out) {
  out->clear();
  if (text.empty()) return false;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string_view item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (item.empty()) return false;
    out->emplace_back(item);
    if (comma == std::string_view::npos) return true;
    start = comma + 1;
  }
}

bool parse_count_list(const std::string& what, const std::string& text, uint64_t lo, uint64_t hi,
                      std::vector<size_t>* out, std::string* error) {
  std::vector<std::string> items;
  if (!split_list(text, &items)) {
    *error = what + ": expected a comma-separated list of integers, got '" + text + "'";
    return false;
  }
  out->clear();
  for (const std::string& item : items) {
    uint64_t v;
    if (!tool::parse_decimal(item, lo, hi, &v)) {
      *error = what + ": '" + item + "' is not an integer in [" + std::to_string(lo) + ", " +
               std::to_string(hi) + "]";
      return false;
    }
    bool seen = false;
    for (size_t prev : *out) seen = seen || prev == v;
    if (!seen) out->push_back(static_cast<size_t>(v));
  }
  return true;
}

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const std::string& item : items) s += (s.empty() ? "" : ", ") + item;
  return s;
}

bool resolve_aeads(const SpeedArgs& args, std::vector<const Aead*>* out, std::string* error) {
  out->clear();
  if (args.aead == "all") {
    for (const Aead* a : all_aeads()) out->push_back(a);
    return true;
  }
  std::vector<std::string> names;
  if (!split_list(args.aead, &names)) {
    *error = "--aead: expected a comma-separated list, got '" + args.aead + "'";
    return false;
  }
  for (const std::string& name : names) {
    const Aead* a = aead_by_name(name);
    if (a == nullptr) {
      *error = "--aead: unknown AEAD '" + name +
               "' (expected aes-128-gcm, aes-256-gcm, chacha20-poly1305 or all)";
      return false;
    }
    bool seen = false;
    for (const Aead* prev : *out) seen = seen || prev == a;
    if (!seen) out->push_back(a);
  }
  return true;
}

// resolve_backends fills each plan's backend list. A named backend must exist in at least one
// chosen AEAD's family and be available wherever it exists; AEADs whose family lacks it skip it.
bool resolve_backends(const SpeedArgs& args, std::vector<AeadPlan>* plans, std::string* error) {
  if (args.backend == "best") {
    for (AeadPlan& p : *plans) {
      std::vector<std::string> all = available_backends(*p.aead);
      if (!all.empty()) p.backends.push_back(all.front());
    }
    return true;
  }
  if (args.backend == "all") {
    for (AeadPlan& p : *plans) p.backends = available_backends(*p.aead);
    return true;
  }
  std::vector<std::string> names;
  if (!split_list(args.backend, &names)) {
    *error = "--backend: expected best, all or a comma-separated list, got '" + args.backend + "'";
    return false;
  }
  for (const std::string& name : names) {
    bool known = false;
    for (AeadPlan& p : *plans) {
      const dispatch::Backend* b = dispatch::find(p.aead->family, name);
      if (b == nullptr) continue;
      known = true;
      if (!dispatch::available(*b)) {
        *error = "--backend: backend '" + name + "' of " +
                 std::string(dispatch::family_name(p.aead->family)) +
                 " is not available on this CPU (available: " + join(available_backends(*p.aead)) +
                 ")";
        return false;
      }
      bool seen = false;
      for (const std::string& prev : p.backends) seen = seen || prev == name;
      if (!seen) p.backends.push_back(name);
    }
    if (!known) {
      *error = "--backend: no chosen AEAD has a backend called '" + name + "'";
      return false;
    }
  }
  return true;
}

bool resolve_impls(const SpeedArgs& args, std::vector<Impl>* out, std::string* error) {
  constexpr Impl kAll[] = {Impl::kVolley, Impl::kOpenSsl, Impl::kIpsecMb, Impl::kLibsodium};
  out->clear();
  if (args.impl == "all") {
    for (Impl i : kAll) {
      if (peer_built(i)) out->push_back(i);
    }
    return true;
  }
  std::vector<std::string> names;
  if (!split_list(args.impl, &names)) {
    *error = "--impl: expected all or a comma-separated list, got '" + args.impl + "'";
    return false;
  }
  // Keep the canonical order so that tables always list volley first.
  for (Impl i : kAll) {
    bool chosen = false;
    for (const std::string& name : names) chosen = chosen || name == impl_name(i);
    if (!chosen) continue;
    if (!peer_built(i)) {
      *error = "--impl: " + std::string(impl_name(i)) + " is not built into this binary";
      return false;
    }
    out->push_back(i);
  }
  for (const std::string& name : names) {
    bool known = false;
    for (Impl i : kAll) known = known || name == impl_name(i);
    if (!known) {
      *error = "--impl: unknown implementation '" + name +
               "' (expected volley, openssl, ipsec-mb, libsodium or all)";
      return false;
    }
  }
  return true;
}

// resolve_timing checks --duration and --repetitions.
bool resolve_timing(const SpeedArgs& args, SpeedOptions* o, std::string* error) {
  uint64_t n;
  if (!tool::parse_decimal(args.repetitions, 1, kMaxRepetitions, &n)) {
    *error = "--repetitions: expected an integer in [1, " + std::to_string(kMaxRepetitions) +
             "], got '" + args.repetitions + "'";
    return false;
  }
  o->repetitions = static_cast<unsigned>(n);

  char* end = nullptr;
  errno = 0;
  const double d = std::strtod(args.duration.c_str(), &end);
  const char first = args.duration.empty() ? '\0' : args.duration[0];
  if (!((first >= '0' && first <= '9') || first == '.') ||
      end != args.duration.c_str() + args.duration.size() || errno != 0 || !std::isfinite(d) ||
      d <= 0 || d > kMaxDurationSeconds) {
    *error = "--duration: expected seconds in (0, 600], got '" + args.duration + "'";
    return false;
  }
  o->duration_seconds = d;
  return true;
}

// resolve_handshake checks the options of --handshake: the AEAD ones must keep their defaults
// (they mean nothing for a handshake), and the implementations are volley and/or OpenSSL.
bool resolve_handshake(const SpeedArgs& args, SpeedOptions* o, std::string* error) {
  const SpeedArgs defaults;
  const std::pair<const char*, bool> unchanged[] = {
      {"--aead", args.aead == defaults.aead},
      {"--backend", args.backend == defaults.backend},
      {"--op", args.op == defaults.op},
      {"--sizes", args.sizes == defaults.sizes},
      {"--batch", args.batch == defaults.batch},
      {"--threads", args.threads == defaults.threads},
      {"--cold", args.cold == defaults.cold},
      {"--csv", args.csv.empty()},
      {"--svg", args.svg.empty()},
  };
  for (const auto& [name, ok] : unchanged) {
    if (!ok) {
      *error = std::string(name) + " does not apply to --handshake (one core; table and --json)";
      return false;
    }
  }
  if (!resolve_impls(args, &o->impls, error)) return false;
  if (args.impl == "all") {
    std::erase_if(o->impls, [](Impl i) { return i != Impl::kVolley && i != Impl::kOpenSsl; });
  }
  for (Impl i : o->impls) {
    if (i != Impl::kVolley && i != Impl::kOpenSsl) {
      *error = "--impl: " + std::string(impl_name(i)) +
               " has no TLS handshake; --handshake measures volley and openssl";
      return false;
    }
  }
  if (!resolve_timing(args, o, error)) return false;
  o->handshake = true;
  o->pki_dir = args.pki;
  o->json_path = args.json;
  return true;
}

}  // namespace

std::string_view op_name(Op op) { return op == Op::kSeal ? "seal" : "open"; }

std::string_view impl_name(Impl impl) {
  switch (impl) {
    case Impl::kVolley:
      return "volley";
    case Impl::kOpenSsl:
      return "openssl";
    case Impl::kIpsecMb:
      return "ipsec-mb";
    case Impl::kLibsodium:
      return "libsodium";
  }
  return "?";
}

std::vector<std::string> available_backends(const Aead& aead) {
  std::vector<std::string> names;
  for (const dispatch::Backend& b : dispatch::backends(aead.family)) {
    if (dispatch::available(b)) names.emplace_back(b.name);
  }
  return names;
}

void register_speed_options(CLI::App& app, SpeedArgs* args) {
  app.add_option("--aead", args->aead,
                 "AEADs: a comma-separated list of aes-128-gcm, aes-256-gcm, chacha20-poly1305, "
                 "or all")
      ->capture_default_str();
  app.add_option("--backend", args->backend,
                 "volley backends: best, all (every backend this CPU runs), or a list of names")
      ->capture_default_str();
  app.add_option("--impl", args->impl,
                 "implementations: all, or a list of volley, openssl, ipsec-mb, libsodium")
      ->capture_default_str();
  app.add_option("--op", args->op, "seal, open or both")->capture_default_str();
  app.add_option("--sizes", args->sizes, "message sizes in bytes, comma-separated")
      ->capture_default_str();
  app.add_option("--batch", args->batch,
                 "messages per call into volley, comma-separated (peers always run 1)")
      ->capture_default_str();
  app.add_option("--threads", args->threads,
                 "worker threads, each pinned to its own core; totals and per-core figures")
      ->capture_default_str();
  app.add_option("--duration", args->duration,
                 "seconds per measurement, warm-up and repetitions included")
      ->capture_default_str();
  app.add_option("--repetitions", args->repetitions, "timed repetitions; the median is reported")
      ->capture_default_str();
  app.add_flag("--cold", args->cold,
               "rotate through 8 MiB of messages per thread (beyond L2, within L3) instead of "
               "re-using one warm batch");
  app.add_option("--json", args->json, "write the results as JSON to this file");
  app.add_option("--csv", args->csv, "write the results as CSV to this file");
  app.add_option("--svg", args->svg, "write a throughput chart (SVG) to this file");
  app.add_flag("--handshake", args->handshake,
               "measure full TLS 1.3 handshakes per second (volley, OpenSSL) and the split of "
               "volley's handshake time, instead of AEADs");
  app.add_option("--pki", args->pki,
                 "with --handshake: the directory of the test PKI (root.pem, "
                 "server-ecdsa-p256.chain.pem, server-ecdsa-p256.key.pem)")
      ->capture_default_str();
}

bool resolve_options(const SpeedArgs& args, SpeedOptions* out, std::string* error) {
  SpeedOptions o;
  if (args.handshake) {
    if (!resolve_handshake(args, &o, error)) return false;
    *out = std::move(o);
    return true;
  }
  std::vector<const Aead*> aeads;
  if (!resolve_aeads(args, &aeads, error)) return false;
  for (const Aead* a : aeads) o.aeads.push_back(AeadPlan{a, {}});
  if (!resolve_backends(args, &o.aeads, error)) return false;
  if (!resolve_impls(args, &o.impls, error)) return false;

  if (args.op == "seal") {
    o.ops = {Op::kSeal};
  } else if (args.op == "open") {
    o.ops = {Op::kOpen};
  } else if (args.op == "both") {
    o.ops = {Op::kSeal, Op::kOpen};
  } else {
    *error = "--op: expected seal, open or both, got '" + args.op + "'";
    return false;
  }

  if (!parse_count_list("--sizes", args.sizes, 1, kMaxSize, &o.sizes, error)) return false;
  if (!parse_count_list("--batch", args.batch, 1, kMaxBatch, &o.batches, error)) return false;

  uint64_t n;
  if (!tool::parse_decimal(args.threads, 1, kMaxThreads, &n)) {
    *error = "--threads: expected an integer in [1, " + std::to_string(kMaxThreads) + "], got '" +
             args.threads + "'";
    return false;
  }
  o.threads = static_cast<unsigned>(n);
  if (!resolve_timing(args, &o, error)) return false;
  o.cold = args.cold;
  o.json_path = args.json;
  o.csv_path = args.csv;
  o.svg_path = args.svg;
  *out = std::move(o);
  return true;
}

}  // namespace volley::speed
