// /cache, /cache/<n>, /etag/<etag> and the per-path cache counters.
#include "test_support.hpp"

using namespace lstest;

class HttpCache : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    auto s = create();
    id_ = s["id"];
    c_ = client(s["port"]);
  }
  std::string id_;
  std::unique_ptr<httplib::Client> c_;
};

TEST_F(HttpCache, CacheConditional) {
  auto r = c_->Get("/cache");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  std::string etag = r->get_header_value("ETag");
  std::string lm = r->get_header_value("Last-Modified");
  EXPECT_FALSE(etag.empty());
  EXPECT_FALSE(lm.empty());
  r = c_->Get("/cache", {{"If-None-Match", etag}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304);
  EXPECT_TRUE(r->body.empty());
  r = c_->Get("/cache", {{"If-Modified-Since", lm}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304);
  auto c = stats(id_)["cache"]["/cache"];
  EXPECT_EQ(c["conditional"], 2);
  EXPECT_EQ(c["unconditional"], 1);
  EXPECT_EQ(c["not_modified"], 2);
}

TEST_F(HttpCache, CacheMaxAge) {
  auto r = c_->Get("/cache/60");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Cache-Control"), "public, max-age=60");
  EXPECT_EQ(stats(id_)["cache"]["/cache/60"]["unconditional"], 1);
  for (const char* bad : {"/cache/x", "/cache/-1", "/cache/31536001"}) {
    r = c_->Get(bad);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad;
  }
}

TEST_F(HttpCache, Etag) {
  auto r = c_->Get("/etag/abc");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("ETag"), "\"abc\"");
  r = c_->Get("/etag/abc", {{"If-None-Match", "\"x\", \"abc\""}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304);
  r = c_->Get("/etag/abc", {{"If-None-Match", "\"zzz\""}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = c_->Get("/etag/abc", {{"If-Match", "\"zzz\""}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 412);
  r = c_->Get("/etag/abc", {{"If-Match", "\"abc\""}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto c = stats(id_)["cache"]["/etag/abc"];
  EXPECT_EQ(c["conditional"], 4);
  EXPECT_EQ(c["unconditional"], 1);
  EXPECT_EQ(c["not_modified"], 1);
  r = c_->Get("/etag/a%22b");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}
