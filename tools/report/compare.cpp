#include "tools/report/compare.h"

#include <algorithm>
#include <stdexcept>

#include "tools/io/atomic_file.h"
#include "tools/report/write.h"

namespace fpsim::io {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The value at `pointer` of a run's resolved input config; null when absent or unreadable.
json config_value(const fs::path& run_dir, const std::string& pointer) {
  try {
    const json config = json::parse(read_file(run_dir / "input_config.json"));
    const json::json_pointer p(pointer);
    return config.contains(p) ? config[p] : json();
  } catch (const std::exception&) {
    return json();
  }
}

}  // namespace

ReportData merge_sweeps(const ReportData& a, const ReportData& b) {
  if (a.baseline.empty() || a.baseline != b.baseline)
    throw std::runtime_error((a.folder / "sweep.json").string() + ": /baseline: " + a.baseline.dump() + " and " +
                             (b.folder / "sweep.json").string() + ": /baseline: " + b.baseline.dump() +
                             " — the sweeps must share a baseline to be compared");
  ReportData m;
  m.folder = a.folder;
  m.name = a.name + " vs " + b.name;
  m.description = "Two sweeps compared, each recipe against the baseline of its own sweep. " + a.name + ": " +
                  a.description + " " + b.name + ": " + b.description;
  m.baseline = a.baseline;
  m.report_axes = a.report_axes;
  for (const ReportData* d : {&a, &b})
    for (const std::string& axis : d->axes)
      if (axis != "/seed" && std::find(m.axes.begin(), m.axes.end(), axis) == m.axes.end()) m.axes.push_back(axis);
  // /sweep after the swept pointers: when both sweeps share another column axis (e.g. /model) it wins the columns.
  m.axes.push_back("/sweep");
  m.axes.push_back("/seed");
  for (const ReportData* d : {&a, &b})
    for (RunResult r : d->runs) {
      for (const std::string& axis : m.axes)
        if (axis != "/sweep" && axis != "/seed" && !r.overrides.contains(axis))
          r.overrides[axis] = config_value(d->folder / r.id, axis);
      r.overrides["/sweep"] = d->name;
      m.runs.push_back(std::move(r));
    }
  group_recipes(m);
  return m;
}

std::vector<fs::path> write_comparison(const fs::path& a, const fs::path& b, fs::path out) {
  const ReportData da = load_report_data(a), db = load_report_data(b);
  ReportData merged = merge_sweeps(da, db);
  if (out.empty()) out = a.parent_path() / (da.name + "_vs_" + db.name);
  merged.folder = out;
  return write_report_files(merged, out);
}

}  // namespace fpsim::io
