# localserver's libFuzzer target (localserver/fuzz/) as a clang sub-build of this tree, and a ctest
# test that fuzzes for a bounded time (HC_FUZZ_SECONDS) from the kept corpus. A crash fails the
# test and leaves its input in build/.../fuzz-artifacts/ (keep it in localserver/fuzz/corpus/ once
# fixed: that makes it a regression input).
if(WIN32)
  return()
endif()
find_program(HC_CLANGXX NAMES clang++ clang++-14)
set(hc_fuzzer_runtime_found OFF)
if(HC_CLANGXX)
  execute_process(COMMAND ${HC_CLANGXX} -print-file-name=libclang_rt.fuzzer-x86_64.a
                  OUTPUT_VARIABLE hc_fuzzer_rt OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT hc_fuzzer_rt STREQUAL "libclang_rt.fuzzer-x86_64.a" AND EXISTS "${hc_fuzzer_rt}")
    set(hc_fuzzer_runtime_found ON)
  endif()
endif()
option(HC_FUZZ "Build localserver's libFuzzer target and fuzz it in ctest (needs clang, libclang-rt-14-dev)"
       ${hc_fuzzer_runtime_found})
if(NOT HC_FUZZ)
  return()
endif()
if(NOT hc_fuzzer_runtime_found)
  message(FATAL_ERROR "HC_FUZZ needs clang++ and libFuzzer: install Debian's clang and libclang-rt-14-dev")
endif()
set(HC_FUZZ_SECONDS 20 CACHE STRING "how long ctest fuzzes localserver")

include(ExternalProject)
ExternalProject_Add(localserver_fuzz_build
  SOURCE_DIR ${CMAKE_SOURCE_DIR}/localserver/fuzz
  BINARY_DIR ${CMAKE_BINARY_DIR}/fuzz
  CMAKE_GENERATOR ${CMAKE_GENERATOR}
  # -O0 with line tables: AddressSanitizer reports still name file and line, assertions stay on,
  # and the build costs a third of -O2 -g (the fuzz loop waits on sockets, not on the CPU).
  CMAKE_ARGS -DCMAKE_CXX_COMPILER=${HC_CLANGXX} -DCMAKE_BUILD_TYPE=Debug
             "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -gline-tables-only"
  BUILD_ALWAYS ON
  INSTALL_COMMAND "")

set(corpus ${CMAKE_BINARY_DIR}/fuzz-corpus)
set(artifacts ${CMAKE_BINARY_DIR}/fuzz-artifacts/)
file(MAKE_DIRECTORY ${corpus} ${artifacts})
# New inputs go to the build tree's corpus (first directory); the repository's is read only.
add_test(NAME localserver.fuzz
  COMMAND ${CMAKE_BINARY_DIR}/fuzz/localserver_fuzz -max_total_time=${HC_FUZZ_SECONDS} -timeout=10
          -rss_limit_mb=4096 -artifact_prefix=${artifacts} -print_final_stats=1
          ${corpus} ${CMAKE_SOURCE_DIR}/localserver/fuzz/corpus)
set_tests_properties(localserver.fuzz PROPERTIES LABELS "localserver;fuzz" TIMEOUT 300)
