# Linux host: the Windows half (fixtures/ + suites/) is a cross-compiled sub-build of this same
# source tree (HC_PART=suites) with the mingw-w64 posix toolchain. Its tests run under Wine through
# CMAKE_CROSSCOMPILING_EMULATOR (scripts/wine-run with a prefix private to this build tree), and
# its CTestTestfile is pulled into this tree's, so one ctest runs both halves.
include(ExternalProject)

find_program(HC_WINE wine)
find_program(HC_WINESERVER wineserver)
if(NOT HC_WINE OR NOT HC_WINESERVER)
  message(FATAL_ERROR "wine and wineserver not found: install Debian's wine64 (or run scripts/bootstrap)")
endif()

set(HC_WINEPREFIX ${CMAKE_BINARY_DIR}/wineprefix)
set(HC_WINE_RUN ${CMAKE_SOURCE_DIR}/scripts/wine-run)
set(HC_WIN_BINARY_DIR ${CMAKE_BINARY_DIR}/win)

ExternalProject_Add(win_suites
  SOURCE_DIR ${CMAKE_SOURCE_DIR}
  BINARY_DIR ${HC_WIN_BINARY_DIR}
  CMAKE_GENERATOR ${CMAKE_GENERATOR}
  LIST_SEPARATOR |
  CMAKE_ARGS
    -DHC_PART=suites
    -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/cmake/mingw-w64-posix.cmake
    -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
    -DBUILD_TESTING=ON
    "-DCMAKE_CROSSCOMPILING_EMULATOR=${HC_WINE_RUN}|--prefix|${HC_WINEPREFIX}"
    -DHC_RUN_DIR=${HC_RUN_DIR}
  BUILD_ALWAYS ON
  INSTALL_COMMAND ""
  USES_TERMINAL_CONFIGURE ON
  USES_TERMINAL_BUILD ON)

# Create the private prefix at build time (7-15 s once), not inside a timed test.
add_custom_command(OUTPUT ${HC_WINEPREFIX}/system.reg
  COMMAND ${HC_WINE_RUN} --prefix ${HC_WINEPREFIX} --init
  COMMENT "Creating the private Wine prefix")
add_custom_target(wineprefix ALL DEPENDS ${HC_WINEPREFIX}/system.reg)

# One persistent wineserver for the whole ctest run, so each test's wine process starts fast.
add_test(NAME hc.wine.start COMMAND ${HC_WINE_RUN} --prefix ${HC_WINEPREFIX} --start)
add_test(NAME hc.wine.stop COMMAND ${HC_WINE_RUN} --prefix ${HC_WINEPREFIX} --stop)
set_tests_properties(hc.wine.start PROPERTIES FIXTURES_SETUP hc_run TIMEOUT 60 LABELS fixture)
set_tests_properties(hc.wine.stop PROPERTIES FIXTURES_CLEANUP hc_run TIMEOUT 60 LABELS fixture)

# hc_include_sub_build_tests(NAME DIR): the tests of the sub-build in DIR become this tree's,
# through ${CMAKE_BINARY_DIR}/NAME_tests.cmake (nothing until the sub-build has been configured).
function(hc_include_sub_build_tests name dir)
  set(include_file ${CMAKE_BINARY_DIR}/${name}_tests.cmake)
  file(WRITE ${include_file}
    "if(EXISTS \"${dir}/CTestTestfile.cmake\")\n"
    "  subdirs(\"${dir}\")\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${include_file})
endfunction()

hc_include_sub_build_tests(win_suites ${HC_WIN_BINARY_DIR})

# scripts/wine-run tells a death inside Wine from a program's own exit (the crash mark): checked
# against the selftest binary's provoked deaths.
add_test(NAME hc.wine_run.crash_mark
  COMMAND Python3::Interpreter ${CMAKE_SOURCE_DIR}/scripts/tests/test_wine_run.py
          ${HC_WINE_RUN} ${HC_WINEPREFIX} ${HC_WIN_BINARY_DIR}/suites/selftest/fixtures_selftest.exe)
set_tests_properties(hc.wine_run.crash_mark PROPERTIES FIXTURES_REQUIRED hc_run TIMEOUT 120 LABELS selftest)
include(WineLocalServer)
