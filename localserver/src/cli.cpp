#include "cli.hpp"

#include "params.hpp"

#include <sstream>

namespace ls {

namespace {

bool ipv4_loopback(const std::string& h) {
  std::stringstream ss(h);
  std::string part;
  int n = 0;
  int first = -1;
  while (std::getline(ss, part, '.')) {
    if (part.empty() || part.size() > 3 || part.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
    int v = std::stoi(part);
    if (v > 255) {
      return false;
    }
    if (n == 0) {
      first = v;
    }
    ++n;
  }
  return n == 4 && h.back() != '.' && first == 127;
}

}  // namespace

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" || ipv4_loopback(host);
}

std::string usage() {
  return "usage: localserver [--control-port N] [--bind 127.0.0.1] [--port-file PATH] [--detach]\n"
         "                   [--log-file PATH] [--max-lifetime-s N]\n"
         "       localserver --stop --port-file PATH\n"
         "       localserver --help\n"
         "Loopback HTTP/WebSocket test server; see localserver/README.md.\n";
}

ParseResult parse_args(const std::vector<std::string>& args) {
  ParseResult r;
  Options& o = r.options;
  try {
    for (size_t i = 0; i < args.size(); ++i) {
      std::string a = args[i];
      std::string value;
      bool has_inline = false;
      if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
        value = a.substr(eq + 1);
        a = a.substr(0, eq);
        has_inline = true;
      }
      auto next = [&]() -> std::string {
        if (has_inline) {
          return value;
        }
        if (i + 1 >= args.size()) {
          throw BadRequest(a + " needs a value");
        }
        return args[++i];
      };
      auto flag = [&] {
        if (has_inline) {
          throw BadRequest(a + " takes no value");
        }
      };
      if (a == "--help" || a == "-h") {
        flag();
        o.help = true;
      } else if (a == "--detach") {
        flag();
        o.detach = true;
      } else if (a == "--stop") {
        flag();
        o.stop = true;
      } else if (a == "--control-port") {
        o.control_port = static_cast<int>(parse_int(next(), 0, 65535, "--control-port"));
      } else if (a == "--bind") {
        o.bind = next();
      } else if (a == "--port-file") {
        o.port_file = next();
        if (o.port_file.empty()) {
          throw BadRequest("--port-file needs a path");
        }
      } else if (a == "--log-file") {
        o.log_file = next();
        if (o.log_file.empty()) {
          throw BadRequest("--log-file needs a path");
        }
      } else if (a == "--max-lifetime-s") {
        o.max_lifetime_s = parse_int(next(), 0, 31536000, "--max-lifetime-s");
      } else {
        throw BadRequest("unknown argument '" + a + "'");
      }
    }
  } catch (const BadRequest& e) {
    r.error = e.what();
    return r;
  }
  if (o.help) {
    return r;
  }
  if (!is_loopback(o.bind)) {
    r.error = "--bind " + o.bind + " is not a loopback address (127.0.0.0/8 or ::1): refused";
    return r;
  }
  if (o.bind == "localhost") {
    o.bind = "127.0.0.1";
  }
  if (o.stop && o.port_file.empty()) {
    r.error = "--stop needs --port-file";
  } else if (o.stop && o.detach) {
    r.error = "--stop and --detach exclude each other";
  } else if (o.detach && o.port_file.empty()) {
    r.error = "--detach needs --port-file (the launcher waits for it)";
  }
  return r;
}

std::vector<std::string> child_args(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    if (a != "--detach") {
      out.push_back(a);
    }
  }
  return out;
}

}  // namespace ls
