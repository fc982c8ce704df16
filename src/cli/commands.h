// The `trailwatch` subcommands. Each Register* adds one subcommand to the CLI11 app; the command
// runs when parsing selects it and stores its exit code in *exit_code.
//
// Exit codes (all commands): 0 success, 1 some inputs failed, 2 usage or validation error.
#pragma once

#include <CLI/CLI.hpp>

namespace trailwatch::cli {

void RegisterTestPattern(CLI::App& app, int* exit_code);
void RegisterMatch(CLI::App& app, int* exit_code);
void RegisterSendTest(CLI::App& app, int* exit_code);
void RegisterOutbox(CLI::App& app, int* exit_code);
void RegisterDeliver(CLI::App& app, int* exit_code);
void RegisterScan(CLI::App& app, int* exit_code);
void RegisterGenerate(CLI::App& app, int* exit_code);
void RegisterCfn(CLI::App& app, int* exit_code);  // import-cfn, export-cfn
void RegisterRun(CLI::App& app, int* exit_code);
void RegisterValidate(CLI::App& app, int* exit_code);
void RegisterPacks(CLI::App& app, int* exit_code);  // packs list, packs show
void RegisterStore(CLI::App& app, int* exit_code);  // store migrate
void RegisterConsole(CLI::App& app, int* exit_code);  // console hash-password

}  // namespace trailwatch::cli
