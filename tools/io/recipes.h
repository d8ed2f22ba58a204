#pragma once
// Named precision presets: the "precision" object of a run config, by name. fp8_paper is the recipe
// of Mellempudi et al. 2019 as ../shared/RECIPES.md §1 records it; the others are its ablations and
// the related recipes of §2. experiments/README.md lists them.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace fpsim::io {

/// The precision object of preset `name`, or nullopt. Example: precision_preset("fp32")->at("weight").is_null().
std::optional<nlohmann::json> precision_preset(const std::string& name);
/// Every preset name, sorted. Example: precision_preset_names() contains "fp8_paper".
std::vector<std::string> precision_preset_names();

}  // namespace fpsim::io
