#include "bytegen.hpp"

#include <gtest/gtest.h>

#include <string>

TEST(ByteGen, DocumentedFormula) {
  // Values documented in README.md.
  EXPECT_EQ(ls::gen_byte(0, 0), 0);
  EXPECT_EQ(ls::gen_byte(0, 1), 31);
  EXPECT_EQ(ls::gen_byte(1, 0), 7);
  EXPECT_EQ(ls::gen_byte(0, 256), (256 * 31 + 1) & 0xff);
  EXPECT_EQ(ls::gen_byte(5, 1000), (1000 * 31 + 35 + (1000 >> 8)) & 0xff);
}

TEST(ByteGen, FillMatchesPerByteAtAnyOffset) {
  std::string buf(1000, '\0');
  ls::gen_fill(42, 12345, buf.data(), buf.size());
  for (size_t i = 0; i < buf.size(); ++i) {
    ASSERT_EQ(static_cast<unsigned char>(buf[i]), ls::gen_byte(42, 12345 + i)) << i;
  }
}
