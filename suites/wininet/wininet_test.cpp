#include "wininet_test.h"

namespace hc::wininet {

ScopedGlobalDword::ScopedGlobalDword(DWORD option, DWORD value) : option_(option) {
  DWORD ignored = 0;
  had_original_ = QueryGlobalDword(option, original_, ignored);
  set_ = SetGlobalDword(option, value, error_);
}

ScopedGlobalDword::~ScopedGlobalDword() {
  if (!set_ || !had_original_)
    return;
  DWORD error = 0;
  EXPECT_TRUE(SetGlobalDword(option_, original_, error))
      << "restoring process-wide option " << option_ << " to " << original_ << ": " << ErrorName(error);
}

}  // namespace hc::wininet
