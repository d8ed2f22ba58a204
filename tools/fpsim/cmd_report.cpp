// fpsim report results/<sweep> [results/<other>]: summary.csv, report.md, report.html and plots/ for one
// sweep folder, or a comparison of two sweeps sharing a baseline; --readme refreshes a README block.
#include <fmt/core.h>

#include "tools/fpsim/command.h"
#include "tools/report/compare.h"
#include "tools/report/readme_block.h"
#include "tools/report/write.h"

namespace fpsim::cli {
namespace {

struct ReportOptions {
  std::vector<std::string> folders;
  std::string out, readme;
};

Registration reg{{"report",
                  "Write report.md, report.html, summary.csv and plots for a sweep's results folder, or compare two",
                  [](CLI::App& app) {
                    auto o = std::make_shared<ReportOptions>();
                    app.add_option("folders", o->folders,
                                   "Results folder of a sweep (e.g. results/paper_fp8); a second folder compares "
                                   "the two sweeps, which must share a baseline")
                        ->required()
                        ->expected(1, 2);
                    app.add_option("--out", o->out, "Comparison only: output folder (default <A>_vs_<B> beside A)");
                    app.add_option("--readme", o->readme,
                                   "Also replace the sweep's pivot-table block in this Markdown file (between "
                                   "<!-- report-table:NAME --> and <!-- /report-table:NAME -->)");
                    return std::function<int()>([o] {
                      const auto written = o->folders.size() == 2
                                               ? io::write_comparison(o->folders[0], o->folders[1], o->out)
                                               : io::write_report(o->folders[0]);
                      for (const auto& path : written) fmt::print("wrote {}\n", path.string());
                      if (!o->readme.empty()) {
                        if (o->folders.size() != 1) throw std::runtime_error("--readme takes one results folder");
                        io::update_readme_block(o->readme, o->folders[0]);
                        fmt::print("updated {}\n", o->readme);
                      }
                      return 0;
                    });
                  }}};

}  // namespace
}  // namespace fpsim::cli
