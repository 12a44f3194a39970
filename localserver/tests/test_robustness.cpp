// Malformed requests, slow clients, oversized headers, abrupt disconnects and
// pipelining: the server keeps serving everyone else.
#include "test_support.hpp"

#include <thread>

using namespace lstest;
using Clock = std::chrono::steady_clock;

class Robustness : public ScenarioTest {
 protected:
  void expect_still_serving() {
    auto c = client(port_);
    auto r = c->Get("/get");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
};

TEST_F(Robustness, MalformedRequestLine) {
  RawConn raw(port_);
  ASSERT_TRUE(raw.send("GARBAGE\r\n\r\n"));
  auto got = raw.read(3000, "\r\n\r\n");
  EXPECT_NE(got.find("400"), std::string::npos) << got;
  EXPECT_NE(got.find("X-Request-Seq"), std::string::npos) << got;
  expect_still_serving();
}

TEST_F(Robustness, OversizedHeader) {
  RawConn raw(port_);
  std::string big(100000, 'a');
  raw.send("GET /get HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n");
  auto t0 = Clock::now();
  auto got = raw.read(3000);
  EXPECT_EQ(got.find("HTTP/1.1 200"), std::string::npos);
  EXPECT_NE(got.find("HTTP/1.1 400"), std::string::npos);
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(2));  // closed, not kept
  expect_still_serving();
}

TEST_F(Robustness, OversizedBodyIs413) {
  RawConn raw(port_);
  raw.send("POST /anything HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n");
  auto got = raw.read(3000, "\r\n\r\n");
  EXPECT_NE(got.find("413"), std::string::npos) << got;
  expect_still_serving();
}

TEST_F(Robustness, SlowClientsDoNotBlockOthersAndAreDropped) {
  std::vector<std::unique_ptr<RawConn>> slow;
  for (int i = 0; i < 20; ++i) {
    slow.push_back(std::make_unique<RawConn>(port_));
    slow.back()->send("GET /get HTTP/1.1\r\nHost: x\r\n");  // never finishes headers
  }
  auto t0 = Clock::now();
  expect_still_serving();
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(1));
  // The read timeout (5 s) closes them.
  int code = 0;
  get("/scenarios/" + id_ + "/await?open=0&timeout_ms=9000", &code);
  EXPECT_EQ(code, 200);
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(8));
}

TEST_F(Robustness, AbruptResetMidRequest) {
  for (int i = 0; i < 10; ++i) {
    RawConn raw(port_);
    raw.send("POST /anything HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf");
    raw.reset();
  }
  {
    RawConn raw(port_);
    raw.send("GET /bytes/10000000 HTTP/1.1\r\nHost: x\r\n\r\n");
    raw.read(50, "never");
    raw.reset();  // gone while the server writes
  }
  expect_still_serving();
  int code = 0;
  get("/scenarios/" + id_ + "/await?open=0&timeout_ms=5000", &code);
  EXPECT_EQ(code, 200);
}

TEST_F(Robustness, PipelinedRequestsAnsweredInOrder) {
  RawConn raw(port_);
  raw.send("GET /status/201 HTTP/1.1\r\nHost: x\r\n\r\nGET /status/202 HTTP/1.1\r\nHost: x\r\n\r\n");
  auto got = raw.read(3000, "HTTP/1.1 202");
  auto a = got.find("HTTP/1.1 201");
  auto b = got.find("HTTP/1.1 202");
  ASSERT_NE(a, std::string::npos) << got;
  ASSERT_NE(b, std::string::npos) << got;
  EXPECT_LT(a, b);
  EXPECT_EQ(stats(id_)["connections"]["1"], json::array({1, 2}));
}

TEST_F(Robustness, BodylessPostWithoutContentLength) {
  RawConn raw(port_);
  raw.send("DELETE /anything HTTP/1.1\r\nHost: x\r\n\r\n");
  auto t0 = Clock::now();
  auto got = raw.read(3000, "}");
  EXPECT_NE(got.find("HTTP/1.1 200"), std::string::npos) << got;
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(1));
}

TEST_F(Robustness, Http10ClosesAfterResponse) {
  RawConn raw(port_);
  raw.send("GET /get HTTP/1.0\r\n\r\n");
  auto got = raw.read(3000);
  EXPECT_NE(got.find("200"), std::string::npos);
  int code = 0;
  get("/scenarios/" + id_ + "/await?open=0&timeout_ms=2000", &code);
  EXPECT_EQ(code, 200);
}
