// Small portable socket helpers (POSIX and Winsock) used by the connection loop
// and by handlers that must notice a client that went away.
#pragma once
#include <httplib.h>  // socket_t and the platform socket headers

#include <cstddef>
#include <string>

namespace ls::sock {

// >0 readable (data, EOF or error pending), 0 timed out, <0 error. `failed` (optional) tells
// whether an error is pending, e.g. the peer reset the connection: Wine's recv() then returns 0
// as for an orderly close, where Windows' fails with WSAECONNRESET.
int wait_readable(socket_t s, int timeout_ms, bool* failed = nullptr);
// >0 writable, 0 timed out, <0 error.
int wait_writable(socket_t s, int timeout_ms);
// True if the peer has closed or reset the connection (checked without blocking and
// without consuming data). Pipelined data counts as "still there".
bool peer_gone(socket_t s);
// recv/send without SIGPIPE; <0 on error.
long long recv_some(socket_t s, char* buf, std::size_t n);
long long send_some(socket_t s, const char* buf, std::size_t n);
// Bytes waiting on the socket, left there (MSG_PEEK; waits like recv when none are).
long long peek_some(socket_t s, char* buf, std::size_t n);
// shutdown(send): the peer reads a FIN after what was sent.
void shutdown_send(socket_t s);
// Closes with linger 0: the peer gets a TCP RST.
void reset_close(socket_t s);
// shutdown(both): wakes a thread blocked on the socket; the owner still closes it.
void shutdown_both(socket_t s);
void close(socket_t s);
// Re-issues listen() to raise the backlog of an already listening socket (Linux
// applies the new value; elsewhere it is harmless).
void relisten(socket_t s, int backlog);
void peer_address(socket_t s, std::string& ip, int& port);
void local_address(socket_t s, std::string& ip, int& port);

}  // namespace ls::sock
