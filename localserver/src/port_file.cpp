#include "port_file.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace ls {

namespace fs = std::filesystem;

bool write_port_file(const std::string& path, const PortInfo& info, std::string& error) {
  nlohmann::json j = {
      {"control_port", info.control_port}, {"pid", info.pid}, {"host", info.host}, {"tls", info.tls}};
  std::string tmp = path + ".tmp" + std::to_string(info.pid);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << j.dump() << "\n";
    out.close();
    if (!out) {
      error = "cannot write " + tmp;
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    error = "cannot rename " + tmp + " to " + path + ": " + ec.message();
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

std::optional<PortInfo> read_port_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("control_port") || !j.contains("pid")) {
    return std::nullopt;
  }
  try {
    PortInfo p;
    p.control_port = j.at("control_port").get<int>();
    p.pid = j.at("pid").get<long long>();
    p.host = j.value("host", std::string("127.0.0.1"));
    p.tls = j.value("tls", nlohmann::json::object());
    return p;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

std::string ca_file_for(const std::string& port_file, const std::string& extension) {
  fs::path p(port_file);
  return (p.parent_path() / (p.stem().string() + "-ca" + extension)).string();
}

void remove_port_file(const std::string& path, long long pid) {
  auto p = read_port_file(path);
  if (p && p->pid == pid) {
    std::error_code ec;
    fs::remove(path, ec);
  }
}

}  // namespace ls
