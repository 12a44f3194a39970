#include "detach_wait.hpp"
#include "platform.hpp"

#include <csignal>
#include <cstdio>
#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ls::platform {

namespace {

volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_stop_signal(int) {
  g_stop = 1;
}

}  // namespace

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  sigaction(SIGPIPE, &ign, nullptr);  // a vanished client must not kill the server
}

bool stop_requested() {
  return g_stop != 0;
}
void shutdown_complete() {}

long long current_pid() {
  return static_cast<long long>(::getpid());
}

bool process_alive(long long pid) {
  if (pid <= 0) {
    return false;
  }
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) {
    return false;
  }
#ifdef __linux__
  // A daemon that exited stays a zombie until its new parent reaps it (some
  // container inits do that only now and then): count zombies as gone.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (std::getline(stat, line)) {
    auto close_paren = line.rfind(')');
    if (close_paren != std::string::npos && close_paren + 2 < line.size() && line[close_paren + 2] == 'Z') {
      return false;
    }
  }
#endif
  return true;
}

bool redirect_output(const std::string& log_file) {
  int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) {
    return false;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  ::dup2(fd, 1);
  ::dup2(fd, 2);
  ::close(fd);
  return true;
}

int detach(const std::vector<std::string>&, const std::string& port_file, const std::string& log_file) {
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t child = ::fork();
  if (child < 0) {
    std::perror("localserver: fork");
    return 1;
  }
  if (child == 0) {
    // The daemon: own session, and none of the launcher's streams (ctest waits
    // for every holder of its output pipe to close).
    ::setsid();
    int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      ::dup2(null_fd, 0);
      ::dup2(null_fd, 1);
      ::dup2(null_fd, 2);
      ::close(null_fd);
    }
    if (!log_file.empty()) {
      redirect_output(log_file);
    }
    return -1;
  }
  return wait_for_port_file(port_file, child, [child] {
    int status = 0;
    return ::waitpid(child, &status, WNOHANG) == child;
  });
}

}  // namespace ls::platform
