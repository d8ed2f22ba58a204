#pragma once
// Every figure of a report, grouped into sections (one printed page each): the headline's dot plot and
// format heatmaps (accuracy, or bits per byte for a language model; headline.h), loss curves and loss
// scales as small multiples (≤ 8 lines per panel), and heatmaps of the fraction flushed to zero per
// quantisation point × step.
#include <string>
#include <vector>

#include "tools/report/data.h"
#include "tools/report/pivot.h"

namespace fpsim::io {

struct NamedPlot {
  std::string file;   // "accuracy_dots.svg" ("bits_per_byte_dots.svg" for a language model)
  std::string title;  // caption
  std::string svg;
  std::string section;  // "accuracy", "format_grid", "train_loss", "test_loss", "loss_scale", "telemetry"
};

/// Recipes per small-multiple panel besides the baseline, which every panel repeats (dashed, grey).
constexpr size_t recipes_per_panel = 7;
/// Telemetry heatmaps shown: the recipes flushing the largest fraction of gradients to zero.
constexpr size_t telemetry_heatmaps = 4;

/// The figures of `data` laid out by `pivot`. Example: report_plots(d, p).front().file == "accuracy_dots.svg".
std::vector<NamedPlot> report_plots(const ReportData& data, const Pivot& pivot);

/// Heading of a section name; the headline's sections ("accuracy", "format_grid", "accuracy_grid") are
/// named after it ("Bits per byte per recipe"). Example: section_heading("train_loss") == "Training loss".
std::string section_heading(const std::string& section, const Headline& headline = accuracy_headline());

}  // namespace fpsim::io
