// fpsim report results/<sweep>: summary.csv, report.md, report.html and plots/ for one sweep folder.
#include <fmt/core.h>

#include "tools/fpsim/command.h"
#include "tools/report/write.h"

namespace fpsim::cli {
namespace {

Registration reg{{"report", "Write report.md, report.html, summary.csv and plots for a sweep's results folder",
                  [](CLI::App& app) {
                    auto folder = std::make_shared<std::string>();
                    app.add_option("folder", *folder, "Results folder of a sweep, e.g. results/quick")->required();
                    return std::function<int()>([folder] {
                      for (const auto& path : io::write_report(*folder)) fmt::print("wrote {}\n", path.string());
                      return 0;
                    });
                  }}};

}  // namespace
}  // namespace fpsim::cli
