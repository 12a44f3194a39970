// proxy scenario: a forward HTTP proxy to loopback targets, over real sockets.
#include "forward_proxy.hpp"
#include "test_support.hpp"

#include <thread>
#include <vector>

using namespace lstest;

class Proxy : public ScenarioTest {
 protected:
  Proxy() : ScenarioTest("proxy") {}
  void SetUp() override {
    ScenarioTest::SetUp();
    auto t = create("http");
    target_id_ = t["id"].get<std::string>();
    target_port_ = t["port"].get<int>();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(target_port_) + path;
  }
  // Sends `request` on a connection of its own to the proxy; what came back by its close (5 s at
  // most). `ended_by` (optional): how the read ended (RawConn::ended_by).
  std::string exchange(const std::string& request, int* ended_by = nullptr) {
    RawConn c(port_);
    c.send(request);
    std::string got = c.read(5000);
    if (ended_by) {
      *ended_by = c.ended_by();
    }
    return got;
  }
  std::string target_id_;
  int target_port_ = 0;
};

TEST_F(Proxy, ForwardsAnAbsoluteFormRequestAndRelaysTheAnswer) {
  int ended_by = 0;
  const auto got =
      exchange("GET " + url("/get?a=1") + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(target_port_) +
                   "\r\nProxy-Connection: Keep-Alive\r\nX-Demo: 7\r\n\r\n",
               &ended_by);
  EXPECT_EQ(ended_by, 1) << "one request per connection: the proxy closes after the answer";
  ASSERT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got.substr(0, 300);
  const auto body = json::parse(got.substr(got.find("\r\n\r\n") + 4));
  EXPECT_EQ(body["args"]["a"], "1");
  EXPECT_EQ(body["headers"]["X-Demo"], "7");
  EXPECT_FALSE(body["headers"].contains("Proxy-Connection")) << "hop-by-hop headers are not forwarded";
  // The proxy's own observation: its connection and the absolute target.
  const auto log = this->log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["path"], url("/get"));
  EXPECT_EQ(log[0]["query"], "a=1");
  EXPECT_EQ(log[0]["status"], 200);
  const auto s = stats(id_);
  EXPECT_EQ(s["connections_accepted"], 1);
  EXPECT_EQ(s["requests"], 1);
  // The target saw the request in origin form.
  const auto target_log = get("/scenarios/" + target_id_ + "/log");
  ASSERT_EQ(target_log.size(), 1u);
  EXPECT_EQ(target_log[0]["path"], "/get");
}

TEST_F(Proxy, ForwardsARequestBody) {
  const auto got =
      exchange("POST " + url("/anything") + " HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  ASSERT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got.substr(0, 300);
  EXPECT_EQ(json::parse(got.substr(got.find("\r\n\r\n") + 4))["data"], "hello");
}

TEST_F(Proxy, RefusesATargetThatIsNotOnLoopback) {
  const auto got = exchange("GET http://192.0.2.1:80/get HTTP/1.1\r\nHost: 192.0.2.1\r\n\r\n");
  ASSERT_EQ(got.rfind("HTTP/1.1 403", 0), 0u) << got.substr(0, 300);
  EXPECT_NE(got.find("not a loopback address"), std::string::npos) << got;
  const auto log = this->log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["status"], 403);
}

TEST_F(Proxy, RefusesOriginFormAndConnect) {
  const auto got = exchange("GET /get HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(got.rfind("HTTP/1.1 400", 0), 0u) << got.substr(0, 300);
  EXPECT_NE(got.find("absolute-form"), std::string::npos) << got;
  EXPECT_EQ(exchange("CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: x\r\n\r\n").rfind("HTTP/1.1 405", 0), 0u);
}

TEST_F(Proxy, ATargetThatCannotBeReachedIs502) {
  // A port nothing listens on: the target scenario's, once deleted.
  ASSERT_TRUE(control().Delete("/scenarios/" + target_id_));
  const auto got = exchange("GET " + url("/get") + " HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(got.rfind("HTTP/1.1 502", 0), 0u) << got.substr(0, 300);
}

TEST_F(Proxy, HeldRequestsShowAsConcurrentConnectionsAtTheProxy) {
  constexpr int kHeld = 8;
  std::vector<std::unique_ptr<RawConn>> conns;
  for (int i = 0; i < kHeld; ++i) {
    conns.push_back(std::make_unique<RawConn>(port_));
    conns.back()->send("GET " + url("/hold/g?timeout_ms=10000&i=" + std::to_string(i)) +
                       " HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  int status = 0;
  get("/scenarios/" + target_id_ + "/await?parked=" + std::to_string(kHeld) + "&timeout_ms=5000", &status);
  ASSERT_EQ(status, 200);
  auto s = stats(id_);
  EXPECT_EQ(s["connections_open"], kHeld);
  EXPECT_EQ(s["inflight"], kHeld);
  post("/scenarios/" + target_id_ + "/release?gate=g");
  for (auto& c : conns) {
    EXPECT_EQ(c->read(5000).rfind("HTTP/1.1 200", 0), 0u);
  }
  EXPECT_EQ(await("open=0&timeout_ms=3000"), 200);
  s = stats(id_);
  EXPECT_EQ(s["connections_peak"], kHeld);
  EXPECT_EQ(s["completed"], kHeld);
}

TEST_F(Proxy, AClientThatLeavesEndsTheForwardedRequest) {
  RawConn c(port_);
  c.send("GET " + url("/hold/gone?timeout_ms=10000") + " HTTP/1.1\r\nHost: x\r\n\r\n");
  int status = 0;
  get("/scenarios/" + target_id_ + "/await?parked=1&timeout_ms=5000", &status);
  ASSERT_EQ(status, 200);
  c.close();
  EXPECT_EQ(await("requests=1&timeout_ms=3000"), 200);
  EXPECT_EQ(this->log()[0]["client_gone"], true);
  // The target sees its client (the proxy) go too.
  get("/scenarios/" + target_id_ + "/await?open=0&timeout_ms=3000", &status);
  EXPECT_EQ(status, 200);
}

TEST(ProxyTarget, ParsesAbsoluteFormTargets) {
  std::string reason;
  auto t = ls::parse_proxy_target("http://127.0.0.1:8080/a/b?c=1", reason);
  ASSERT_TRUE(t) << reason;
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 8080);
  EXPECT_EQ(t->path_and_query, "/a/b?c=1");
  t = ls::parse_proxy_target("http://[::1]/", reason);
  ASSERT_TRUE(t) << reason;
  EXPECT_EQ(t->host, "::1");
  EXPECT_EQ(t->port, 80);
  t = ls::parse_proxy_target("HTTP://localhost:1?x", reason);
  ASSERT_TRUE(t) << reason;
  EXPECT_EQ(t->path_and_query, "/?x");
  EXPECT_FALSE(ls::parse_proxy_target("/get", reason));
  EXPECT_FALSE(ls::parse_proxy_target("http://127.0.0.1:99999/", reason));
  EXPECT_FALSE(ls::parse_proxy_target("http://u@127.0.0.1/", reason));
  EXPECT_TRUE(ls::is_loopback_host("127.3.4.5"));
  EXPECT_TRUE(ls::is_loopback_host("::1"));
  EXPECT_TRUE(ls::is_loopback_host("LocalHost"));
  EXPECT_FALSE(ls::is_loopback_host("10.0.0.1"));
  EXPECT_FALSE(ls::is_loopback_host("example.com"));
}
