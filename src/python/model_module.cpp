// attnscope._models: any model attnscope loads (models/model.h), for Python. The only extension
// that links libtorch; `attnscope.load` imports it on first use, so sets and figures never load
// it. The GIL is released while a model runs.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "models/decoding/mask_experiment.h"
#include "models/model.h"
#include "python/py_set.h"

namespace py = pybind11;
using namespace attnscope;

namespace {

py::dict info_dict(const ModelInfo& i) {
  py::dict d;
  d["name"] = i.name;
  d["summary"] = i.summary;
  d["format"] = format_name(i.format);
  d["role"] = role_name(i.role);
  d["architecture"] = architecture_name(i.architecture);
  d["kinds"] = i.kinds;
  d["layers"] = i.layers;
  d["heads"] = i.heads;
  d["takes_ids"] = i.takes_ids;
  d["mask_token"] = i.mask_token;
  d["mask_is_substitute"] = i.mask_is_substitute;
  d["max_input_tokens"] = i.max_input_tokens;
  return d;
}

py::dict result_dict(const Result& r) {
  py::dict d;
  d["input"] = r.input;
  d["output"] = py::str(PyUnicode_DecodeUTF8(r.output.data(), static_cast<py::ssize_t>(r.output.size()), "replace"));
  d["text"] = py::str(PyUnicode_DecodeUTF8(r.text.data(), static_cast<py::ssize_t>(r.text.size()), "replace"));
  d["input_tokens"] = r.input_tokens;
  d["output_tokens"] = r.output_tokens;
  d["input_ids"] = r.input_ids;
  d["output_ids"] = r.output_ids;
  d["decoding"] = r.decoding;
  d["stopped"] = r.stopped;
  py::list preds;
  for (const auto& p : r.predictions) {
    py::dict pd;
    pd["position"] = p.position;
    pd["tokens"] = p.pieces;
    pd["ids"] = p.ids;
    pd["probabilities"] = p.probabilities;
    preds.append(pd);
  }
  d["predictions"] = preds;
  return d;
}

}  // namespace

PYBIND11_MODULE(_models, m) {
  m.doc() = "attnscope's Model interface: BERT, GPT-2, Llama, Marian, llama2.c and attnscope-trained models";
  py::module_::import("attnscope._core");  // registers AttentionSet, which runs return

  py::class_<Model, std::shared_ptr<Model>>(m, "Model")
      .def_property_readonly("info", [](const Model& model) { return info_dict(model.info()); })
      .def("tokenize", &Model::tokenize, py::arg("text"), py::call_guard<py::gil_scoped_release>())
      .def(
          "_run",
          [](const Model& model, const std::string& text, int max_new_tokens, std::optional<std::string> forced_output,
             std::vector<size_t> mask, int beam, std::vector<int> layers, std::vector<int> heads, int top_k, bool record,
             const std::string& weights, std::optional<std::vector<int>> input_ids) {
            Request req;
            req.input_ids = std::move(input_ids);
            req.weights = weight_form_from_name(weights);
            req.input = text;
            req.decoding.max_new_tokens = max_new_tokens;
            req.decoding.beam = beam;
            req.forced_output = std::move(forced_output);
            req.layers = std::move(layers);
            req.heads = std::move(heads);
            req.top_k = top_k;
            req.record = record;
            // Ctrl-C: Python's handler only sets a flag while C++ runs; check it at every step.
            req.cancelled = [] {
              py::gil_scoped_acquire gil;
              if (PyErr_CheckSignals() != 0) throw py::error_already_set();
              return false;
            };
            PySet set;
            py::dict result;
            if (mask.empty()) {
              Result r;
              {
                py::gil_scoped_release nogil;
                r = model.run(req);
                *set.set = model.to_set({r.run});
              }
              result = result_dict(r);
            } else {
              MaskExperiment e;
              {
                py::gil_scoped_release nogil;
                e = run_mask_experiment(model, req, mask);
              }
              *set.set = std::move(e.set);
              result = result_dict(e.original);
              result["masked"] = result_dict(e.masked);
            }
            return py::make_tuple(result, set);
          },
          py::arg("text"), py::arg("max_new_tokens") = -1, py::arg("forced_output") = py::none(),
          py::arg("mask") = std::vector<size_t>{}, py::arg("beam") = 1, py::arg("layers") = std::vector<int>{},
          py::arg("heads") = std::vector<int>{}, py::arg("top_k") = 5, py::arg("record") = true,
          py::arg("weights") = "auto", py::arg("input_ids") = py::none())
      .def(
          "_logits",
          [](const Model& model, const std::vector<int>& input_ids, const std::vector<int>& decoder_input_ids) {
            Model::Logits l;
            {
              py::gil_scoped_release nogil;
              l = model.logits(input_ids, decoder_input_ids);
            }
            py::array_t<float> out({static_cast<py::ssize_t>(l.rows), static_cast<py::ssize_t>(l.vocab)});
            std::copy(l.values.begin(), l.values.end(), out.mutable_data());
            return out;
          },
          py::arg("input_ids"), py::arg("decoder_input_ids") = std::vector<int>{});

  m.def(
      "load",
      [](const std::string& path, const std::string& device) {
        py::gil_scoped_release nogil;
        return std::shared_ptr<Model>(Model::load(path, device));
      },
      py::arg("path"), py::arg("device") = "cpu");
}
