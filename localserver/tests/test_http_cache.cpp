// /cache, /cache/<n>, /etag/<etag> and the per-path cache counters.
#include "test_support.hpp"

using namespace lstest;

class HttpCache : public ScenarioTest {};

TEST_F(HttpCache, CacheConditional) {
  auto r = get_expect("/cache", 200);
  ASSERT_TRUE(r);
  std::string etag = r->get_header_value("ETag");
  std::string lm = r->get_header_value("Last-Modified");
  EXPECT_FALSE(etag.empty());
  EXPECT_FALSE(lm.empty());
  r = get_expect("/cache", 304, {{"If-None-Match", etag}});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->body.empty());
  EXPECT_EQ(status_of("/cache", {{"If-Modified-Since", lm}}), 304);
  auto c = stats(id_)["cache"]["/cache"];
  EXPECT_EQ(c["conditional"], 2);
  EXPECT_EQ(c["unconditional"], 1);
  EXPECT_EQ(c["not_modified"], 2);
}

TEST_F(HttpCache, CacheMaxAge) {
  auto r = get_expect("/cache/60", 200);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Cache-Control"), "public, max-age=60");
  EXPECT_EQ(stats(id_)["cache"]["/cache/60"]["unconditional"], 1);
  expect_status_for_each({"/cache/x", "/cache/-1", "/cache/31536001"}, 400);
}

TEST_F(HttpCache, Etag) {
  auto r = get_expect("/etag/abc", 200);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("ETag"), "\"abc\"");
  EXPECT_EQ(status_of("/etag/abc", {{"If-None-Match", "\"x\", \"abc\""}}), 304);
  EXPECT_EQ(status_of("/etag/abc", {{"If-None-Match", "\"zzz\""}}), 200);
  EXPECT_EQ(status_of("/etag/abc", {{"If-Match", "\"zzz\""}}), 412);
  EXPECT_EQ(status_of("/etag/abc", {{"If-Match", "\"abc\""}}), 200);
  auto c = stats(id_)["cache"]["/etag/abc"];
  EXPECT_EQ(c["conditional"], 4);
  EXPECT_EQ(c["unconditional"], 1);
  EXPECT_EQ(c["not_modified"], 1);
  EXPECT_EQ(status_of("/etag/a%22b"), 400);
}
