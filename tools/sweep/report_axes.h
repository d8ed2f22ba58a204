#pragma once
// A sweep's optional "report" object: which swept pointer the report's tables use for rows (the recipe
// axis) and which for columns, e.g. {"rows": "/precision", "cols": "/model/type"}. A pointer may reach
// into a swept object value ("/model/type" inside a swept "/model"); /seed is always averaged over.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fpsim::io {

/// The swept pointer that `pointer` names or reaches into ("" if none; /seed never matches).
/// Example: swept_axis_of("/model/type", {"/model", "/seed"}) == "/model".
std::string swept_axis_of(const std::string& pointer, const std::vector<std::string>& swept);

/// Validate "report" against the swept pointers; throws ConfigError(file, "/report/<key>", …).
/// Example: check_report_axes({{"rows", "/precision"}}, {"/precision", "/model"}, "x.json") passes.
void check_report_axes(const nlohmann::json& report, const std::vector<std::string>& swept, const std::string& file);

}  // namespace fpsim::io
