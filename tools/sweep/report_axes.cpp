#include "tools/sweep/report_axes.h"

#include "tools/io/config_error.h"

namespace fpsim::io {

using nlohmann::json;

std::string swept_axis_of(const std::string& pointer, const std::vector<std::string>& swept) {
  for (const std::string& axis : swept) {
    if (axis == "/seed") continue;
    if (pointer == axis ||
        (pointer.size() > axis.size() && pointer.compare(0, axis.size(), axis) == 0 && pointer[axis.size()] == '/'))
      return axis;
  }
  return "";
}

void check_report_axes(const json& report, const std::vector<std::string>& swept, const std::string& file) {
  if (!report.is_object())
    throw ConfigError(file, "/report", "expected an object {\"rows\": \"/pointer\", \"cols\": \"/pointer\"}");
  for (const auto& [key, value] : report.items()) {
    if (key != "rows" && key != "cols")
      throw ConfigError(file, "/report/" + key, "unknown key \"" + key + "\" (expected rows, cols)");
    if (!value.is_string() || value.get<std::string>().empty() || value.get<std::string>()[0] != '/')
      throw ConfigError(file, "/report/" + key, "expected a JSON pointer string such as \"/precision\"");
    if (swept_axis_of(value.get<std::string>(), swept).empty())
      throw ConfigError(file, "/report/" + key,
                        value.get<std::string>() + " is not a swept path nor inside one (/seed is averaged over)");
  }
  if (report.contains("rows") && report.contains("cols") &&
      swept_axis_of(report["rows"], swept) == swept_axis_of(report["cols"], swept))
    throw ConfigError(file, "/report/cols", "rows and cols name the same swept path");
}

}  // namespace fpsim::io
