#include "tools/report/layout.h"

#include <algorithm>
#include <map>

#include "tools/sweep/report_axes.h"

namespace fpsim::io {

using nlohmann::json;

namespace {

bool reaches_into(const std::string& pointer, const std::string& axis) {
  return swept_axis_of(pointer, {axis}) == axis;
}

// "precision/…/format" for a zip group whose pointers share first and last tokens, else the pointer.
std::string dimension_title(const Dimension& d) {
  const std::string show = d.show.substr(1);
  if (d.pointers.size() < 2 || std::find(d.pointers.begin(), d.pointers.end(), d.show) == d.pointers.end()) return show;
  auto first = [](const std::string& p) { return p.substr(1, p.find('/', 1) - 1); };
  auto last = [](const std::string& p) { return p.substr(p.rfind('/') + 1); };
  for (const std::string& p : d.pointers)
    if (first(p) != first(d.show) || last(p) != last(d.show))
      return show + " (+" + std::to_string(d.pointers.size() - 1) + " zipped)";
  return first(d.show) + "/…/" + last(d.show);
}

// Group the non-seed axes: two axes are one dimension when every run's value index agrees (zip groups).
std::vector<Dimension> group_axes(const ReportData& data) {
  std::vector<Dimension> dims;
  std::vector<std::vector<size_t>> signatures;
  for (const std::string& axis : data.axes) {
    if (axis == "/seed") continue;
    std::vector<std::string> seen;
    std::vector<size_t> signature;
    for (const RunResult& r : data.runs) {
      const std::string v = r.overrides.contains(axis) ? r.overrides[axis].dump() : "null";
      auto it = std::find(seen.begin(), seen.end(), v);
      if (it == seen.end()) it = seen.insert(seen.end(), v);
      signature.push_back(static_cast<size_t>(it - seen.begin()));
    }
    auto same = std::find(signatures.begin(), signatures.end(), signature);
    if (same != signatures.end()) {
      dims[static_cast<size_t>(same - signatures.begin())].pointers.push_back(axis);
      continue;
    }
    signatures.push_back(signature);
    dims.push_back(Dimension{{axis}, axis, "", {}});
  }
  return dims;
}

int dimension_of(const std::vector<Dimension>& dims, const std::string& axis) {
  for (size_t i = 0; i < dims.size(); ++i)
    if (std::find(dims[i].pointers.begin(), dims[i].pointers.end(), axis) != dims[i].pointers.end())
      return static_cast<int>(i);
  return -1;
}

}  // namespace

std::string dimension_value(const Dimension& d, const json& overrides) {
  for (const std::string& axis : d.pointers) {
    if (!reaches_into(d.show, axis) || !overrides.contains(axis)) continue;
    const json& value = overrides[axis];
    const json::json_pointer inner(d.show.substr(axis.size()));
    if (d.show.size() == axis.size()) return short_value_text(value);
    return value.contains(inner) ? short_value_text(value[inner]) : "—";
  }
  return "—";
}

std::string row_label(const ReportLayout& layout, const json& overrides) {
  std::string label = layout.rows >= 0 ? dimension_value(layout.dims[static_cast<size_t>(layout.rows)], overrides) : "";
  for (size_t e : layout.extra)
    label += (label.empty() ? "" : ", ") + layout.dims[e].title + "=" + dimension_value(layout.dims[e], overrides);
  return label.empty() ? "base" : label;
}

ReportLayout report_layout(const ReportData& data, const std::string& where) {
  ReportLayout layout;
  layout.dims = group_axes(data);
  check_report_axes(data.report_axes, data.axes, where);
  // Chosen pointers first: the dimension shows the pointer's value.
  auto pick = [&](const char* key) {
    if (!data.report_axes.contains(key)) return -1;
    const std::string pointer = data.report_axes[key];
    const int d = dimension_of(layout.dims, swept_axis_of(pointer, data.axes));
    layout.dims[static_cast<size_t>(d)].show = pointer;
    return d;
  };
  layout.rows = pick("rows");
  layout.cols = pick("cols");
  for (Dimension& d : layout.dims) {
    for (const Recipe& r : data.recipes) {
      const std::string v = dimension_value(d, r.overrides);
      if (std::find(d.values.begin(), d.values.end(), v) == d.values.end()) d.values.push_back(v);
    }
    d.title = dimension_title(d);
  }
  if (layout.dims.empty()) return layout;
  // Defaults: rows hold the baseline's dimension (the recipe axis): the sweep's baseline pointer, else a
  // dimension with an "fp32"/"binary32" value, else the dimension with most values.
  auto holds_fp32 = [&](const Dimension& d) {
    for (const Recipe& r : data.recipes)
      for (const std::string& p : d.pointers)
        if (r.overrides.contains(p) && (r.overrides[p] == "fp32" || r.overrides[p] == "binary32")) return true;
    return false;
  };
  for (const auto& [pointer, value] : data.baseline.items())
    if (const int d = dimension_of(layout.dims, pointer); layout.rows < 0 && d != layout.cols) layout.rows = d;
  for (size_t i = 0; i < layout.dims.size() && layout.rows < 0; ++i)
    if (static_cast<int>(i) != layout.cols && holds_fp32(layout.dims[i])) layout.rows = static_cast<int>(i);
  if (layout.rows < 0)
    for (size_t i = 0; i < layout.dims.size(); ++i)
      if (static_cast<int>(i) != layout.cols &&
          (layout.rows < 0 ||
           layout.dims[i].values.size() > layout.dims[static_cast<size_t>(layout.rows)].values.size()))
        layout.rows = static_cast<int>(i);
  // Columns: the other dimension with fewest values.
  for (size_t i = 0; i < layout.dims.size() && !data.report_axes.contains("cols"); ++i)
    if (static_cast<int>(i) != layout.rows &&
        (layout.cols < 0 || layout.dims[i].values.size() < layout.dims[static_cast<size_t>(layout.cols)].values.size()))
      layout.cols = static_cast<int>(i);
  for (size_t i = 0; i < layout.dims.size(); ++i)
    if (static_cast<int>(i) != layout.rows && static_cast<int>(i) != layout.cols) layout.extra.push_back(i);
  return layout;
}

}  // namespace fpsim::io
