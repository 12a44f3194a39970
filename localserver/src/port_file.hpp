// The port file: {"control_port":N,"pid":P,"host":"127.0.0.1","tls":{...}}, written atomically
// (temporary file + rename) once the control port listens. "tls" (hc_protocol/tls.h) says whether
// TLS listeners are available and where the test CA certificate is.
#pragma once
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace ls {

struct PortInfo {
  int control_port = 0;
  long long pid = 0;
  std::string host;
  nlohmann::json tls = nlohmann::json::object();
};

// Where the test CA certificate of the server with port file `path` goes: next to it, named after
// it (run/localserver.json: run/localserver-ca.pem and run/localserver-ca.der).
std::string ca_file_for(const std::string& port_file, const std::string& extension);

bool write_port_file(const std::string& path, const PortInfo& info, std::string& error);
std::optional<PortInfo> read_port_file(const std::string& path);
// Removes the file only if it still names `pid` (a newer server may own it).
void remove_port_file(const std::string& path, long long pid);

}  // namespace ls
