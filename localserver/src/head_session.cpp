#include "head_session.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <istream>
#include <sstream>

namespace ls {

namespace {

bool getline_crlf(std::istream& in, std::string& line) {
  if (!std::getline(in, line)) {
    return false;
  }
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return true;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 403:
      return " Forbidden";
    case 404:
      return " Not Found";
    case 405:
      return " Method Not Allowed";
    case 411:
      return " Length Required";
    case 413:
      return " Payload Too Large";
    case 502:
      return " Bad Gateway";
    default:
      return " Bad Request";
  }
}

}  // namespace

RequestHead parse_request_head(const std::string& head) {
  RequestHead h;
  std::istringstream lines(head);
  std::string line;
  getline_crlf(lines, line);
  std::istringstream rl(line);
  rl >> h.method >> h.target >> h.version;
  while (getline_crlf(lines, line)) {
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      auto v = line.substr(colon + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      h.headers.emplace_back(line.substr(0, colon), v);
    }
  }
  auto q = h.target.find('?');
  h.path = h.target.substr(0, q);
  h.query = q == std::string::npos ? "" : h.target.substr(q + 1);
  return h;
}

HeadSession::HeadSession(tcp::socket socket, ScenarioState& state, std::uint64_t conn, std::size_t max_in)
    : AsioSession(state, conn),
      client_(std::move(socket)),
      timer_(client_.get_executor()),
      buf_(in_, max_in) {}

void HeadSession::start() {
  timer_.expires_after(std::chrono::seconds(5));
  timer_.async_wait([self = self_as<HeadSession>()](boost::system::error_code ec) {
    if (!ec && !self->got_head_) {
      self->close();
    }
  });
  net::async_read_until(client_, buf_, "\r\n\r\n",
                        [self = self_as<HeadSession>()](boost::system::error_code ec, std::size_t n) {
                          if (ec || self->aborted_) {
                            self->close();
                            return;
                          }
                          self->got_head_ = true;
                          self->timer_.cancel();
                          self->on_head(n);
                        });
}

void HeadSession::abort() {
  aborted_ = true;
  close();
}

void HeadSession::close() {
  boost::system::error_code ec;
  timer_.cancel();
  client_.shutdown(tcp::socket::shutdown_both, ec);
  client_.close(ec);
  finish(0);
}

void HeadSession::finish(int status) {
  if (ticket_ && !ended_) {
    ended_ = true;
    state_.request_end(*ticket_, status_ ? status_ : status);
  }
}

std::string HeadSession::seq_headers_() const {
  return seq_headers(conn_, 1, ticket_ ? ticket_->seq : 0);
}

void HeadSession::respond_error(int status, const std::string& reason) {
  status_ = status;
  finish(status);
  const std::string body =
      nlohmann::json({{"error", reason}})
          .dump(-1, ' ', false,
                nlohmann::json::error_handler_t::replace);  // invalid UTF-8 in reason must not throw
  error_out_ = "HTTP/1.1 " + std::to_string(status) + reason_phrase(status) +
               "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n" + seq_headers_() + "\r\n" + body;
  net::async_write(
      client_, net::buffer(error_out_),
      [self = self_as<HeadSession>()](boost::system::error_code, std::size_t) { self->close(); });
}

void HeadSession::watch_client(int status) {
  client_.async_read_some(net::buffer(sink_),
                          [self = self_as<HeadSession>(), status](boost::system::error_code ec, std::size_t) {
                            if (self->aborted_ || !self->client_.is_open()) {
                              return;
                            }
                            if (ec) {
                              if (self->ticket_ && !self->ended_) {
                                self->state_.request_client_gone(*self->ticket_);
                                self->status_ = status;
                                self->finish(status);
                              }
                              self->close();
                              return;
                            }
                            self->watch_client(status);
                          });
}

}  // namespace ls
