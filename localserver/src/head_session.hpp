// One request per connection over Asio, shared by the raw and proxy scenarios: the session reads
// the client's request head (a client that sends none within 5 s is dropped), hands it to the
// scenario, and ends the connection's one logged request once.
#pragma once
#include "asio_listener.hpp"

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace ls {

// A request head: the parts of its request line and its header lines in order.
struct RequestHead {
  std::string method;
  std::string target;
  std::string version;
  std::string path;    // target up to the first '?'
  std::string query;   // after it, "" without one
  HeaderList headers;  // values without leading white space; a line without ':' is skipped
};

// Parses the lines (CRLF or LF) of a request head.
RequestHead parse_request_head(const std::string& head);

class HeadSession : public AsioSession {
 public:
  // max_in: the most the client may send (head and whatever the scenario reads after it).
  HeadSession(tcp::socket socket, ScenarioState& state, std::uint64_t conn, std::size_t max_in);
  void start() override;
  void abort() override;

 protected:
  template <typename Self>
  std::shared_ptr<Self> self_as() {
    return std::static_pointer_cast<Self>(shared_from_this());
  }
  // The head is the first n bytes of in_.
  virtual void on_head(std::size_t n) = 0;
  // Ends the connection, and its request with status 0 if nothing else ended it.
  virtual void close();
  // Ends the request (once) with status_, or `status` where status_ is still 0.
  void finish(int status);
  // The request's seq_headers.
  std::string seq_headers_() const;
  // Answers {"error": reason} with `status` and closes.
  void respond_error(int status, const std::string& reason);
  // Drops what the client sends; a client that leaves ends the request as gone with `status`.
  void watch_client(int status);

  tcp::socket client_;
  net::steady_timer timer_;
  std::string in_;
  net::dynamic_string_buffer<char, std::char_traits<char>, std::allocator<char>> buf_;
  std::optional<ScenarioState::Ticket> ticket_;
  bool aborted_ = false;
  int status_ = 0;

 private:
  std::string error_out_;
  std::array<char, 4096> sink_{};
  bool ended_ = false;
  bool got_head_ = false;
};

}  // namespace ls
