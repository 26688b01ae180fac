// The architecture figure: a model's blocks (io/model_architecture.h) drawn as boxes and arrows,
// like the encoder-decoder diagrams of seeds 003 and 004: one column per stack read bottom to top,
// repeated layers drawn once with "× N", arrows across for what the decoder reads from the encoder.
// Torch-free: it draws what the config says, never loads weights.
#pragma once

#include <string>
#include <vector>

#include "io/model_architecture.h"
#include "render/render.h"

namespace attnscope {

// Draws the figure and writes it atomically, PNG/SVG/PDF by the extension (render/output.h).
// Of the options only theme, dpi and title apply. Throws std::invalid_argument for bad options.
void render_architecture(const ModelArchitecture& arch, const RenderOptions& opt, const std::string& out_path);

// Every text the figure draws (column names, block titles and lines, "× N", link labels, notes),
// in drawing order; lays the figure out without writing it.
std::vector<std::string> architecture_figure_texts(const ModelArchitecture& arch, const RenderOptions& opt);

}  // namespace attnscope
