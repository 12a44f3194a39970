// The control channel: JSON over HTTP on the control port. Creates, observes,
// steers and deletes scenarios; never counted as client traffic.
#pragma once
#include "conn_server.hpp"
#include "scenario.hpp"
#include "tls_spec.hpp"

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

  // The test CA (empty when TLS is unavailable) and where it was written for the suites.
  bool tls_available() const { return authority_ != nullptr; }
  std::string ca_pem() const { return ca(CaFormat::pem); }
  std::string ca_der() const { return ca(CaFormat::der); }
  void set_ca_files(std::string pem_path, std::string der_path);
  // The port file's "tls" object (see hc_protocol/tls.h).
  nlohmann::json tls_port_info() const;

 private:
  void routes();
  std::shared_ptr<Scenario> find(const std::string& id);

  nlohmann::json tls_info() const;  // GET /tls
  enum class CaFormat { pem, der };
  std::string ca(CaFormat format) const;

  std::string host_;
  std::function<void()> on_shutdown_;
  std::shared_ptr<class TlsAuthority> authority_;  // null: TLS unavailable (tls_reason_ says why)
  std::string tls_reason_;
  std::string ca_pem_file_;
  std::string ca_der_file_;
  std::shared_ptr<TlsTotals> totals_ = std::make_shared<TlsTotals>();
  ConnServer http_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Scenario>> scenarios_;
  std::uint64_t next_id_ = 1;
  bool stopped_ = false;
};

}  // namespace ls
