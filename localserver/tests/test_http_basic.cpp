// /get, /anything, /status, /bytes, /response-headers, /redirect and the
// dispatcher's 404/405/400 handling.
#include "bytegen.hpp"
#include "test_support.hpp"

using namespace lstest;

namespace {

bool body_matches_generator(const std::string& body, std::uint64_t seed, std::uint64_t offset = 0) {
  for (size_t i = 0; i < body.size(); ++i) {
    if (static_cast<unsigned char>(body[i]) != ls::gen_byte(seed, offset + i)) {
      return false;
    }
  }
  return true;
}

}  // namespace

class HttpBasic : public ScenarioTest {};

TEST_F(HttpBasic, GetEchoesArgsAndHeaders) {
  auto r = get_expect("/get?a=1&b=2&b=3", 200, {{"X-Test", "yes"}, {"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_header("Content-Encoding"));  // never compressed
  auto j = json::parse(r->body);
  EXPECT_EQ(j["args"]["a"], "1");
  EXPECT_EQ(j["args"]["b"], json::array({"2", "3"}));
  EXPECT_EQ(j["headers"]["X-Test"], "yes");
  EXPECT_EQ(j["headers"]["Accept-Encoding"], "gzip");
  EXPECT_EQ(j["method"], "GET");
  EXPECT_EQ(j["seq"], 1);
}

TEST_F(HttpBasic, GetRejectsPost) {
  auto r = c_->Post("/get", "x", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
}

TEST_F(HttpBasic, AnythingAnyMethodEchoesBody) {
  auto r = c_->Put("/anything/sub/path?q=1", "{\"k\":2}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto j = json::parse(r->body);
  EXPECT_EQ(j["method"], "PUT");
  EXPECT_EQ(j["data"], "{\"k\":2}");
  EXPECT_EQ(j["json"]["k"], 2);
  EXPECT_EQ(j["body_size"], 7);
  r = c_->Delete("/anything");
  ASSERT_TRUE(r);
  EXPECT_EQ(json::parse(r->body)["method"], "DELETE");
  auto log = this->log();
  EXPECT_EQ(log[0]["body_size"], 7);
  EXPECT_EQ(log[0]["path"], "/anything/sub/path");
}

TEST_F(HttpBasic, Status) {
  for (int code : {200, 204, 302, 404, 418, 500, 503}) {
    auto r = c_->Get("/status/" + std::to_string(code));
    ASSERT_TRUE(r) << code;
    EXPECT_EQ(r->status, code);
    EXPECT_TRUE(r->has_header("X-Request-Seq"));
  }
  for (const char* bad : {"/status/99", "/status/600", "/status/abc", "/status/2OO"}) {
    auto r = c_->Get(bad);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_TRUE(json::parse(r->body)["error"].is_string());
  }
}

TEST_F(HttpBasic, BytesDeterministic) {
  auto r = get_expect("/bytes/100000?seed=7", 200);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/octet-stream");
  EXPECT_EQ(r->get_header_value("Content-Length"), "100000");
  ASSERT_EQ(r->body.size(), 100000u);
  EXPECT_TRUE(body_matches_generator(r->body, 7));
  r = c_->Get("/bytes/0");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body.size(), 0u);
  expect_status_for_each({"/bytes/-1", "/bytes/67108865", "/bytes/1?seed=x", "/bytes/1?seed=4294967296"},
                         400);
}

TEST_F(HttpBasic, ResponseHeaders) {
  auto r = get_expect("/response-headers?X-One=1&X-Two=two", 200);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("X-One"), "1");
  EXPECT_EQ(r->get_header_value("X-Two"), "two");
  expect_status_for_each({"/response-headers?Bad%20Name=1", "/response-headers?X=a%0d%0ab",
                          "/response-headers?Content-Length=5"},
                         400);
}

TEST_F(HttpBasic, Redirect) {
  auto r = get_expect("/redirect/3", 302);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Location"), "/redirect/2");
  r = c_->Get("/redirect/1");
  EXPECT_EQ(r->get_header_value("Location"), "/get");
  c_->set_follow_location(true);
  EXPECT_EQ(status_of("/redirect/3"), 200);
  EXPECT_EQ(stats(id_)["requests"], 6);
  expect_status_for_each({"/redirect/0", "/redirect/101", "/redirect/x"}, 400);
}

TEST_F(HttpBasic, UnknownPath404WithSeqHeaders) {
  auto r = get_expect("/nope", 404);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("X-Request-Seq"), "1");
  EXPECT_TRUE(json::parse(r->body)["error"].is_string());
  EXPECT_EQ(status_of("/status/"), 404);
}

TEST_F(HttpBasic, ReservedDelayParameter) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = get_expect("/get?_delay_ms=150", 200);
  ASSERT_TRUE(r);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(140));
  EXPECT_EQ(status_of("/get?_delay_ms=60001"), 400);
}

TEST_F(HttpBasic, HeadHasNoBody) {
  auto r = c_->Head("/bytes/10");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body.empty());
}
