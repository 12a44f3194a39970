// The few things that differ between POSIX and Windows: stop signals, process
// ids, daemonizing. Implemented in platform_posix.cpp and platform_win.cpp.
#pragma once
#include <string>
#include <vector>

namespace ls::platform {

// SIGINT/SIGTERM (POSIX) or Ctrl-C/Ctrl-Break/console close (Windows) make
// stop_requested() true; POSIX also ignores SIGPIPE.
void install_stop_handlers();
bool stop_requested();
// Tells a pending Windows console-close handler that cleanup is finished.
void shutdown_complete();

long long current_pid();
bool process_alive(long long pid);

// Starts the server detached from the caller's console and standard streams.
// Returns the launcher's exit code once the child wrote `port_file` (0) or
// failed/timed out (1), or -1 in a process that should go on as the server
// (the POSIX child after fork).
int detach(const std::vector<std::string>& child_args, const std::string& port_file,
           const std::string& log_file);

// Appends stdout and stderr to `log_file`.
bool redirect_output(const std::string& log_file);

}  // namespace ls::platform
