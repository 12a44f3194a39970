#include "cli.hpp"

#include <gtest/gtest.h>

using ls::parse_args;

TEST(Cli, Defaults) {
  auto r = parse_args({});
  ASSERT_TRUE(r.error.empty());
  EXPECT_EQ(r.options.control_port, 0);
  EXPECT_EQ(r.options.bind, "127.0.0.1");
  EXPECT_FALSE(r.options.detach);
  EXPECT_EQ(r.options.max_lifetime_s, 0);
}

TEST(Cli, AllOptionsBothSpellings) {
  auto r = parse_args({"--control-port", "8123", "--bind=127.0.0.2", "--port-file", "p.json", "--detach",
                       "--log-file=l.txt", "--max-lifetime-s", "1800"});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.options.control_port, 8123);
  EXPECT_EQ(r.options.bind, "127.0.0.2");
  EXPECT_EQ(r.options.port_file, "p.json");
  EXPECT_TRUE(r.options.detach);
  EXPECT_EQ(r.options.log_file, "l.txt");
  EXPECT_EQ(r.options.max_lifetime_s, 1800);
}

TEST(Cli, RefusesNonLoopback) {
  for (const char* h : {"0.0.0.0", "10.0.0.1", "192.168.1.1", "::", "example.com", "127.0.0", "127.0.0.1."}) {
    auto r = parse_args({"--bind", h});
    EXPECT_NE(r.error.find("loopback"), std::string::npos) << h << ": " << r.error;
  }
  EXPECT_TRUE(parse_args({"--bind", "::1"}).error.empty());
  auto r = parse_args({"--bind", "localhost"});
  EXPECT_TRUE(r.error.empty());
  EXPECT_EQ(r.options.bind, "127.0.0.1");
}

TEST(Cli, BadArguments) {
  EXPECT_FALSE(parse_args({"--control-port"}).error.empty());
  EXPECT_FALSE(parse_args({"--control-port", "70000"}).error.empty());
  EXPECT_FALSE(parse_args({"--control-port", "12x"}).error.empty());
  EXPECT_FALSE(parse_args({"--max-lifetime-s", "-1"}).error.empty());
  EXPECT_FALSE(parse_args({"--bogus"}).error.empty());
  EXPECT_FALSE(parse_args({"--detach=1", "--port-file", "x"}).error.empty());
  EXPECT_FALSE(parse_args({"--stop"}).error.empty());
  EXPECT_FALSE(parse_args({"--detach"}).error.empty());
  EXPECT_TRUE(parse_args({"--stop", "--port-file", "x"}).error.empty());
  EXPECT_TRUE(parse_args({"--help"}).options.help);
}

TEST(Cli, ChildArgsDropDetach) {
  auto a = ls::child_args({"--detach", "--port-file", "x"});
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0], "--port-file");
}
