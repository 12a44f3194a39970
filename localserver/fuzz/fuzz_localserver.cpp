// libFuzzer target for localserver's input paths: parameter parsing, and arbitrary bytes sent
// over real loopback sockets to an http, a ws (after a valid upgrade: the frame path) and a raw
// listener of an in-process server, and (TLS builds) to the accept paths of TLS listeners: the
// handshake of an https and a wss listener, the ClientHello reader of handshake=reset, and the
// wrong-protocol check of a plain listener (the bytes after a TLS record header). The first byte
// picks the path. Every 64 inputs the server must still answer GET /get, over TLS too: malformed
// input must never stop it serving others.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "control_server.hpp"
#include "params.hpp"

namespace {

struct Server {
  ls::ControlServer control{"127.0.0.1", [] {}};
  int http_port = 0, ws_port = 0, raw_port = 0;
  int https_port = 0, reset_port = 0, wss_port = 0;  // 0 without TLS

  Server() {
    const int port = control.start(0);
    if (port <= 0)
      std::abort();
    httplib::Client client("127.0.0.1", port);
    auto make = [&](const std::string& query) {
      auto res = client.Post(("/scenarios?kind=" + query).c_str());
      if (!res || res->status != 200)
        std::abort();
      return nlohmann::json::parse(res->body).at("port").get<int>();
    };
    http_port = make("http");
    ws_port = make("ws");
    raw_port = make("raw");
#if LOCALSERVER_TLS
    https_port = make("http&tls=valid");
    reset_port = make("http&tls=valid&handshake=reset");
    wss_port = make("ws&tls=valid");
#endif
  }
};

Server& TheServer() {
  static Server* server = new Server;  // lives for the fuzzing process
  return *server;
}

// Sends bytes, half-closes, and reads what comes back for at most 200 ms.
void Exchange(int port, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    char buffer[4096];
    pollfd p{fd, POLLIN, 0};
    for (int i = 0; i < 20 && ::poll(&p, 1, 10) >= 0; ++i) {
      if ((p.revents & (POLLIN | POLLHUP)) == 0)
        continue;
      if (::recv(fd, buffer, sizeof(buffer), 0) <= 0)
        break;
    }
  }
  ::close(fd);
}

void CheckParams(const std::string& text) {
  try {
    const auto v = ls::parse_int(text, -1000, 1000, "x");
    if (v < -1000 || v > 1000)
      std::abort();
  } catch (const ls::BadRequest&) {
  }
  try {
    const auto ms = ls::parse_seconds_ms(text, 60, "x");
    if (ms < 0 || ms > 60000)
      std::abort();
  } catch (const ls::BadRequest&) {
  }
  if (ls::valid_name(text) && (text.empty() || text.size() > 64))
    std::abort();
}

// Aborts the fuzzing run unless `client` still gets 200 for GET /get (`over` names the transport).
template <typename Client>
void ExpectServing(Client& client, const char* over) {
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  auto res = client.Get("/get");
  if (!res || res->status != 200) {
    std::fprintf(stderr, "localserver stopped serving GET /get%s after malformed input\n", over);
    std::abort();
  }
}

constexpr const char* kUpgrade =
    "GET /websocket/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  Server& server = TheServer();
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  // % 8 keeps the first four paths where the kept corpus expects them.
  const int tls_fallback = server.https_port ? 0 : 1;  // without TLS those inputs go to http
  switch (data[0] % 8) {
    case 0:
      CheckParams(rest);
      break;
    case 1:
      Exchange(server.http_port, rest);
      break;
    case 2:
      Exchange(server.ws_port, kUpgrade + rest);
      break;
    case 3:
      Exchange(server.raw_port, rest);
      break;
    case 4:
      Exchange(tls_fallback ? server.http_port : server.https_port, rest);
      break;
    case 5:
      Exchange(tls_fallback ? server.http_port : server.reset_port, rest);
      break;
    case 6:
      Exchange(server.http_port, "\x16\x03\x01" + rest);
      break;
    default:
      Exchange(tls_fallback ? server.ws_port : server.wss_port, rest);
      break;
  }
  static unsigned runs = 0;
  if (++runs % 64 == 0) {
    httplib::Client client("127.0.0.1", server.http_port);
    ExpectServing(client, "");
#if LOCALSERVER_TLS && defined(CPPHTTPLIB_OPENSSL_SUPPORT)
    httplib::SSLClient tls_client("127.0.0.1", server.https_port);
    tls_client.enable_server_certificate_verification(false);
    ExpectServing(tls_client, " over TLS");
#endif
  }
  return 0;
}
