// attnscope._core: AttentionSet for Python, free of libtorch. Arrays come in without a copy
// (float32, C-contiguous: the set borrows their memory and keeps them alive), weights go out as
// NumPy views of the set's memory, and every figure of `attnscope render` and the self-contained
// viewer page come from the same C++ as the command line. The GIL is released while drawing.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <filesystem>
#include <unistd.h>

#include "io/atomic_file.h"
#include "io/attention_file.h"
#include "python/py_set.h"
#include "render/render.h"
#include "serve/html_export.h"

namespace py = pybind11;
using namespace attnscope;

namespace {

// RenderOptions from keyword arguments, with the names of `attnscope render`'s flags
// (vmin, vmax, colormap, layer, head, run, kind, spans, highlight, merge, pool, title, ...).
RenderOptions render_options(const std::string& view, const py::dict& kw) {
  RenderOptions o;
  o.view = view;
  for (auto [key, value] : kw) {
    const std::string k = py::str(key);
    if (k == "kind") o.kind = value.cast<std::string>();
    else if (k == "layer") o.layer = value.cast<int>();
    else if (k == "head") o.head = value.cast<int>();
    else if (k == "heads") o.heads = value.cast<std::vector<int>>();  // lines: several heads, from 0
    else if (k == "run") o.run = value.cast<int>();
    else if (k == "highlight") o.highlight = value.cast<std::pair<int, int>>();
    else if (k == "spans") o.spans = value.cast<std::string>();
    else if (k == "steps") o.steps = value.cast<std::string>();
    else if (k == "colormap") o.colormap = value.cast<std::string>();
    else if (k == "vmin") o.vmin = value.cast<float>();
    else if (k == "vmax") o.vmax = value.cast<float>();
    else if (k == "colorbar_title") o.colorbar_title = value.cast<std::string>();
    else if (k == "theme") o.theme = value.cast<std::string>();
    else if (k == "dpi") o.dpi = value.cast<double>();
    else if (k == "values") o.values = value.cast<bool>();
    else if (k == "merge") o.merge = value.cast<std::string>();
    else if (k == "pool") o.pool = value.cast<std::string>();
    else if (k == "title") o.title = value.cast<std::string>();
    else throw py::type_error("render() got an unexpected option '" + k + "'");
  }
  return o;
}

std::string temp_path(const std::string& ext) {
  static int counter = 0;
  return (std::filesystem::temp_directory_path() /
          ("attnscope-py-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ext))
      .string();
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "attnscope's AttentionSet, figures and viewer page (no libtorch)";
  // std::invalid_argument becomes ValueError, std::out_of_range IndexError (pybind11's defaults).

  py::class_<PySet>(m, "AttentionSet")
      .def(py::init([](const py::dict& meta) {
             PySet s;
             for (auto [k, v] : meta) s.set->meta[py::str(k)] = py::str(v);
             return s;
           }),
           py::arg("meta") = py::dict())
      .def("_add_run", &PySet::add_run, py::arg("name"), py::arg("input"), py::arg("output"), py::arg("source_tokens"),
           py::arg("target_tokens"), py::arg("info") = std::map<std::string, std::string>{})
      .def("_add_block", &PySet::add_block, py::arg("run"), py::arg("kind"), py::arg("layer"), py::arg("weights"),
           "Adds weights [heads, queries, keys] (float32, C-contiguous) without copying them.")
      .def("_validate", [](const PySet& s) { s.set->validate(); })
      .def("_set_meta", [](PySet& s, const std::string& key, const std::string& value) { s.set->meta[key] = value; })
      .def_property_readonly("kinds", &PySet::kinds)
      .def_property_readonly("layers", &PySet::layers)
      .def_property_readonly("heads", &PySet::heads)
      .def_property_readonly("tokens", &PySet::tokens)
      .def_property_readonly("runs", &PySet::runs)
      .def_property_readonly("meta", [](const PySet& s) { return s.set->meta; })
      .def("weights", &PySet::weights, py::arg("kind"), py::arg("layer"), py::arg("run") = 0,
           "The weights [heads, queries, keys] of one block, as a NumPy view of the set's memory.")
      .def("tile", &PySet::tile, py::arg("kind"), py::arg("layer"), py::arg("head"), py::arg("q0"), py::arg("q1"),
           py::arg("k0"), py::arg("k1"), py::arg("run") = 0,
           "Exact weights [q1 - q0, k1 - k0] of one head, computed when the block holds queries and keys (long inputs).")
      .def("_borrowed", &PySet::borrowed, py::arg("kind"), py::arg("layer"), py::arg("run") = 0)
      .def("shape", &PySet::shape, py::arg("kind"), py::arg("layer"), py::arg("run") = 0,
           "(heads, queries, keys) of one block, dense or queries and keys")
      .def(
          "render",
          [](const PySet& s, const std::string& view, const py::object& path, const py::kwargs& kw) -> py::object {
            const RenderOptions o = render_options(view, kw);
            const bool to_bytes = path.is_none();
            const std::string out = to_bytes ? temp_path(".png") : py::str(path).cast<std::string>();
            {
              py::gil_scoped_release nogil;
              render_figure(*s.set, o, out);
            }
            if (!to_bytes) return py::none();
            std::string bytes = read_file(out);
            std::filesystem::remove(out);
            return py::bytes(bytes);
          },
          py::arg("view") = "grid", py::arg("path") = py::none(),
          "Draws a figure (every view and option of `attnscope render`): to `path` (PNG, SVG or PDF by its "
          "extension), or, without a path, returns PNG bytes.")
      .def(
          "save",
          [](const PySet& s, const std::string& path) {
            py::gil_scoped_release nogil;
            save_attention_set(*s.set, path);
          },
          py::arg("path"), "Writes the set as .attn.safetensors (atomically).")
      .def(
          "html",
          [](const PySet& s, const std::string& title, bool all_heads, const std::string& remote) {
            py::gil_scoped_release nogil;
            return viewer_html(*s.set, title, all_heads, remote);
          },
          py::arg("title") = "", py::arg("all_heads") = true, py::arg("remote") = "",
          "The viewer with this set embedded, as one self-contained HTML page (no network). all_heads=False embeds "
          "the thumbnails and the head drawn first only, and the page asks `remote` (the kernel's data server) for "
          "the rest.")
      .def(
          "_response",
          [](const PySet& s, const std::string& endpoint, const std::map<std::string, std::string>& params) {
            std::string body;
            {
              py::gil_scoped_release nogil;
              body = viewer_response(*s.set, endpoint, params);
            }
            return py::bytes(body);
          },
          py::arg("endpoint"), py::arg("params"),
          "One response of the viewer's API about this set (the bytes `attnscope serve` sends).");

  m.def(
      "open",
      [](const std::string& path) {
        PySet s;
        py::gil_scoped_release nogil;
        *s.set = load_attention_set(path);
        return s;
      },
      py::arg("path"), "Reads an .attn.safetensors file.");
}
