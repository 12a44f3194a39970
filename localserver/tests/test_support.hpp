// In-process control server plus small helpers shared by the native tests.
#pragma once
#include "control_server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

namespace lstest {

using nlohmann::json;

// Starts a control server on an ephemeral loopback port for each test.
class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // POST /scenarios?kind=...; returns {"id","port","kind"}.
  json create(const std::string& kind = "http");
  std::unique_ptr<httplib::Client> client(int port);
  httplib::Client& control() { return *control_; }
  // Control GET/POST returning parsed JSON (and the status through `status`).
  json get(const std::string& path, int* status = nullptr);
  json post(const std::string& path, int* status = nullptr);
  json stats(const std::string& id) { return get("/scenarios/" + id + "/stats"); }

  std::unique_ptr<ls::ControlServer> server_;
  int control_port_ = 0;
  std::unique_ptr<httplib::Client> control_;
  std::atomic<bool> shutdown_called_{false};

 private:
  json parsed(const httplib::Result& r, const char* method, const std::string& path, int* status);
};

// A ServerTest with one scenario of its kind created for each test: its id, its port and a client.
class ScenarioTest : public ServerTest {
 protected:
  explicit ScenarioTest(std::string kind = "http") : kind_(std::move(kind)) {}
  void SetUp() override;

  json log() { return get("/scenarios/" + id_ + "/log"); }
  // GET /scenarios/<id>/await?<query>: the status (200 once the condition held, 408 on timeout).
  int await(const std::string& query);
  // GET `path` on the scenario, expecting a response with `status` (a failure names the path).
  httplib::Result get_expect(const std::string& path, int status, const httplib::Headers& headers = {});
  // The status of GET `path` on the scenario, or -1 (with a failure) if no response came.
  int status_of(const std::string& path, const httplib::Headers& headers = {});
  // Each path answers `status`.
  void expect_status_for_each(std::initializer_list<const char*> paths, int status);

  std::string id_;
  int port_ = 0;
  std::unique_ptr<httplib::Client> c_;

 private:
  std::string kind_;
};

// A raw TCP client for byte-level tests (malformed requests, abrupt closes).
class RawConn {
 public:
  explicit RawConn(int port);
  ~RawConn();
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;
  bool ok() const { return ok_; }
  bool send(const std::string& data);
  // Reads until the peer closes, `until` appears, or timeout; returns what came.
  std::string read(int timeout_ms, const std::string& until = "");
  void close();
  void reset();  // linger 0: RST
  // How the last read() ended: 0 = timeout/`until` found, 1 = FIN, 2 = error (e.g. RST).
  int ended_by() const { return ended_by_; }

 private:
  socket_t s_;
  bool ok_ = false;
  int ended_by_ = 0;
};

}  // namespace lstest
