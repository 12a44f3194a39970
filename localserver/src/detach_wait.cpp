#include "detach_wait.hpp"

#include "port_file.hpp"

#include <chrono>
#include <cstdio>
#include <thread>

namespace ls::platform {

int wait_for_port_file(const std::string& port_file, long long child_pid,
                       const std::function<bool()>& child_exited) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    auto p = read_port_file(port_file);
    if (p && p->pid == child_pid) {
      return 0;
    }
    if (child_exited()) {
      std::fprintf(stderr, "localserver: detached server (pid %lld) exited before writing %s\n", child_pid,
                   port_file.c_str());
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::fprintf(stderr, "localserver: detached server (pid %lld) did not write %s within 10 s\n", child_pid,
               port_file.c_str());
  return 1;
}

}  // namespace ls::platform
