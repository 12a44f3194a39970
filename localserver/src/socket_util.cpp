#include "socket_util.hpp"

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace ls::sock {

namespace {

#ifdef _WIN32
constexpr int kShutSend = SD_SEND;
constexpr int kShutBoth = SD_BOTH;
constexpr int kNoSigPipe = 0;  // Winsock raises no signal
#else
constexpr int kShutSend = SHUT_WR;
constexpr int kShutBoth = SHUT_RDWR;
constexpr int kNoSigPipe = MSG_NOSIGNAL;
#endif

// One recv or send of up to n bytes through `call` (given the length in the platform's type):
// Winsock takes an int, POSIX is retried when a signal interrupts it.
template <typename Call>
long long transfer(std::size_t n, Call call) {
#ifdef _WIN32
  return call(n > 0x7fffffff ? 0x7fffffff : static_cast<int>(n));
#else
  ssize_t r;
  do {
    r = call(n);
  } while (r < 0 && errno == EINTR);
  return r;
#endif
}

// `failed` (optional): set when the poll reported an error pending on the socket (POLLERR).
int poll_one(socket_t s, bool write, int timeout_ms, bool* failed = nullptr) {
#ifdef _WIN32
  WSAPOLLFD p{};
  p.fd = s;
  p.events = write ? POLLWRNORM : POLLRDNORM;
  int r = WSAPoll(&p, 1, timeout_ms);
  if (r > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)) && write) {
    return -1;
  }
#else
  pollfd p{};
  p.fd = s;
  p.events = write ? POLLOUT : POLLIN;
  int r;
  do {
    r = ::poll(&p, 1, timeout_ms);
  } while (r < 0 && errno == EINTR);
  if (r > 0 && (p.revents & (POLLERR | POLLNVAL)) && write) {
    return -1;
  }
#endif
  if (failed) {
    *failed = r > 0 && (p.revents & POLLERR) != 0;
  }
  return r;
}

bool would_block() {
#ifdef _WIN32
  return WSAGetLastError() == WSAEWOULDBLOCK;
#else
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
#endif
}

void to_string(const sockaddr_storage& ss, std::string& ip, int& port) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    port = ntohs(a->sin6_port);
  }
  ip = buf;
}

// One end's address through `query` (getpeername or getsockname); "" and -1 if it fails.
template <typename Query>
void end_address(socket_t s, std::string& ip, int& port, Query query) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ip.clear();
  port = -1;
  if (query(s, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    to_string(ss, ip, port);
  }
}

}  // namespace

int wait_readable(socket_t s, int timeout_ms, bool* failed) {
  return poll_one(s, false, timeout_ms, failed);
}
int wait_writable(socket_t s, int timeout_ms) {
  return poll_one(s, true, timeout_ms);
}

bool peer_gone(socket_t s) {
  int r = poll_one(s, false, 0);
  if (r == 0) {
    return false;
  }
  if (r < 0) {
    return true;
  }
  char c;
#ifdef _WIN32
  // MSG_PEEK on a blocking socket with data available does not block.
  int n = ::recv(s, &c, 1, MSG_PEEK);
#else
  auto n = ::recv(s, &c, 1, MSG_PEEK | MSG_DONTWAIT);
#endif
  if (n > 0) {
    return false;
  }
  if (n == 0) {
    return true;
  }
  return !would_block();
}

long long recv_some(socket_t s, char* buf, std::size_t n) {
  return transfer(n, [&](auto len) { return ::recv(s, buf, len, 0); });
}

long long send_some(socket_t s, const char* buf, std::size_t n) {
  return transfer(n, [&](auto len) { return ::send(s, buf, len, kNoSigPipe); });
}

long long peek_some(socket_t s, char* buf, std::size_t n) {
  return transfer(n, [&](auto len) { return ::recv(s, buf, len, MSG_PEEK); });
}

void shutdown_send(socket_t s) {
  ::shutdown(s, kShutSend);
}

void reset_close(socket_t s) {
  linger l{};
  l.l_onoff = 1;
  l.l_linger = 0;
  ::setsockopt(s, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&l), sizeof l);
  close(s);
}

void shutdown_both(socket_t s) {
  ::shutdown(s, kShutBoth);
}

void close(socket_t s) {
#ifdef _WIN32
  ::closesocket(s);
#else
  ::close(s);
#endif
}

void relisten(socket_t s, int backlog) {
  ::listen(s, backlog);
}

void peer_address(socket_t s, std::string& ip, int& port) {
  end_address(s, ip, port, [](socket_t x, sockaddr* a, socklen_t* l) { return ::getpeername(x, a, l); });
}

void local_address(socket_t s, std::string& ip, int& port) {
  end_address(s, ip, port, [](socket_t x, sockaddr* a, socklen_t* l) { return ::getsockname(x, a, l); });
}

}  // namespace ls::sock
