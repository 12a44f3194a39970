// Command line of the localserver executable.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ls {

struct Options {
  int control_port = 0;  // 0 = ephemeral
  std::string bind = "127.0.0.1";
  std::string port_file;
  std::string log_file;
  bool detach = false;
  bool stop = false;
  bool help = false;
  std::int64_t max_lifetime_s = 0;  // 0 = unlimited
};

struct ParseResult {
  Options options;
  std::string error;  // empty on success
};

ParseResult parse_args(const std::vector<std::string>& args);  // args without argv[0]
std::string usage();

// 127.0.0.0/8, ::1 or "localhost" (normalised to 127.0.0.1 by parse_args).
bool is_loopback(const std::string& host);

// The arguments a detached child is started with: the same minus --detach.
std::vector<std::string> child_args(const std::vector<std::string>& args);

}  // namespace ls
