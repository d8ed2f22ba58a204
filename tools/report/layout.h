#pragma once
// The sweep's dimensions as a report lays them out. Swept pointers that always change together (a
// zip group) form one dimension; a sweep's `report: {"rows": "/precision", "cols": "/model/type"}`
// (or the defaults) picks the recipe dimension for table rows and another for table columns. A
// pointer may reach into a swept object value: "/model/type" reads "mlp" out of a swept /model.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/report/data.h"

namespace fpsim::io {

/// One dimension: the pointers swept together, and the pointer (possibly deeper) whose value names it.
struct Dimension {
  std::vector<std::string> pointers;  // swept pointers of one group, sweep order
  std::string show;                   // the pointer whose value is displayed (a member or deeper)
  std::string title;                  // e.g. "precision" or "precision/weight/format (+4 zipped)"
  std::vector<std::string> values;    // distinct displayed values, first-appearance order
};

struct ReportLayout {
  std::vector<Dimension> dims;  // every non-seed dimension
  int rows = -1, cols = -1;     // indices into dims; cols == -1 when the sweep has one dimension
  std::vector<size_t> extra;    // other dimensions, folded into the row label
};

/// Dimensions of `data` and the row/column choice: data.report_axes ({"rows", "cols"} pointers) when
/// given, else rows = the dimension holding the baseline pointer (or the one with most values) and
/// cols = the remaining dimension with fewest values. Throws ConfigError(where, "/report/rows", …)
/// when a pointer is not swept. Example: report_layout(paper_fp8).dims[rows].title == "precision".
ReportLayout report_layout(const ReportData& data, const std::string& where = "sweep.json");

/// Displayed value of dimension `d` for a recipe's overrides ("—" when the pointer is absent).
/// Example: dimension_value(dims[cols], {{"/model", {{"type", "cnn"}}}}) == "cnn".
std::string dimension_value(const Dimension& d, const nlohmann::json& overrides);

/// Row label of a recipe: its row-dimension value, then "title=value" of each extra dimension.
/// Example: "fp8_paper" or "fp8_paper, optimizer=adam".
std::string row_label(const ReportLayout& layout, const nlohmann::json& overrides);

}  // namespace fpsim::io
