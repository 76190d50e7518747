#include "tools/speed/report.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "volley/cpu.h"

namespace volley::speed {
namespace {

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, v);
  return buf;
}

std::string pad(const std::string& s, size_t width, bool right) {
  if (s.size() >= width) return s;
  const std::string fill(width - s.size(), ' ');
  return right ? fill + s : s + fill;
}

// csv_field quotes a field if it holds a separator, a quote or a line break (RFC 4180).
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

CpuInfo read_cpu_info() {
  CpuInfo info;
  info.model = "unknown";
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    if (trim(line.substr(0, colon)) == "model name") {
      info.model = trim(line.substr(colon + 1));
      break;
    }
  }
  info.features = cpu::to_string(cpu::features());
  return info;
}

double cycles_per_byte(double core_ghz, double bytes_per_second, unsigned threads) {
  if (bytes_per_second <= 0 || threads == 0) return 0;
  return core_ghz * 1e9 / (bytes_per_second / threads);
}

void fill_ratios(std::vector<Result>* results) {
  for (Result& r : *results) {
    r.ratio_to_openssl.reset();
    for (const Result& o : *results) {
      if (o.impl == "openssl" && o.ok && o.batch == 1 && o.aead == r.aead && o.op == r.op &&
          o.size == r.size && o.threads == r.threads && o.bytes_per_second > 0) {
        r.ratio_to_openssl = r.bytes_per_second / o.bytes_per_second;
        break;
      }
    }
  }
}

std::string format_cpu_lines(const CpuInfo& cpu) {
  return "CPU: " + cpu.model + ", core clock " + format("%.2f", cpu.core_ghz) +
         " GHz (calibrated)\nfeatures: " + cpu.features + "\n";
}

nlohmann::json json_head(const CpuInfo& cpu,
                         const std::vector<std::pair<std::string, std::string>>& libraries,
                         double seconds_per_measurement, unsigned repetitions) {
  nlohmann::json libs = nlohmann::json::object();
  for (const auto& [name, version] : libraries) libs[name] = version;
  nlohmann::json j;
  j["cpu"] = {{"model", cpu.model}, {"features", cpu.features}, {"core_ghz", cpu.core_ghz}};
  j["libraries"] = std::move(libs);
  j["settings"] = {{"seconds_per_measurement", seconds_per_measurement},
                   {"repetitions", repetitions}};
  return j;
}

std::string format_number(const char* fmt, double v) { return format(fmt, v); }

std::string format_table(const Report& report) {
  std::ostringstream out;
  const unsigned threads = report.results.empty() ? 1 : report.results.front().threads;
  out << format_cpu_lines(report.cpu);
  out << threads << (threads == 1 ? " thread" : " threads, one per core") << "; "
      << format("%.2f", report.seconds_per_measurement) << " s per measurement, median of "
      << report.repetitions << (report.cold ? "; cold: 8 MiB of messages per thread" : "") << "\n";
  std::string group;
  for (const Result& r : report.results) {
    const std::string g = r.aead + " " + r.op;
    if (g != group) {
      group = g;
      out << "\n"
          << g << "\n  " << pad("impl", 10, false) << pad("backend", 14, false)
          << pad("via", 7, false) << pad("size", 7, true) << pad("batch", 7, true)
          << pad("GB/s", 9, true);
      if (threads > 1) out << pad("GB/s/core", 11, true);
      out << pad("cycles/B", 10, true) << pad("vs OpenSSL", 12, true) << "\n";
    }
    out << "  " << pad(r.impl, 10, false) << pad(r.backend, 14, false) << pad(r.via, 7, false)
        << pad(std::to_string(r.size), 7, true) << pad(std::to_string(r.batch), 7, true);
    if (!r.ok) {
      out << "  FAILED: " << r.error << "\n";
      continue;
    }
    out << pad(format("%.3f", r.bytes_per_second / 1e9), 9, true);
    if (threads > 1) out << pad(format("%.3f", r.bytes_per_second / 1e9 / r.threads), 11, true);
    out << pad(format("%.2f", r.cycles_per_byte), 10, true)
        << pad(r.ratio_to_openssl ? format("%.2fx", *r.ratio_to_openssl) : "-", 12, true) << "\n";
  }
  return out.str();
}

nlohmann::json to_json(const Report& report) {
  nlohmann::json j =
      json_head(report.cpu, report.libraries, report.seconds_per_measurement, report.repetitions);
  j["settings"]["cold"] = report.cold;
  nlohmann::json results = nlohmann::json::array();
  for (const Result& r : report.results) {
    nlohmann::json e = {
        {"aead", r.aead},
        {"impl", r.impl},
        {"backend", r.backend},
        {"via", r.via},
        {"op", r.op},
        {"size", r.size},
        {"batch", r.batch},
        {"threads", r.threads},
        {"bytes_per_second", r.bytes_per_second},
        {"bytes_per_second_per_thread", r.bytes_per_second / r.threads},
        {"cycles_per_byte", r.cycles_per_byte},
        {"ratio_to_openssl", nullptr},
        {"ok", r.ok},
        {"error", r.error},
    };
    if (r.ratio_to_openssl) e["ratio_to_openssl"] = *r.ratio_to_openssl;
    results.push_back(std::move(e));
  }
  j["results"] = std::move(results);
  return j;
}

std::string to_csv(const Report& report) {
  std::ostringstream out;
  out << "aead,impl,backend,via,op,size,batch,threads,bytes_per_second,"
         "bytes_per_second_per_thread,cycles_per_byte,ratio_to_openssl,ok,error\n";
  for (const Result& r : report.results) {
    out << csv_field(r.aead) << ',' << csv_field(r.impl) << ',' << csv_field(r.backend) << ','
        << csv_field(r.via) << ',' << csv_field(r.op) << ',' << r.size << ',' << r.batch << ','
        << r.threads << ',' << format("%.0f", r.bytes_per_second) << ','
        << format("%.0f", r.bytes_per_second / r.threads) << ','
        << format("%.4f", r.cycles_per_byte) << ','
        << (r.ratio_to_openssl ? format("%.4f", *r.ratio_to_openssl) : "") << ','
        << (r.ok ? "true" : "false") << ',' << csv_field(r.error) << '\n';
  }
  return out.str();
}

bool write_file(const std::string& path, const std::string& text, std::string* error) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out << text;
  out.close();
  if (!out) {
    *error = "cannot write " + path;
    return false;
  }
  return true;
}

}  // namespace volley::speed
