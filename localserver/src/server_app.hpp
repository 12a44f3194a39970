// The two things the executable does: serve (until /shutdown, a stop signal or
// --max-lifetime-s) and --stop another instance.
#pragma once
#include "cli.hpp"

#include <string>
#include <vector>

namespace ls {

int run_server(const Options& opts);
int run_stop(const Options& opts);
// Entry point shared by main(): parses, detaches if asked, dispatches.
int localserver_main(const std::vector<std::string>& args);

}  // namespace ls
