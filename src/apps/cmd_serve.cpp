// attnscope serve: the live viewer over HTTP, on trained models and/or saved attention files.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "apps/args.h"
#include "apps/commands.h"
#include "io/attention_file.h"
#include "models/seq2seq_model.h"
#include "models/threads.h"
#include "serve/viewer_server.h"

namespace attnscope {

namespace {

const char* kHelp = R"(usage: attnscope serve [--model DIR ...] [FILE.attn.safetensors ...] [options]

Serves the attention viewer (overview, heads, compare, steps) and its API. Type new inputs into
any loaded model, mask source tokens and compare, download figures. Ctrl-C stops it.

options:
  --model DIR        a trained model to run inputs on (repeat for several)
  --port N           (default 8080; 0 = any free port, printed on start)
  --host ADDR        (default 127.0.0.1: only this machine; 0.0.0.0 opens it to the network)
  --threads N        threads per model run (default 1)

example:
  attnscope serve --model models/dates out/dates-gallery.attn.safetensors
)";

ModelBackend backend_of(const std::string& dir, std::shared_ptr<Seq2SeqModel> model) {
  ModelBackend b;
  b.name = std::filesystem::path(dir).lexically_normal().filename().string();
  if (b.name.empty()) b.name = std::filesystem::path(dir).lexically_normal().parent_path().filename().string();
  b.summary = model->config().task + ", " + model->config().summary();
  b.alphabet = model->config().input_alphabet;
  b.prepare = [model](const std::string& in) { return model->prepare_input(in); };
  b.run = [model](const std::vector<std::string>& inputs) {
    std::vector<Translation> ts;
    for (const auto& in : inputs) ts.push_back(model->translate(in));
    return model->to_attention_set(ts);
  };
  return b;
}

}  // namespace

int cmd_serve(int argc, char** argv) {
  Args args(argc, argv, {});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  std::vector<std::string> model_dirs;
  // Args keeps the last value of a repeated flag, so --model is collected from argv directly.
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--model" && i + 1 < argc) model_dirs.push_back(argv[i + 1]);
    if (a.rfind("--model=", 0) == 0) model_dirs.push_back(a.substr(8));
  }
  args.get("model");
  const int port = static_cast<int>(args.get_int("port", 8080, 0, 65535));
  const std::string host = args.get("host", "127.0.0.1");
  set_threads(static_cast<int>(args.get_int("threads", 1, 1, 256)));
  args.finish();
  if (model_dirs.empty() && args.positionals().empty())
    throw UsageError("nothing to show: give --model DIR and/or .attn.safetensors files");

  SetStore sets;
  for (const auto& f : args.positionals()) sets.add(std::filesystem::path(f).filename().string(), "file", load_attention_set(f));
  std::vector<ModelBackend> models;
  for (const auto& dir : model_dirs) {
    auto model = std::make_shared<Seq2SeqModel>(Seq2SeqModel::load(dir));
    if (model->config().attention == "none") throw std::invalid_argument(dir + " has no attention (--attention none)");
    models.push_back(backend_of(dir, model));
    for (const auto& m : models)
      if (&m != &models.back() && m.name == models.back().name)
        throw UsageError("two models are named '" + m.name + "'; give folders with different names");
  }

  // Ctrl-C: SIGINT/SIGTERM are blocked in every thread (the server's pool inherits this mask) and
  // taken by one thread with sigwait, which stops the server from ordinary code rather than from
  // an async signal handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  ViewerServer server(sets, std::move(models));
  const int bound = server.bind(host, port);
  std::atomic<bool> stopping{false};
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    stopping = true;
    server.stop();
  });
  std::printf("attnscope serve: http://%s:%d/  (Ctrl-C stops it)\n", host == "0.0.0.0" ? "127.0.0.1" : host.c_str(), bound);
  std::fflush(stdout);
  server.listen();
  if (!stopping) pthread_kill(stopper.native_handle(), SIGTERM);  // listen ended on its own: free the waiter
  stopper.join();
  std::fprintf(stderr, "attnscope serve: stopped\n");
  return 0;
}

}  // namespace attnscope
