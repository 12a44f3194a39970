// The port file: {"control_port":N,"pid":P,"host":"127.0.0.1"}, written atomically
// (temporary file + rename) once the control port listens.
#pragma once
#include <optional>
#include <string>

namespace ls {

struct PortInfo {
  int control_port = 0;
  long long pid = 0;
  std::string host;
};

bool write_port_file(const std::string& path, const PortInfo& info, std::string& error);
std::optional<PortInfo> read_port_file(const std::string& path);
// Removes the file only if it still names `pid` (a newer server may own it).
void remove_port_file(const std::string& path, long long pid);

}  // namespace ls
