// SVG charts: well-formed XML whatever the labels and data, ticks cover the data.
#include "tools/report/svg_plot.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <sstream>

#include "xml_check.h"

using namespace fpsim::io;
using fpsim::test::xml_problem;

TEST_CASE("the XML checker rejects malformed documents", "[report]") {
  CHECK(xml_problem("<svg><g a=\"1\"/></svg>") == "");
  CHECK(xml_problem("<svg><g></svg>") != "");
  CHECK(xml_problem("<svg a=1></svg>") != "");
  CHECK(xml_problem("<svg>a < b</svg>") != "");
  CHECK(xml_problem("<svg>a &nbsp; b</svg>") != "");
  CHECK(xml_problem("<svg></svg><svg></svg>") != "");
  CHECK(xml_problem("<svg>") != "");
}

TEST_CASE("plots are well-formed SVG whatever the labels and data", "[report]") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  PlotSpec spec;
  spec.title = "loss <&> \"quoted\" 'single'";
  spec.x_label = "step";
  spec.y_label = "loss (nats)";
  const std::vector<PlotSeries> series = {
      {"a<b & c", {0, 1, 2, 3}, {2.0, nan, 1.0, inf}, {}, false, ""},
      {"e5m2/sr", {0, 10}, {1.5, 0.5}, {}, true, ""},
  };
  for (bool log2 : {false, true}) {
    spec.log2_y = log2;
    const std::string svg = svg_plot(spec, series);
    CHECK(xml_problem(svg) == "");
    CHECK(svg.find("loss &lt;&amp;&gt; &quot;quoted&quot; &apos;single&apos;") != std::string::npos);
    CHECK(svg.find("a&lt;b &amp; c") != std::string::npos);
    CHECK(svg.find("nan") == std::string::npos);
    CHECK(svg.find("inf") == std::string::npos);
  }
  // The NaN breaks series 0 into two polylines (its inf point is dropped).
  spec.log2_y = false;
  const std::string svg = svg_plot(spec, series);
  size_t polylines = 0;
  for (size_t at = 0; (at = svg.find("<polyline", at)) != std::string::npos; ++at) ++polylines;
  CHECK(polylines == 3);
  // Empty data still makes a valid chart that says so.
  const std::string empty = svg_plot(spec, {});
  CHECK(xml_problem(empty) == "");
  CHECK(empty.find("no data") != std::string::npos);
  // Categorical with error bars.
  PlotSpec cat = spec;
  cat.categories = {"e5m2", "e4m3", "binary16 <half>"};
  const std::string points = svg_plot(cat, {{"rne", {0, 1, 2}, {87.1, 86.5, 87.6}, {0.1, 0.2, 0.1}, false, ""}});
  CHECK(xml_problem(points) == "");
  CHECK(points.find("binary16 &lt;half&gt;") != std::string::npos);
}

TEST_CASE("nice ticks are round numbers covering the range", "[report]") {
  CHECK(nice_ticks(0, 1, 5) == std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1});
  for (auto [lo, hi] : {std::pair{0.0, 1.0}, {85.3, 88.1}, {-3.0, 1250.0}, {1e-4, 3e-4}}) {
    const auto t = nice_ticks(lo, hi, 6);
    CHECK(t.front() <= lo);
    CHECK(t.back() >= hi);
    CHECK(t.size() >= 3);
    CHECK(t.size() <= 13);
  }
}

TEST_CASE("a loss scale at its maximum is drawn inside the frame, not on its edge", "[report]") {
  PlotSpec spec;
  spec.title = "Loss scale";
  spec.log2_y = true;
  const std::string svg =
      svg_plot(spec, {{"dynamic", {0, 100, 200, 300}, {65536, 65536, 32768, 65536}, {}, false, ""}});
  // The frame: the unfilled rect; every polyline y strictly between its top and bottom.
  const size_t frame = svg.find("fill=\"none\" stroke=\"#333\"");
  REQUIRE(frame != std::string::npos);
  const size_t rect = svg.rfind("<rect", frame);
  auto attr = [&](size_t from, const std::string& name) {
    const size_t at = svg.find(" " + name + "=\"", from) + name.size() + 3;
    return std::stod(svg.substr(at, svg.find('"', at) - at));
  };
  const double top = attr(rect, "y"), bottom = top + attr(rect, "height");
  const size_t poly = svg.find("points=\"");
  REQUIRE(poly != std::string::npos);
  std::istringstream points(svg.substr(poly + 8, svg.find('"', poly + 8) - poly - 8));
  size_t n = 0;
  for (std::string xy; points >> xy; ++n) {
    const double y = std::stod(xy.substr(xy.find(',') + 1));
    CHECK(y > top + 5);
    CHECK(y < bottom - 5);
  }
  CHECK(n == 4);
}

TEST_CASE("legends keep full names however long", "[report]") {
  PlotSpec spec;
  spec.title = "Training loss";
  const std::string name = "precision=fp8_dynamic_loss_scaling_with_a_very_long_name, model=transformer_decoder";
  const std::string svg = svg_plot(spec, {{name, {0, 1}, {2, 1}, {}, false, ""}});
  CHECK(svg.find(">" + name + "<") != std::string::npos);
  // The page is wide enough for the name at 0.62 em per character.
  const size_t w = svg.find("width=\"") + 7;
  CHECK(std::stod(svg.substr(w, svg.find('"', w) - w)) >= 70 + 28 + 0.62 * 12 * static_cast<double>(name.size()));
}
