#include "tools/report/headline.h"

#include <cctype>
#include <cmath>

namespace fpsim::io {

const Headline& accuracy_headline() {
  static const Headline h{.summary_key = "final_test_accuracy",
                          .scale = 100,
                          .name = "final test accuracy",
                          .column = "final test accuracy (%)",
                          .short_name = "Accuracy",
                          .file_stem = "accuracy",
                          .decimals = 2,
                          .lower_is_better = false,
                          .delta_unit = "percentage points",
                          .legend_lead = "Final test accuracy in %",
                          .last_value = "last test accuracy",
                          .heat_span = 5,
                          .dot_spread = 0.5,
                          .accuracy_column = ""};
  return h;
}

// Recipes of one small LM sweep differ by a few hundredths of a bit and failing ones by whole bits, so
// the heatmap spans half a bit and the dot plot's outlier test is floored at 0.05 bits (accuracy's 0.5 pp
// would keep a recipe at 5 bits on the scale and squeeze the others, within 0.1 of 3.85, into a few pixels).
const Headline& bits_per_byte_headline() {
  static const Headline h{.summary_key = "final_test_bits_per_byte",
                          .scale = 1,
                          .name = "validation bits per byte",
                          .column = "validation bits per byte",
                          .short_name = "Bits per byte",
                          .file_stem = "bits_per_byte",
                          .decimals = 3,
                          .lower_is_better = true,
                          .delta_unit = "bits per byte",
                          .legend_lead = "Validation bits per byte (held-out cross-entropy / ln 2; lower is better)",
                          .last_value = "last value",
                          .heat_span = 0.5,
                          .dot_spread = 0.05,
                          .accuracy_column = "next-byte accuracy (%)"};
  return h;
}

const Headline& choose_headline(const ReportData& data) {
  bool any = false;
  for (const RunResult& r : data.runs) {
    if (r.status != "completed" && r.status != "diverged") continue;
    const bool has = std::isfinite(number_or_nan(r.summary, bits_per_byte_headline().summary_key));
    if (!has && r.status == "completed") return accuracy_headline();
    any = any || has;
  }
  return any ? bits_per_byte_headline() : accuracy_headline();
}

double headline_value(const Headline& h, const nlohmann::json& summary) {
  return h.scale * number_or_nan(summary, h.summary_key);
}

bool better(const Headline& h, double a, double b) { return h.lower_is_better ? a < b : a > b; }

std::string capitalised(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace fpsim::io
