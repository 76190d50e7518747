// The SVG chart of a report, written by hand: a standalone SVG 1.1 document, no scripts, no
// external resources, so any browser renders it.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "tools/speed/report.h"

namespace volley::speed {
namespace {

// Geometry of one panel; panels sit side by side, three to a row.
constexpr double kPanelW = 660;
constexpr double kPanelH = 380;
constexpr double kPlotX = 70;  // left edge of the plot inside the panel
constexpr double kPlotY = 40;
constexpr double kPlotW = 360;
constexpr double kPlotH = 280;
constexpr double kLegendX = kPlotX + kPlotW + 20;
constexpr double kHeader = 40;
constexpr int kPerRow = 3;

constexpr const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string size_label(size_t size) {
  if (size >= 1024 && size % 1024 == 0) return std::to_string(size / 1024) + "K";
  return std::to_string(size);
}

// nice_step returns a tick step of 1, 2, 2.5 or 5 times a power of ten giving about five ticks.
double nice_step(double max) {
  if (max <= 0) return 1;
  const double raw = max / 5;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * p >= raw) return m * p;
  }
  return 10 * p;
}

struct Series {
  std::string label;
  std::vector<std::pair<size_t, double>> points;  // size, GB/s
};

}  // namespace

std::string series_label(const Result& r, bool with_op, bool with_threads) {
  std::string label = r.impl + " " + r.backend;
  if (r.batch > 1) label += " x" + std::to_string(r.batch);
  if (r.via == "loop" || r.via == "record" || r.via == "job") label += " (" + r.via + ")";
  if (with_op) label += " " + r.op;
  if (with_threads) label += " " + std::to_string(r.threads) + "T";
  return label;
}

