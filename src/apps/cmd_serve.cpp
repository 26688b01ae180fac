// attnscope serve: the live viewer over HTTP, on trained models and/or saved attention files.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "apps/args.h"
#include "apps/commands.h"
#include "io/attention_file.h"
#include "apps/runtime_flags.h"
#include "apps/model_library.h"
#include "serve/request_guard.h"
#include "serve/viewer_server.h"

namespace attnscope {

namespace {

const char* kHelp = R"(usage: attnscope serve [--model DIR ...] [FILE.attn.safetensors ...] [options]

Serves the attention viewer (overview, heads, compare, steps) and its API. Type new inputs into
any loaded model, mask source tokens and compare, download figures. Ctrl-C stops it.

options:
  --model MODEL      a model to run inputs on (repeat for several): a folder made by attnscope
                     train, a Hugging Face folder (BERT, GPT-2, Llama, Marian) or a llama2.c
                     checkpoint; the viewer lists each by its folder's name
  --port N           (default 8080; 0 = any free port, printed on start)
  --host ADDR        (default 127.0.0.1: only this machine; 0.0.0.0 opens it to the network,
                     with a token in the printed address that every request must carry)
  --threads N        CPU threads for model runs and for pooling thumbnails (default 1)
  --device cpu|cuda  where the models run (default cpu)

In the viewer: type into BERT and mask words (Compare), generate with GPT-2 or Llama and step
through the generated tokens (Steps), translate with Marian or an attnscope model and read the
cross-attention.

examples:
  attnscope serve --model models/dates out/dates-gallery.attn.safetensors
  attnscope serve --model tests/fixtures/tiny-bert --model ../shared/models/stories260K --port 0
)";

// Ctrl-C and SIGTERM stop the server from ordinary code: the handler only writes one byte to a
// pipe (async-signal-safe); a thread waiting on the pipe calls ViewerServer::stop(). This works
// whichever thread the kernel delivers the signal to (libtorch's pools included), and also when
// the shell started us with SIGINT ignored (`attnscope serve &` in a script). A second signal
// while stopping exits at once.
class StopSignals {
 public:
  StopSignals() {
    if (::pipe(fds_) != 0) throw std::runtime_error("serve: cannot create a pipe for Ctrl-C");
    write_fd_ = fds_[1];
    struct sigaction sa = {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
  }
  ~StopSignals() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
    write_fd_ = -1;
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  // Blocks until a signal (true) or release() (false).
  bool wait() {
    char c = 0;
    while (::read(fds_[0], &c, 1) < 0 && errno == EINTR) {
    }
    return c == 's';
  }
  void release() {
    const char c = 'r';
    if (::write(fds_[1], &c, 1) < 0) {
    }
  }

 private:
  static void on_signal(int) {
    static volatile sig_atomic_t seen = 0;
    if (seen) ::_exit(130);
    seen = 1;
    const char c = 's';
    const int saved = errno;
    if (write_fd_ >= 0 && ::write(write_fd_, &c, 1) < 0) {
    }
    errno = saved;
  }
  static inline volatile sig_atomic_t write_fd_ = -1;
  int fds_[2] = {-1, -1};
  struct sigaction old_int_ = {}, old_term_ = {};
};

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
  const Runtime runtime = parse_runtime(args);
  args.finish();
  if (model_dirs.empty() && args.positionals().empty())
    throw UsageError("nothing to show: give --model DIR and/or .attn.safetensors files");

  SetStore sets;
  for (const auto& f : args.positionals()) sets.add(std::filesystem::path(f).filename().string(), "file", load_attention_set(f));
  std::vector<std::shared_ptr<const Model>> models;
  for (const auto& dir : model_dirs) {
    std::shared_ptr<const Model> model = load_model(dir, runtime);
    if (model->info().kinds.empty()) throw std::invalid_argument(dir + " has no attention (--attention none)");
    for (const auto& m : models)
      if (m->info().name == model->info().name)
        throw UsageError("two models are named '" + m->info().name + "'; give folders with different names");
    std::fprintf(stderr, "model %s: %s\n", model->info().name.c_str(), model->info().summary.c_str());
    models.push_back(std::move(model));
  }

  ViewerServer server(sets, std::move(models), static_cast<size_t>(runtime.threads));
  const int bound = server.bind(host, port);
  const bool open_to_network = host != "127.0.0.1" && host != "localhost" && host != "::1";
  std::string token;
  if (open_to_network) {
    token = random_token();
    server.require_token(token);
    std::fprintf(stderr, "attnscope serve: listening on %s: anyone who can reach this machine could run the models and read "
                         "the sets, so every request must carry the token in the address below\n", host.c_str());
  }
  StopSignals stop_signals;  // installed before the first request thread exists
  std::atomic<bool> listening_done{false};
  std::thread stopper([&] {
    if (!stop_signals.wait()) return;
    // stop() is a no-op until listen() has started: repeat until it has taken effect.
    while (!listening_done) {
      server.stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  std::printf("attnscope serve: http://%s:%d/%s  (Ctrl-C stops it)\n", host == "0.0.0.0" ? "127.0.0.1" : host.c_str(), bound,
              token.empty() ? "" : ("?token=" + token).c_str());
  std::fflush(stdout);
  server.listen();
  listening_done = true;
  stop_signals.release();  // listen may also end on its own: free the waiter
  stopper.join();
  std::fprintf(stderr, "attnscope serve: stopped\n");
  return 0;
}

}  // namespace attnscope
