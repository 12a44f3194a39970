// httplib::Server that serves each connection on its own tracked thread with our
// own keep-alive loop, which gives exact connection accounting, the socket of
// the connection to its handlers (client-gone detection), pipelining across
// requests, a bounded time to read a request, and prompt shutdown of idle
// keep-alive connections. Relies on httplib 0.11-0.14 internals:
// process_and_close_socket (private virtual, overridden) and process_request
// (protected). See README.md "httplib versions".
#pragma once
#include "scenario_state.hpp"
#include "tls_spec.hpp"

#include <httplib.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace ls {

struct ServerLimits {
  int read_timeout_s = 5;          // per read while a request is being received
  int request_read_budget_s = 15;  // whole request line + headers + body
  int write_timeout_s = 5;
  int keep_alive_timeout_s = 30;  // idle time before we close a keep-alive connection
  std::size_t keep_alive_max = 10000;
  std::size_t payload_max = 64u * 1024u * 1024u;
  int backlog = 1024;
};

class ConnServer : public httplib::Server {
 public:
  // With a state, every connection and request is accounted to it and
  // responses carry X-Conn-Id / X-Conn-Seq / X-Request-Seq.
  explicit ConnServer(ScenarioState* state, ServerLimits limits = {});
  ~ConnServer() override;
  ConnServer(const ConnServer&) = delete;
  ConnServer& operator=(const ConnServer&) = delete;

  using Dispatch = std::function<void(const httplib::Request&, httplib::Response&)>;
  // Handles every request of an accounted server (instead of httplib's routes).
  void set_dispatch(Dispatch d);
  // Makes every connection of an accounted server speak TLS (before start).
  void set_tls(TlsListen tls);

  // Binds host:port (0 = ephemeral) and starts listening on a thread.
  // Returns the port, or -1.
  int start(const std::string& host, int port);
  // Stops accepting, wakes and closes every connection, joins all threads.
  void shutdown_all();

 private:
  bool process_and_close_socket(socket_t sock) override;
  bool wait_for_request(socket_t sock, bool buffered);
  void install_hooks();

  ScenarioState* state_;
  ServerLimits limits_;
  Dispatch dispatch_;
  std::optional<TlsListen> tls_;
  std::atomic<bool> stopping_{false};
  std::mutex conns_mu_;
  std::map<std::uint64_t, socket_t> conns_;
  std::uint64_t next_local_id_ = 1;
  std::thread listen_thread_;
};

}  // namespace ls
