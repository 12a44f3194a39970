# Used as a ctest command where a test's prerequisite is missing: fails, saying what to install.
#   cmake -DMESSAGE=... -P fail_test.cmake
message(FATAL_ERROR "${MESSAGE}")
