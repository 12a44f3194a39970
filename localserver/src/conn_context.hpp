// Per-connection context of the thread that serves it (one thread per
// connection), so handlers can reach their connection id, socket and log ticket.
#pragma once
#include "scenario_state.hpp"

#include <httplib.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace ls {

struct ConnContext {
  ScenarioState* state = nullptr;
  std::uint64_t conn = 0;
  std::uint64_t conn_seq = 0;
  socket_t sock{};
  std::optional<ScenarioState::Ticket> ticket;  // the request being served
  bool ended = false;
  bool tls = false;               // the connection speaks TLS
  bool routed = false;            // the request reached our handler
  bool too_large = false;         // Content-Length above the payload limit
  bool synthetic_length = false;  // we added "Content-Length: 0" (not echoed)
  std::string accept_encoding;    // stashed so httplib never compresses (see conn_server.cpp)
  // Over TLS: reads what the client sent and tells whether it closed (see conn_server.cpp).
  std::function<bool()> gone_probe;
};

// The context of the calling thread, or nullptr outside a scenario connection.
ConnContext* current_conn();
void set_current_conn(ConnContext* ctx);

// Starts the log entry of the request being served (idempotent per request).
void ensure_ticket(ConnContext& ctx, const httplib::Request& req);

// Request headers as the client sent them: without httplib's REMOTE_/LOCAL_
// pseudo headers, with the stashed Accept-Encoding restored.
HeaderList client_headers(const httplib::Request& req);

// The raw query string of the request target.
std::string raw_query(const httplib::Request& req);

// True if the client of the current connection closed or reset it; records it.
bool client_gone_now();

enum class SleepResult { done, stopping, client_gone };
// Sleeps `ms` unless the scenario stops or the client goes away first.
SleepResult cancel_aware_sleep(std::chrono::milliseconds ms);

}  // namespace ls
