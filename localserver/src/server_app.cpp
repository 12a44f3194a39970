#include "server_app.hpp"

#include "control_server.hpp"
#include "platform.hpp"
#include "port_file.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

namespace ls {

namespace {

using Clock = std::chrono::steady_clock;

// Set by POST /shutdown; the main thread polls it with the signal flag.
class ShutdownFlag {
 public:
  void set() {
    std::lock_guard lk(mu_);
    set_ = true;
    cv_.notify_all();
  }
  bool wait(std::chrono::milliseconds ms) {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, ms, [&] { return set_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool set_ = false;
};

// Writes data to path (binary); false with `error` set if it cannot.
bool write_file(const std::string& path, const std::string& data, std::string& error) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  out.close();
  if (!out) {
    error = "cannot write " + path;
    return false;
  }
  return true;
}

// The test CA certificate next to the port file, for the suites (and certificate stores) to trust.
bool write_ca_files(ControlServer& control, const std::string& port_file, std::string& error) {
  if (!control.tls_available()) {
    return true;
  }
  std::string pem = ca_file_for(port_file, ".pem");
  std::string der = ca_file_for(port_file, ".der");
  if (!write_file(pem, control.ca_pem(), error) || !write_file(der, control.ca_der(), error)) {
    return false;
  }
  control.set_ca_files(pem, der);
  return true;
}

void remove_ca_files(const std::string& port_file) {
  std::error_code ec;
  std::filesystem::remove(ca_file_for(port_file, ".pem"), ec);
  std::filesystem::remove(ca_file_for(port_file, ".der"), ec);
}

}  // namespace

int run_server(const Options& opts) {
  if (!opts.log_file.empty() && !opts.detach) {
    if (!platform::redirect_output(opts.log_file)) {
      std::fprintf(stderr, "localserver: cannot open log file %s\n", opts.log_file.c_str());
      return 1;
    }
  }
  platform::install_stop_handlers();
  ShutdownFlag shutdown;
  ControlServer control(opts.bind, [&shutdown] { shutdown.set(); });
  int port = control.start(opts.control_port);
  if (port <= 0) {
    std::fprintf(stderr, "localserver: cannot listen on %s:%d\n", opts.bind.c_str(), opts.control_port);
    return 1;
  }
  long long pid = platform::current_pid();
  if (!opts.port_file.empty()) {
    std::string error;
    if (!write_ca_files(control, opts.port_file, error) ||
        !write_port_file(opts.port_file, {port, pid, opts.bind, control.tls_port_info()}, error)) {
      std::fprintf(stderr, "localserver: %s\n", error.c_str());
      control.stop();
      remove_ca_files(opts.port_file);
      return 1;
    }
  }
  std::printf("localserver %s listening on %s:%d (pid %lld)\n", LOCALSERVER_VERSION, opts.bind.c_str(), port,
              pid);
  std::fflush(stdout);

  auto started = Clock::now();
  const char* why = "shutdown requested";
  for (;;) {
    if (shutdown.wait(std::chrono::milliseconds(100))) {
      break;
    }
    if (platform::stop_requested()) {
      why = "stop signal";
      break;
    }
    if (opts.max_lifetime_s > 0 && Clock::now() - started >= std::chrono::seconds(opts.max_lifetime_s)) {
      why = "max lifetime reached";
      break;
    }
  }
  // Let the /shutdown response reach its client before the control port closes.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  control.stop();
  if (!opts.port_file.empty()) {
    auto mine = read_port_file(opts.port_file);
    if (mine && mine->pid == pid) {  // a newer server may own the files now
      remove_ca_files(opts.port_file);
    }
    remove_port_file(opts.port_file, pid);
  }
  std::printf("localserver stopped: %s\n", why);
  std::fflush(stdout);
  platform::shutdown_complete();
  return 0;
}

int run_stop(const Options& opts) {
  auto info = read_port_file(opts.port_file);
  if (!info) {
    std::fprintf(stderr, "localserver --stop: no readable port file at %s\n", opts.port_file.c_str());
    return 1;
  }
  httplib::Client cli(info->host.empty() ? "127.0.0.1" : info->host, info->control_port);
  cli.set_connection_timeout(2, 0);
  cli.set_read_timeout(5, 0);
  auto res = cli.Post("/shutdown");
  if (!res) {
    if (!platform::process_alive(info->pid)) {
      remove_port_file(opts.port_file, info->pid);
      remove_ca_files(opts.port_file);
      std::fprintf(stderr, "localserver --stop: server (pid %lld) was not running; stale port file removed\n",
                   info->pid);
      return 0;
    }
    std::fprintf(stderr, "localserver --stop: cannot reach control port %d\n", info->control_port);
    return 1;
  }
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    if (!platform::process_alive(info->pid)) {
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::fprintf(stderr, "localserver --stop: server (pid %lld) still running after 10 s\n", info->pid);
  return 1;
}

int localserver_main(const std::vector<std::string>& args) {
  ParseResult parsed = parse_args(args);
  if (!parsed.error.empty()) {
    std::fprintf(stderr, "localserver: %s\n%s", parsed.error.c_str(), usage().c_str());
    return 2;
  }
  const Options& opts = parsed.options;
  if (opts.help) {
    std::printf("%s", usage().c_str());
    return 0;
  }
  if (opts.stop) {
    return run_stop(opts);
  }
  if (opts.detach) {
    // The port file has one owner: a server still running for it (an earlier run that was not
    // stopped) is stopped first, not orphaned; a stale file must not satisfy the launcher.
    if (auto old = read_port_file(opts.port_file); old && platform::process_alive(old->pid)) {
      std::fprintf(stderr, "localserver: stopping the server (pid %lld) still running for %s\n", old->pid,
                   opts.port_file.c_str());
      if (run_stop(opts) != 0) {
        std::fprintf(stderr, "localserver: not started: stop pid %lld first\n", old->pid);
        return 1;
      }
    }
    remove_port_file(opts.port_file, read_port_file(opts.port_file).value_or(PortInfo{}).pid);
    int rc = platform::detach(child_args(args), opts.port_file, opts.log_file);
    if (rc >= 0) {
      return rc;  // the launcher
    }
  }
  return run_server(opts);
}

}  // namespace ls
