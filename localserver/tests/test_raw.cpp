// raw scenario: scripted TCP-level misbehaviour.
#include "bytegen.hpp"
#include "test_support.hpp"

using namespace lstest;
using Clock = std::chrono::steady_clock;

class Raw : public ScenarioTest {
 protected:
  Raw() : ScenarioTest("raw") {}
};

TEST_F(Raw, CloseAfterHeaders) {
  RawConn c(port_);
  c.send("GET /close-after-headers HTTP/1.1\r\nHost: x\r\n\r\n");
  auto got = c.read(3000);
  EXPECT_EQ(c.ended_by(), 1);
  EXPECT_NE(got.find("Content-Length: 100"), std::string::npos);
  EXPECT_NE(got.find("X-Conn-Id: 1"), std::string::npos);
  EXPECT_EQ(got.substr(got.find("\r\n\r\n") + 4), "");
  auto log = this->log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["path"], "/close-after-headers");
  EXPECT_EQ(log[0]["headers"]["Host"], "x");
}

TEST_F(Raw, Reset) {
  RawConn c(port_);
  c.send("GET /reset HTTP/1.1\r\nHost: x\r\n\r\n");
  auto got = c.read(3000);
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(c.ended_by(), 2);
}

TEST_F(Raw, NeverAnswerUntilClientLeaves) {
  RawConn c(port_);
  c.send("GET /never-answer HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(c.read(200).empty());
  EXPECT_EQ(c.ended_by(), 0);
  EXPECT_EQ(stats(id_)["inflight"], 1);
  c.close();
  EXPECT_EQ(await("requests=1&timeout_ms=3000"), 200);
  auto log = this->log();
  EXPECT_EQ(log[0]["client_gone"], true);
  EXPECT_EQ(await("open=0&timeout_ms=3000"), 200);
}

TEST_F(Raw, NeverAnswerEndsWhenScenarioDeleted) {
  RawConn c(port_);
  c.send("GET /never-answer HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(await("inflight=1&timeout_ms=3000"), 200);
  auto t0 = Clock::now();
  ASSERT_TRUE(control().Delete("/scenarios/" + id_));
  c.read(3000);
  EXPECT_NE(c.ended_by(), 0);
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(2));
}

TEST_F(Raw, Http10CloseDelimitedBody) {
  RawConn c(port_);
  c.send("GET /http10-close?bytes=5000&seed=2 HTTP/1.1\r\nHost: x\r\n\r\n");
  auto got = c.read(3000);
  EXPECT_EQ(c.ended_by(), 1);
  EXPECT_EQ(got.rfind("HTTP/1.0 200 OK\r\n", 0), 0u);
  auto head_end = got.find("\r\n\r\n");
  EXPECT_EQ(got.substr(0, head_end).find("Content-Length"), std::string::npos);
  auto body = got.substr(head_end + 4);
  ASSERT_EQ(body.size(), 5000u);
  for (size_t i = 0; i < body.size(); ++i) {
    ASSERT_EQ(static_cast<unsigned char>(body[i]), ls::gen_byte(2, i)) << i;
  }
}

TEST_F(Raw, UnknownAndBadInputs) {
  {
    RawConn c(port_);
    c.send("GET /what HTTP/1.1\r\n\r\n");
    EXPECT_NE(c.read(3000).find("404"), std::string::npos);
  }
  {
    RawConn c(port_);
    c.send("GET /http10-close?bytes=x HTTP/1.1\r\n\r\n");
    EXPECT_NE(c.read(3000).find("400"), std::string::npos);
  }
  {
    RawConn c(port_);
    c.send("NONSENSE\r\n\r\n");
    EXPECT_NE(c.read(3000).find("400"), std::string::npos);
  }
  {
    RawConn c(port_);
    c.send(std::string(70000, 'a'));  // head over 64 KiB: dropped
    c.read(3000);
    EXPECT_NE(c.ended_by(), 0);
  }
  {
    RawConn c(port_);
    c.send("GET /\xff\xfe HTTP/1.1\r\n\r\n");  // invalid UTF-8 in the path
    EXPECT_NE(c.read(3000).find("404"), std::string::npos);
  }
  EXPECT_EQ(stats(id_)["connections_accepted"], 5);
  EXPECT_EQ(get("/scenarios/" + id_ + "/log").size(), 4u);  // the log still serialises
}