std::string to_svg(const Report& report) {
  std::vector<std::string> aeads;
  std::vector<size_t> sizes;
  bool several_ops = false;
  bool several_threads = false;
  for (const Result& r : report.results) {
    if (std::find(aeads.begin(), aeads.end(), r.aead) == aeads.end()) aeads.push_back(r.aead);
    if (std::find(sizes.begin(), sizes.end(), r.size) == sizes.end()) sizes.push_back(r.size);
    several_ops = several_ops || r.op != report.results.front().op;
    several_threads = several_threads || r.threads != report.results.front().threads;
  }
  std::sort(sizes.begin(), sizes.end());
  double lo = sizes.empty() ? 1 : std::log2(static_cast<double>(sizes.front()));
  double hi = sizes.empty() ? 2 : std::log2(static_cast<double>(sizes.back()));
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }

  const int panels = static_cast<int>(aeads.size());
  const int cols = panels < kPerRow ? (panels == 0 ? 1 : panels) : kPerRow;
  const int rows = panels == 0 ? 1 : (panels + kPerRow - 1) / kPerRow;
  const double width = cols * kPanelW;
  const double height = kHeader + rows * kPanelH;

  std::ostringstream s;
  s << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" << num(width)
    << "\" height=\"" << num(height) << "\" viewBox=\"0 0 " << num(width) << " " << num(height)
    << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
    << "<rect x=\"0\" y=\"0\" width=\"" << num(width) << "\" height=\"" << num(height)
    << "\" fill=\"white\"/>\n"
    << "<text x=\"10\" y=\"24\" font-size=\"15\">" << escape("volley speed: " + report.cpu.model)
    << ", " << num(report.cpu.core_ghz) << " GHz core clock</text>\n";

  for (int p = 0; p < panels; ++p) {
    const std::string& aead = aeads[p];
    std::vector<Series> series;
    double ymax = 0;
    for (const Result& r : report.results) {
      if (r.aead != aead || !r.ok) continue;
      const std::string label = series_label(r, several_ops, several_threads);
      auto it = std::find_if(series.begin(), series.end(),
                             [&](const Series& x) { return x.label == label; });
      if (it == series.end()) {
        series.push_back(Series{label, {}});
        it = series.end() - 1;
      }
      const double gbps = r.bytes_per_second / 1e9;
      it->points.emplace_back(r.size, gbps);
      ymax = std::max(ymax, gbps);
    }
    const double step = nice_step(ymax);
    const double top = ymax > 0 ? std::ceil(ymax / step) * step : 1;
    const double ox = (p % kPerRow) * kPanelW;
    const double oy = kHeader + (p / kPerRow) * kPanelH;
    auto px = [&](size_t size) {
      return kPlotX + (std::log2(static_cast<double>(size)) - lo) / (hi - lo) * kPlotW;
    };
    auto py = [&](double gbps) { return kPlotY + kPlotH - gbps / top * kPlotH; };

    s << "<g class=\"panel\" transform=\"translate(" << num(ox) << "," << num(oy) << ")\">\n"
      << "<text x=\"" << num(kPlotX) << "\" y=\"24\" font-size=\"14\" font-weight=\"bold\">"
      << escape(aead) << "</text>\n";
    // Grid and y ticks.
    for (double v = 0; v <= top + step / 2; v += step) {
      s << "<line x1=\"" << num(kPlotX) << "\" y1=\"" << num(py(v)) << "\" x2=\""
        << num(kPlotX + kPlotW) << "\" y2=\"" << num(py(v))
        << "\" stroke=\"#dddddd\" stroke-width=\"1\"/>\n"
        << "<text x=\"" << num(kPlotX - 6) << "\" y=\"" << num(py(v) + 4)
        << "\" text-anchor=\"end\">" << num(v) << "</text>\n";
    }
    for (size_t size : sizes) {
      s << "<line x1=\"" << num(px(size)) << "\" y1=\"" << num(kPlotY + kPlotH) << "\" x2=\""
        << num(px(size)) << "\" y2=\"" << num(kPlotY + kPlotH + 5)
        << "\" stroke=\"black\" stroke-width=\"1\"/>\n"
        << "<text x=\"" << num(px(size)) << "\" y=\"" << num(kPlotY + kPlotH + 18)
        << "\" text-anchor=\"middle\">" << escape(size_label(size)) << "</text>\n";
    }
    // Axes and their titles.
    s << "<polyline class=\"axes\" points=\"" << num(kPlotX) << "," << num(kPlotY) << " "
      << num(kPlotX) << "," << num(kPlotY + kPlotH) << " " << num(kPlotX + kPlotW) << ","
      << num(kPlotY + kPlotH) << "\" fill=\"none\" stroke=\"black\" stroke-width=\"1\"/>\n"
      << "<text x=\"" << num(kPlotX + kPlotW / 2) << "\" y=\"" << num(kPlotY + kPlotH + 36)
      << "\" text-anchor=\"middle\">message size (bytes, log scale)</text>\n"
      << "<text x=\"16\" y=\"" << num(kPlotY + kPlotH / 2) << "\" text-anchor=\"middle\" "
      << "transform=\"rotate(-90 16 " << num(kPlotY + kPlotH / 2) << ")\">GB/s</text>\n";

    for (size_t i = 0; i < series.size(); ++i) {
      Series& ser = series[i];
      std::sort(ser.points.begin(), ser.points.end());
      const char* color = kColors[i % (sizeof(kColors) / sizeof(kColors[0]))];
      // Series past the palette's length are dashed so that they stay distinguishable.
      const char* dash =
          i >= sizeof(kColors) / sizeof(kColors[0]) ? " stroke-dasharray=\"6 3\"" : "";
      s << "<g class=\"series\">\n<title>" << escape(ser.label) << "</title>\n"
        << "<polyline class=\"series\" fill=\"none\" stroke=\"" << color << "\" stroke-width=\"2\""
        << dash << " points=\"";
      for (size_t k = 0; k < ser.points.size(); ++k) {
        s << (k == 0 ? "" : " ") << num(px(ser.points[k].first)) << ","
          << num(py(ser.points[k].second));
      }
      s << "\"/>\n";
      for (const auto& [size, gbps] : ser.points) {
        s << "<circle cx=\"" << num(px(size)) << "\" cy=\"" << num(py(gbps)) << "\" r=\"3\" fill=\""
          << color << "\"/>\n";
      }
      s << "</g>\n";
      const double ly = kPlotY + 8 + static_cast<double>(i) * 18;
      s << "<line x1=\"" << num(kLegendX) << "\" y1=\"" << num(ly) << "\" x2=\""
        << num(kLegendX + 20) << "\" y2=\"" << num(ly) << "\" stroke=\"" << color
        << "\" stroke-width=\"2\"" << dash << "/>\n"
        << "<text class=\"legend\" x=\"" << num(kLegendX + 26) << "\" y=\"" << num(ly + 4) << "\">"
        << escape(ser.label) << "</text>\n";
    }
    s << "</g>\n";
  }
  s << "</svg>\n";
  return s.str();
}

}  // namespace volley::speed
