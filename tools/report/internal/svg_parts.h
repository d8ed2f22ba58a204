#pragma once
// Pieces shared by the report's SVG charts (line/point plots, dot plots, heatmaps): the colour cycle,
// tick text, a text-width estimate for layout, and the opening <svg> element.
#include <string>

namespace fpsim::io::svg {

/// Tableau-10 colour k (cycles after ten).
const char* colour(size_t k);

/// Short tick text: "0", "0.25", "1.5e+05". Example: tick_text(0.6000000001) == "0.6".
std::string tick_text(double v);

/// Width in px of `text` at `font_px` in Helvetica/Arial, an upper estimate (0.62 em per character)
/// so layouts leave room; the browser test checks that nothing overflows. Example: text_width("ab", 12) ≈ 15.
double text_width(const std::string& text, double font_px);

/// Opening tag with viewBox, the font, and a white background; `title` is drawn bold at the top left.
std::string open(double width, double height, double title_x, const std::string& title);

}  // namespace fpsim::io::svg
