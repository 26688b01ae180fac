// Every subcommand: parse flags, call the library, print. Each lives in apps/cmd_<name>.cpp.
// They throw UsageError for bad flags and std::exception for everything else; main() prints
// one line and exits non-zero.
#pragma once

namespace attnscope {

int cmd_train(int argc, char** argv);
int cmd_train_translate(int argc, char** argv);  // cmd_train's path for --task translate
int cmd_eval(int argc, char** argv);
int cmd_run(int argc, char** argv);
int cmd_tokenize(int argc, char** argv);
int cmd_render(int argc, char** argv);
int cmd_import(int argc, char** argv);
int cmd_export(int argc, char** argv);
int cmd_aer(int argc, char** argv);
int cmd_align(int argc, char** argv);
int cmd_stats(int argc, char** argv);
int cmd_derive(int argc, char** argv);
int cmd_serve(int argc, char** argv);
int cmd_bpe(int argc, char** argv);
int cmd_bleu(int argc, char** argv);

}  // namespace attnscope
