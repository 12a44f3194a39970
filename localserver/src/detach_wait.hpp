// Launcher side of --detach, shared by both platforms: wait (bounded) until the
// child has written the port file naming its pid.
#pragma once
#include <functional>
#include <string>

namespace ls::platform {

// child_exited() is polled; returns the launcher's exit code.
int wait_for_port_file(const std::string& port_file, long long child_pid,
                       const std::function<bool()>& child_exited);

}  // namespace ls::platform
