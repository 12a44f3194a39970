// Known-divergence marks: a divergence that occurs passes and is recorded; one that does not occur
// fails as an unexpected pass; where the mark does not apply, failures stay failures.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <string>

#include "hc/expectation.h"
#include "hc/platform.h"

namespace {

std::string Property(const char* key) {
  const auto* result = ::testing::UnitTest::GetInstance()->current_test_info()->result();
  for (int i = 0; i < result->test_property_count(); ++i)
    if (std::string(result->GetTestProperty(i).key()) == key)
      return result->GetTestProperty(i).value();
  return "";
}

TEST(HcExpectation, DivergenceThatOccursPassesAndIsRecordedWithItsReason) {
  hc::CheckExpecting(hc::Divergence{true, "selftest reason"},
                     [] { EXPECT_EQ(1, 2) << "the divergent check"; });
  EXPECT_EQ(Property("hc_verdict"), "known_divergence");
  EXPECT_EQ(Property("hc_divergence_reason"), "selftest reason");
  EXPECT_NE(Property("hc_divergence_detail").find("the divergent check"), std::string::npos);
}

TEST(HcExpectation, DivergenceThatDoesNotOccurFailsAsUnexpectedPass) {
  EXPECT_NONFATAL_FAILURE(hc::CheckExpecting(hc::Divergence{true, "selftest reason"}, [] {}),
                          "unexpected pass");
  EXPECT_EQ(Property("hc_verdict"), "unexpected_pass");
  // The failure above was expected: this test itself is no unexpected pass for the report.
  ::testing::Test::RecordProperty("hc_verdict", "selftest_expected");
}

TEST(HcExpectation, FailuresOnAPlatformWithoutTheDivergenceStayFailures) {
  EXPECT_NONFATAL_FAILURE(
      hc::CheckExpecting(hc::Divergence{false, "selftest reason"}, [] { EXPECT_EQ(1, 2) << "real failure"; }),
      "real failure");
}

TEST(HcExpectation, FailuresOnOtherThreadsAreInterceptedToo) {
  hc::CheckExpecting(hc::Divergence{true, "selftest reason"},
                     [] { std::thread([] { ADD_FAILURE() << "from another thread"; }).join(); });
  EXPECT_EQ(Property("hc_verdict"), "known_divergence");
}

TEST(HcExpectation, IntermittentDivergenceThatDoesNotOccurPassesAndSaysSo) {
  hc::CheckExpecting(hc::Intermittent(hc::Divergence{true, "selftest race"}), [] {});
  EXPECT_EQ(Property("hc_verdict"), "");
  EXPECT_EQ(Property("hc_divergence_seen"), "no");
  EXPECT_EQ(Property("hc_divergence_reason"), "selftest race");
}

TEST(HcExpectation, IntermittentDivergenceThatOccursIsAKnownDivergence) {
  hc::CheckExpecting(hc::Intermittent(hc::Divergence{true, "selftest race"}),
                     [] { EXPECT_EQ(1, 2) << "the race happened"; });
  EXPECT_EQ(Property("hc_verdict"), "known_divergence");
  EXPECT_EQ(Property("hc_divergence_seen"), "yes");
}

TEST(HcExpectation, OnWineFromComparesTheWineVersionNumerically) {
  const hc::Platform& p = hc::CurrentPlatform();
  EXPECT_EQ(hc::OnWineFrom("0.9", "r").applies, p.is_wine);
  EXPECT_FALSE(hc::OnWineFrom("999.0", "r").applies);
  if (p.is_wine) {
    EXPECT_TRUE(hc::OnWineFrom(p.wine_version, "r").applies) << p.wine_version;
    EXPECT_FALSE(hc::OnWineFrom(p.wine_version + ".999", "r").applies) << p.wine_version;
  }
}

TEST(HcExpectation, OnWineBeforeIsTheComplementOfOnWineFrom) {
  const hc::Platform& p = hc::CurrentPlatform();
  EXPECT_FALSE(hc::OnWineBefore("0.9", "r").applies);
  EXPECT_EQ(hc::OnWineBefore("999.0", "r").applies, p.is_wine);
  if (p.is_wine) {
    EXPECT_FALSE(hc::OnWineBefore(p.wine_version, "r").applies) << p.wine_version;
  }
}

TEST(HcExpectation, FailuresWithoutTheSignatureStayFailures) {
  // On all threads: the mark intercepts all threads, beneath a reporter of this thread only.
  EXPECT_NONFATAL_FAILURE_ON_ALL_THREADS(
      hc::CheckExpecting(hc::RecognizedBy(hc::Divergence{true, "selftest race"}, {"RACE_ERROR"}),
                         [] { EXPECT_EQ(1, 2) << "an unrelated failure"; }),
      "an unrelated failure");
  ::testing::Test::RecordProperty("hc_verdict", "selftest_expected");
}

TEST(HcExpectation, OneFailureWithTheSignatureMakesAllOfThemTheDivergence) {
  hc::CheckExpecting(hc::RecognizedBy(hc::Intermittent(hc::Divergence{true, "selftest race"}), {"RACE_ERROR"}), [] {
    ADD_FAILURE() << "request 3 failed: RACE_ERROR (12157)";
    ADD_FAILURE() << "the server log misses request 3";
  });
  EXPECT_EQ(Property("hc_verdict"), "known_divergence");
  EXPECT_NE(Property("hc_divergence_detail").find("misses request 3"), std::string::npos);
}

TEST(HcExpectation, ScopeOverAStretchOfATestJudgesItsFailuresAtFinish) {
  hc::ExpectingScope scope(hc::Intermittent(hc::Divergence{true, "selftest race"}));
  ADD_FAILURE() << "inside the scope";
  scope.Finish();
  EXPECT_EQ(Property("hc_verdict"), "known_divergence");
}

TEST(HcExpectation, ScopeWhoseRaceDidNotOccurKeepsTheTestsOwnMark) {
  hc::ExpectingScope scope(hc::Intermittent(hc::Divergence{true, "selftest race"}));
  hc::CheckExpecting(hc::Divergence{true, "inner reason"}, [] { EXPECT_EQ(1, 2); });
  scope.Finish();
  EXPECT_EQ(Property("hc_divergence_reason"), "inner reason");
  EXPECT_EQ(Property("hc_verdict"), "known_divergence");
}

}  // namespace
