// The executable: --help, bad arguments, non-loopback --bind, --detach with
// --port-file (and again on the same file), --stop, --max-lifetime-s, the test CA next to the port
// file.
#include "port_file.hpp"
#include "platform.hpp"

#include <gtest/gtest.h>
#include <hc_protocol/tls.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#ifndef _WIN32
#include <sys/wait.h>
#endif

namespace {

int run(const std::string& args) {
  std::string cmd = std::string("\"") + LOCALSERVER_EXE + "\" " + args;
#ifdef _WIN32
  return std::system(("\"" + cmd + "\" >NUL 2>&1").c_str());
#else
  int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
#endif
}

std::string temp_port_file(const char* name) {
  auto p = std::filesystem::temp_directory_path() /
           (std::string("ls-test-") + name + "-" + std::to_string(ls::platform::current_pid()) + ".json");
  std::filesystem::remove(p);
  return p.string();
}

bool wait_gone(long long pid, std::chrono::milliseconds within) {
  auto end = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < end) {
    if (!ls::platform::process_alive(pid)) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// Starts a detached server for port file pf: what the file then says, nothing if it did not start.
std::optional<ls::PortInfo> detach(const std::string& pf, int lifetime_s = 60) {
  if (run("--detach --max-lifetime-s " + std::to_string(lifetime_s) + " --port-file \"" + pf + "\"") != 0) {
    return std::nullopt;
  }
  return ls::read_port_file(pf);
}

// --stop for pf succeeds, the server (pid) is gone within 5 s and so is its port file.
::testing::AssertionResult stopped(const std::string& pf, long long pid) {
  if (run("--stop --port-file \"" + pf + "\"") != 0) {
    return ::testing::AssertionFailure() << "--stop failed";
  }
  if (!wait_gone(pid, std::chrono::seconds(5))) {
    return ::testing::AssertionFailure() << "pid " << pid << " still runs 5 s after --stop";
  }
  if (std::filesystem::exists(pf)) {
    return ::testing::AssertionFailure() << pf << " is still there";
  }
  return ::testing::AssertionSuccess();
}

// GET path on the control port of the server of info.
httplib::Result control_get(const ls::PortInfo& info, const char* path) {
  httplib::Client c("127.0.0.1", info.control_port);
  c.set_connection_timeout(2, 0);
  return c.Get(path);
}

}  // namespace

TEST(Process, HelpAndBadArguments) {
  EXPECT_EQ(run("--help"), 0);
  EXPECT_EQ(run("--no-such-option"), 2);
  EXPECT_EQ(run("--control-port x"), 2);
  EXPECT_EQ(run("--bind 0.0.0.0"), 2);
  EXPECT_EQ(run("--bind 192.168.0.1"), 2);
}

TEST(Process, DetachPortFileStop) {
  std::string pf = temp_port_file("detach");
  auto t0 = std::chrono::steady_clock::now();
  auto info = detach(pf);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->host, "127.0.0.1");
  EXPECT_GT(info->control_port, 0);
  EXPECT_TRUE(ls::platform::process_alive(info->pid));
  auto r = control_get(*info, "/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(stopped(pf, info->pid));
}

// A second --detach on the same port file stops the server that still runs for it: no server is
// left running without a port file that names it.
TEST(Process, DetachAgainStopsTheServerOfThePortFile) {
  std::string pf = temp_port_file("again");
  auto first = detach(pf);
  ASSERT_TRUE(first);
  auto second = detach(pf);
  ASSERT_TRUE(second);
  EXPECT_NE(second->pid, first->pid);
  EXPECT_TRUE(wait_gone(first->pid, std::chrono::seconds(5))) << "the first server still runs";
  EXPECT_TRUE(ls::platform::process_alive(second->pid));
  EXPECT_TRUE(stopped(pf, second->pid));
}

// The port file says whether TLS is there; with it, the test CA certificate lies next to the port
// file (PEM and DER of one certificate, the one GET /tls serves), and goes with the server.
TEST(Process, PortFileNamesTheTestCa) {
  namespace tls = hc_protocol::tls;
  std::string pf = temp_port_file("tls");
  auto info = detach(pf);
  ASSERT_TRUE(info);
  const nlohmann::json& t = info->tls;
  ASSERT_TRUE(t.contains(tls::kAvailable)) << t.dump();
  auto r = control_get(*info, "/tls");
  ASSERT_TRUE(r);
  auto served = nlohmann::json::parse(r->body);
  EXPECT_EQ(served[tls::kAvailable], t[tls::kAvailable]);
  std::string pem_path = ls::ca_file_for(pf, ".pem");
  std::string der_path = ls::ca_file_for(pf, ".der");
  if (t[tls::kAvailable].get<bool>()) {
    EXPECT_EQ(t[tls::kCaPemFile], pem_path);
    EXPECT_EQ(t[tls::kCaDerFile], der_path);
    std::ifstream pem_in(pem_path, std::ios::binary);
    std::stringstream pem;
    pem << pem_in.rdbuf();
    EXPECT_EQ(pem.str(), served[tls::kCaPemText].get<std::string>());
    EXPECT_EQ(pem.str().rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
    EXPECT_GT(std::filesystem::file_size(der_path), 300u);  // a DER certificate, not empty
  } else {
    EXPECT_FALSE(t.value(tls::kReason, "").empty()) << t.dump();
    EXPECT_FALSE(std::filesystem::exists(pem_path));
  }
  EXPECT_TRUE(stopped(pf, info->pid));
  EXPECT_FALSE(std::filesystem::exists(pem_path));
  EXPECT_FALSE(std::filesystem::exists(der_path));
}

TEST(Process, MaxLifetimeEndsServer) {
  std::string pf = temp_port_file("lifetime");
  auto info = detach(pf, 1);
  ASSERT_TRUE(info);
  EXPECT_TRUE(wait_gone(info->pid, std::chrono::seconds(5)));
  EXPECT_FALSE(std::filesystem::exists(pf));
}

TEST(Process, StopWithoutServerFails) {
  std::string pf = temp_port_file("none");
  EXPECT_EQ(run("--stop --port-file \"" + pf + "\""), 1);
}
