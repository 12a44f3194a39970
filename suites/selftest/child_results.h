#pragma once
// The GoogleTest JSON of a child run of this binary (hc::RunSelf): where it goes and what it says.
#include <windows.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace hc_selftest {

// A results file of the child's in the temporary directory, removed when done.
class ChildResultsFile {
 public:
  explicit ChildResultsFile(const std::wstring& name) {
    wchar_t dir[MAX_PATH];
    const DWORD n = GetTempPathW(MAX_PATH, dir);
    path_ = std::wstring(dir, n) + name + L"-" + std::to_wstring(GetCurrentProcessId()) + L".json";
    DeleteFileW(path_.c_str());
  }
  ~ChildResultsFile() { DeleteFileW(path_.c_str()); }
  std::wstring OutputFlag() const { return L"\"--gtest_output=json:" + path_ + L"\""; }
  // The child's GoogleTest JSON; a discarded value if it is missing or malformed.
  nlohmann::json Read() const {
    std::ifstream in(std::filesystem::path(path_), std::ios::binary);
    return nlohmann::json::parse(in, nullptr, false);
  }

 private:
  std::wstring path_;
};

// The test's entry in a GoogleTest JSON result; null if the test is not in it.
inline nlohmann::json TestEntry(const nlohmann::json& run, const std::string& suite,
                                const std::string& name) {
  if (run.is_object())
    for (const auto& ts : run.value("testsuites", nlohmann::json::array()))
      for (const auto& tc : ts.value("testsuite", nlohmann::json::array()))
        if (ts.value("name", "") == suite && tc.value("name", "") == name)
          return tc;
  return nullptr;
}

// The failure messages of one test in a GoogleTest JSON result, joined ("" if it passed);
// "(absent)" if the test is not in it.
inline std::string FailuresOf(const nlohmann::json& run, const std::string& suite, const std::string& name) {
  const nlohmann::json test = TestEntry(run, suite, name);
  if (test.is_null())
    return "(absent)";
  std::string text;
  for (const auto& f : test.value("failures", nlohmann::json::array()))
    text += f.value("failure", "") + "\n";
  return text;
}

}  // namespace hc_selftest
