// The executable: --help, bad arguments, non-loopback --bind, --detach with
// --port-file, --stop, --max-lifetime-s.
#include "port_file.hpp"
#include "platform.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
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
  ASSERT_EQ(run("--detach --max-lifetime-s 60 --port-file \"" + pf + "\""), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  auto info = ls::read_port_file(pf);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->host, "127.0.0.1");
  EXPECT_GT(info->control_port, 0);
  EXPECT_TRUE(ls::platform::process_alive(info->pid));
  httplib::Client c("127.0.0.1", info->control_port);
  c.set_connection_timeout(2, 0);
  auto r = c.Get("/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(run("--stop --port-file \"" + pf + "\""), 0);
  EXPECT_TRUE(wait_gone(info->pid, std::chrono::seconds(5)));
  EXPECT_FALSE(std::filesystem::exists(pf));
}

TEST(Process, MaxLifetimeEndsServer) {
  std::string pf = temp_port_file("lifetime");
  ASSERT_EQ(run("--detach --max-lifetime-s 1 --port-file \"" + pf + "\""), 0);
  auto info = ls::read_port_file(pf);
  ASSERT_TRUE(info);
  EXPECT_TRUE(wait_gone(info->pid, std::chrono::seconds(5)));
  EXPECT_FALSE(std::filesystem::exists(pf));
}

TEST(Process, StopWithoutServerFails) {
  std::string pf = temp_port_file("none");
  EXPECT_EQ(run("--stop --port-file \"" + pf + "\""), 1);
}
