#include "tools/report/table.h"

#include <fmt/core.h>

#include <cmath>
#include <limits>

#include "tools/report/headline.h"
#include "tools/report/welch.h"

namespace fpsim::io {

MeanStd mean_std(const std::vector<double>& values) {
  MeanStd m;
  double sum = 0;
  for (double v : values)
    if (std::isfinite(v)) sum += v, ++m.n;
  if (m.n == 0) return m;
  m.mean = sum / static_cast<double>(m.n);
  if (m.n > 1) {
    double ss = 0;
    for (double v : values)
      if (std::isfinite(v)) ss += (v - m.mean) * (v - m.mean);
    m.std = std::sqrt(ss / static_cast<double>(m.n - 1));
  }
  return m;
}

std::string format_mean_std(const MeanStd& m, int decimals) {
  if (m.n == 0) return "—";
  if (m.n == 1) return fmt::format("{:.{}f}", m.mean, decimals);
  return fmt::format("{:.{}f} ± {:.{}f}", m.mean, decimals, m.std, decimals);
}

std::vector<RecipeRow> recipe_rows(const ReportData& data) {
  const Headline& h = choose_headline(data);
  std::vector<RecipeRow> rows;
  for (const Recipe& recipe : data.recipes) {
    RecipeRow row;
    row.label = recipe.label;
    std::vector<double> final_acc, best_acc, loss, skipped, scale, headline;
    for (size_t i : recipe.runs) {
      const RunResult& r = data.runs[i];
      ++row.runs;
      if (r.status != "completed" && r.status != "diverged") continue;
      ++row.finished;
      if (r.status == "diverged") ++row.diverged;
      final_acc.push_back(100 * number_or_nan(r.summary, "final_test_accuracy"));
      best_acc.push_back(100 * number_or_nan(r.summary, "best_test_accuracy"));
      loss.push_back(number_or_nan(r.summary, "final_test_loss"));
      skipped.push_back(number_or_nan(r.summary, "skipped_steps"));
      scale.push_back(number_or_nan(r.summary, "final_loss_scale"));
      headline.push_back(headline_value(h, r.summary));
    }
    row.final_accuracy = mean_std(final_acc);
    row.best_accuracy = mean_std(best_acc);
    row.final_test_loss = mean_std(loss);
    row.skipped_steps = mean_std(skipped);
    row.final_loss_scale = mean_std(scale);
    row.headline = mean_std(headline);
    rows.push_back(row);
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    RecipeRow& row = rows[i];
    row.baseline = baseline_of(data, i);
    row.within_noise = "n/a";
    row.p_value = std::numeric_limits<double>::quiet_NaN();
    if (!row.baseline) continue;
    const RecipeRow& base = rows[*row.baseline];
    if (*row.baseline == i) {
      row.within_noise = "baseline";
      continue;
    }
    if (row.final_accuracy.n && base.final_accuracy.n)
      row.delta_pp = row.final_accuracy.mean - base.final_accuracy.mean;
    if (row.headline.n == 0 || base.headline.n == 0) continue;
    row.delta = row.headline.mean - base.headline.mean;
    if (row.headline.n < 2 || base.headline.n < 2) continue;
    const MeanStd &a = row.headline, &b = base.headline;
    row.p_value = welch_test(a.mean, a.std, a.n, b.mean, b.std, b.n).p;
    row.within_noise = row.p_value >= significance_level ? "yes" : "no";
  }
  // Mark the best of each column (highest accuracy, lowest loss) among rows with data.
  auto mark = [&](auto field, bool higher, auto flag) {
    std::optional<double> best;
    for (const RecipeRow& r : rows) {
      const MeanStd& m = r.*field;
      if (m.n && (!best || (higher ? m.mean > *best : m.mean < *best))) best = m.mean;
    }
    for (RecipeRow& r : rows)
      if ((r.*field).n && best && (r.*field).mean == *best) r.*flag = true;
  };
  mark(&RecipeRow::final_accuracy, true, &RecipeRow::best_final);
  mark(&RecipeRow::best_accuracy, true, &RecipeRow::best_best);
  mark(&RecipeRow::final_test_loss, false, &RecipeRow::best_loss);
  mark(&RecipeRow::headline, !h.lower_is_better, &RecipeRow::best_headline);
  return rows;
}

}  // namespace fpsim::io
