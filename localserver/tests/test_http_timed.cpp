// /delay, /drip, /stream-bytes, /chunked-abort, /hold timeouts and client-gone.
#include "bytegen.hpp"
#include "test_support.hpp"

#include <thread>

using namespace lstest;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

class HttpTimed : public ScenarioTest {
 protected:
  // get_expect, and an answer that took at least `at_least` (checked when there is one).
  httplib::Result get_taking(const std::string& path, int status, milliseconds at_least) {
    auto t0 = Clock::now();
    auto r = get_expect(path, status);
    if (r) {
      EXPECT_GE(Clock::now() - t0, at_least);
    }
    return r;
  }
};

TEST_F(HttpTimed, Delay) {
  auto r = get_taking("/delay/120", 200, milliseconds(115));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/octet-stream");
  expect_status_for_each({"/delay/60001", "/delay/x", "/delay/-5"}, 400);
}

TEST_F(HttpTimed, DelayNoticesClientGone) {
  RawConn raw(port_);
  ASSERT_TRUE(raw.send("GET /delay/5000 HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(await("inflight=1&timeout_ms=2000"), 200);
  auto t0 = Clock::now();
  raw.close();
  ASSERT_EQ(await("requests=1&timeout_ms=2000"), 200);
  EXPECT_LT(Clock::now() - t0, milliseconds(1000));
  auto l = log();
  EXPECT_EQ(l[0]["client_gone"], true);
  EXPECT_EQ(l[0]["status"], 499);
  EXPECT_EQ(await("open=0&timeout_ms=2000"), 200);
}

TEST_F(HttpTimed, Drip) {
  auto r = get_taking("/drip?numbytes=5&duration=0.2&delay=0.1&code=201", 201, milliseconds(290));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "*****");
  EXPECT_EQ(r->get_header_value("Content-Length"), "5");
  expect_status_for_each({"/drip?numbytes=-1", "/drip?duration=61", "/drip?delay=x", "/drip?code=99",
                          "/drip?duration=40&delay=30", "/drip?duration=1e3"},
                         400);
}

TEST_F(HttpTimed, StreamBytesChunkedDeterministic) {
  auto r = get_taking("/stream-bytes/5000?chunk_size=1000&chunk_delay_ms=20&seed=3", 200, milliseconds(75));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Transfer-Encoding"), "chunked");
  ASSERT_EQ(r->body.size(), 5000u);
  for (size_t i = 0; i < r->body.size(); ++i) {
    ASSERT_EQ(static_cast<unsigned char>(r->body[i]), ls::gen_byte(3, i)) << i;
  }
  expect_status_for_each({"/stream-bytes/67108865", "/stream-bytes/10?chunk_size=0",
                          "/stream-bytes/100000?chunk_size=1&chunk_delay_ms=10", "/stream-bytes/x"},
                         400);
}

TEST_F(HttpTimed, ChunkedAbortEndsMidBody) {
  RawConn raw(port_);
  ASSERT_TRUE(raw.send("GET /chunked-abort?after=3000 HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string got = raw.read(3000);
  EXPECT_NE(got.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_EQ(got.find("\r\n0\r\n\r\n"), std::string::npos);  // no last chunk
  auto body = got.substr(got.find("\r\n\r\n") + 4);
  EXPECT_GE(body.size(), 3000u);
  auto r = c_->Get("/chunked-abort?after=10");
  EXPECT_FALSE(r && r->status == 200 && r->body.size() == 10 && false);
  EXPECT_EQ(status_of("/chunked-abort?after=-1"), 400);
}

TEST_F(HttpTimed, HoldTimeoutIs504WithReason) {
  auto r = get_expect("/hold/never?timeout_ms=100", 504);
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("not released"), std::string::npos);
  expect_status_for_each({"/hold/a%20b?timeout_ms=1", "/hold/g?timeout_ms=60001", "/hold/g?timeout_ms=x"},
                         400);
}

TEST_F(HttpTimed, HoldNoticesClientGone) {
  RawConn raw(port_);
  ASSERT_TRUE(raw.send("GET /hold/g?timeout_ms=20000 HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(await("parked=1&gate=g&timeout_ms=2000"), 200);
  raw.close();
  ASSERT_EQ(await("open=0&timeout_ms=2000"), 200);
  EXPECT_EQ(stats(id_)["parked"], 0);
  auto l = log();
  EXPECT_EQ(l[0]["client_gone"], true);
}

TEST_F(HttpTimed, ManyHeldConnections) {
  constexpr int kConns = 256;
  std::vector<std::unique_ptr<RawConn>> conns;
  for (int i = 0; i < kConns; ++i) {
    conns.push_back(std::make_unique<RawConn>(port_));
    ASSERT_TRUE(conns.back()->ok());
    ASSERT_TRUE(conns.back()->send("GET /hold/many HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  ASSERT_EQ(await("parked=256&timeout_ms=10000"), 200);
  auto st = stats(id_);
  EXPECT_EQ(st["connections_open"], kConns);
  EXPECT_EQ(st["connections_peak"], kConns);
  post("/scenarios/" + id_ + "/release?gate=many");
  for (auto& c : conns) {
    auto got = c->read(5000, "\"released\":true");
    EXPECT_NE(got.find("HTTP/1.1 200"), std::string::npos);
  }
}
