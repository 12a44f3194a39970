#pragma once
// How each trial of the selftest's trial program ends, shared by the program and the test.
namespace hc::selftest {

enum class End { kSuccess, kCrash, kAbort, kHang };

inline End PlannedEnd(int index) {
  if (index % 7 == 3)
    return End::kCrash;
  if (index % 11 == 5)
    return End::kHang;
  if (index % 13 == 6)
    return End::kAbort;
  return End::kSuccess;
}

}  // namespace hc::selftest
