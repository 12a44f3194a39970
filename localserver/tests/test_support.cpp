#include "test_support.hpp"

#include "socket_util.hpp"

#include <chrono>

#ifndef _WIN32
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

namespace lstest {

void ServerTest::SetUp() {
  server_ = std::make_unique<ls::ControlServer>("127.0.0.1", [this] { shutdown_called_ = true; });
  control_port_ = server_->start(0);
  ASSERT_GT(control_port_, 0);
  control_ = client(control_port_);
  control_->set_read_timeout(70, 0);
}

void ServerTest::TearDown() {
  control_.reset();
  if (server_) {
    server_->stop();
  }
  server_.reset();
}

std::unique_ptr<httplib::Client> ServerTest::client(int port) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
  c->set_connection_timeout(2, 0);
  c->set_read_timeout(10, 0);
  c->set_keep_alive(true);
  return c;
}

json ServerTest::create(const std::string& kind) {
  int st = 0;
  json j = post("/scenarios?kind=" + kind + "&name=test", &st);
  EXPECT_EQ(st, 200) << j.dump();
  return j;
}

json ServerTest::get(const std::string& path, int* status) {
  return parsed(control_->Get(path), "GET", path, status);
}

json ServerTest::post(const std::string& path, int* status) {
  return parsed(control_->Post(path), "POST", path, status);
}

json ServerTest::parsed(const httplib::Result& r, const char* method, const std::string& path, int* status) {
  if (!r) {
    ADD_FAILURE() << method << " " << path << " failed";
    return json();
  }
  if (status) {
    *status = r->status;
  }
  return json::parse(r->body, nullptr, false);
}

void ScenarioTest::SetUp() {
  ServerTest::SetUp();
  auto s = create(kind_);
  id_ = s["id"];
  port_ = s["port"];
  c_ = client(port_);
}

int ScenarioTest::await(const std::string& query) {
  int code = 0;
  get("/scenarios/" + id_ + "/await?" + query, &code);
  return code;
}

httplib::Result ScenarioTest::get_expect(const std::string& path, int status,
                                         const httplib::Headers& headers) {
  auto r = c_->Get(path, headers);
  if (!r) {
    ADD_FAILURE() << "GET " << path << ": no response";
  } else {
    EXPECT_EQ(r->status, status) << "GET " << path;
  }
  return r;
}

int ScenarioTest::status_of(const std::string& path, const httplib::Headers& headers) {
  auto r = c_->Get(path, headers);
  if (!r) {
    ADD_FAILURE() << "GET " << path << ": no response";
    return -1;
  }
  return r->status;
}

void ScenarioTest::expect_status_for_each(std::initializer_list<const char*> paths, int status) {
  for (const char* path : paths) {
    EXPECT_EQ(status_of(path), status) << path;
  }
}

RawConn::RawConn(int port) {
  s_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<unsigned short>(port));
  a.sin_addr.s_addr = htonl(0x7f000001);
  ok_ = ::connect(s_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
}

RawConn::~RawConn() {
  close();
}

bool RawConn::send(const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    auto n = ls::sock::send_some(s_, data.data() + off, data.size() - off);
    if (n <= 0) {
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

std::string RawConn::read(int timeout_ms, const std::string& until) {
  std::string out;
  ended_by_ = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[8192];
  while (ok_) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
            .count();
    bool failed = false;
    if (left <= 0 || ls::sock::wait_readable(s_, static_cast<int>(left), &failed) <= 0) {
      break;
    }
    auto n = ls::sock::recv_some(s_, buf, sizeof buf);
    if (n <= 0) {
      ended_by_ = n == 0 && !failed ? 1 : 2;
      break;
    }
    out.append(buf, static_cast<size_t>(n));
    if (!until.empty() && out.find(until) != std::string::npos) {
      break;
    }
  }
  return out;
}

void RawConn::close() {
  if (ok_) {
    ls::sock::close(s_);
    ok_ = false;
  }
}

void RawConn::reset() {
  if (ok_) {
    linger l{1, 0};
    setsockopt(s_, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&l), sizeof l);
    close();
  }
}

}  // namespace lstest
