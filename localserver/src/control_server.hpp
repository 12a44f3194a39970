// The control channel: JSON over HTTP on the control port. Creates, observes,
// steers and deletes scenarios; never counted as client traffic.
#pragma once
#include "conn_server.hpp"
#include "scenario.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace ls {

class ControlServer {
 public:
  // on_shutdown is called (from a control thread) for POST /shutdown.
  ControlServer(std::string host, std::function<void()> on_shutdown);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  int start(int port);  // returns the bound port or -1
  // Stops every scenario, then the control listener.
  void stop();

 private:
  void routes();
  std::shared_ptr<Scenario> find(const std::string& id);

  std::string host_;
  std::function<void()> on_shutdown_;
  ConnServer http_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Scenario>> scenarios_;
  std::uint64_t next_id_ = 1;
  bool stopped_ = false;
};

}  // namespace ls
