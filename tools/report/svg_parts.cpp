#include "tools/report/internal/svg_parts.h"

#include <fmt/core.h>

#include <cmath>

#include "tools/report/svg_plot.h"

namespace fpsim::io::svg {

namespace {
const char* const palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                               "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
}  // namespace

const char* colour(size_t k) { return palette[k % (sizeof(palette) / sizeof(palette[0]))]; }

std::string tick_text(double v) {
  if (v == 0) return "0";
  const double a = std::abs(v);
  if (a >= 1e5 || a < 1e-3) return fmt::format("{:.3g}", v);
  return fmt::format("{:g}", std::round(v * 1e6) / 1e6);
}

double text_width(const std::string& text, double font_px) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;  // count UTF-8 code points, not bytes
  return 0.62 * font_px * static_cast<double>(chars);
}

std::string open(double width, double height, double title_x, const std::string& title) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} {1:.0f}\" "
      "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
      "<rect x=\"0\" y=\"0\" width=\"{0:.0f}\" height=\"{1:.0f}\" fill=\"white\"/>\n"
      "<text x=\"{2:.1f}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{3}</text>\n",
      std::ceil(width), std::ceil(height), title_x, xml_escape(title));
}

}  // namespace fpsim::io::svg
