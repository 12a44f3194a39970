# The Windows localserver.exe on a Linux host: localserver/ cross-compiled with the mingw-w64 posix
# toolchain (header-only httplib.h from Debian's cpp-httplib source package, scripts/fetch-cpp-httplib)
# as a sub-build of this tree, built with every build so its Windows code always compiles. With
# HC_LOCALSERVER_IMPL=windows it is the server of the ctest fixture hc_run, under Wine in this build
# tree's prefix, in place of the native one (localserver's own tests, label localserver, stay native).
# It has no TLS listeners: Debian has no OpenSSL for mingw-w64, so localserver/CMakeLists.txt turns
# LOCALSERVER_TLS off for this build and its port file says TLS is unavailable.
# Included by WineSuites.cmake (HC_WINEPREFIX, HC_WINE_RUN, the hc.wine.* fixture tests,
# hc_include_sub_build_tests).
include(ExternalProject)

set(HC_HTTPLIB_SOURCE_DIR ${CMAKE_SOURCE_DIR}/build/deps/cpp-httplib
    CACHE PATH "cpp-httplib source tree with the header-only httplib.h (scripts/fetch-cpp-httplib)")
if(NOT EXISTS ${HC_HTTPLIB_SOURCE_DIR}/httplib.h)
  message(FATAL_ERROR "${HC_HTTPLIB_SOURCE_DIR}/httplib.h not found: the Windows localserver.exe needs the "
                      "header-only cpp-httplib; run scripts/fetch-cpp-httplib (scripts/bootstrap does)")
endif()

set(HC_WIN_LOCALSERVER_DIR ${CMAKE_BINARY_DIR}/win-localserver)
set(HC_WIN_LOCALSERVER ${HC_WIN_LOCALSERVER_DIR}/localserver.exe)
# With the Windows server, its own tests are built too and run under Wine (names windows.*).
if(HC_LOCALSERVER_IMPL STREQUAL "windows")
  set(hc_win_localserver_tests ON)
else()
  set(hc_win_localserver_tests OFF)
endif()
ExternalProject_Add(win_localserver
  SOURCE_DIR ${CMAKE_SOURCE_DIR}/localserver
  BINARY_DIR ${HC_WIN_LOCALSERVER_DIR}
  CMAKE_GENERATOR ${CMAKE_GENERATOR}
  LIST_SEPARATOR |
  CMAKE_ARGS
    -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/cmake/mingw-w64-posix.cmake
    -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
    -DBUILD_TESTING=${hc_win_localserver_tests}
    "-DCMAKE_CROSSCOMPILING_EMULATOR=${HC_WINE_RUN}|--prefix|${HC_WINEPREFIX}"
    -DHC_HTTPLIB_SOURCE_DIR=${HC_HTTPLIB_SOURCE_DIR}
    -DLOCALSERVER_TEST_FIXTURE=hc_run
  BUILD_ALWAYS ON
  INSTALL_COMMAND ""
  USES_TERMINAL_CONFIGURE ON
  USES_TERMINAL_BUILD ON)

if(NOT HC_LOCALSERVER_IMPL STREQUAL "windows")
  return()
endif()
# Paths as the Windows program sees them: Wine's Z: drive is the Unix root.
add_test(NAME hc.localserver.start
  COMMAND ${CMAKE_SOURCE_DIR}/scripts/wine-launch --prefix ${HC_WINEPREFIX} ${HC_WIN_LOCALSERVER}
          --detach --port-file Z:${HC_PORT_FILE} --log-file Z:${HC_RUN_DIR}/localserver.log
          --max-lifetime-s 3600)
add_test(NAME hc.localserver.stop
  COMMAND ${HC_WINE_RUN} --prefix ${HC_WINEPREFIX} ${HC_WIN_LOCALSERVER} --stop --port-file Z:${HC_PORT_FILE})
# The persistent wineserver is up before the server starts and stopped only after it has stopped
# (wineserver -k first would kill it without its cleanup).
set_tests_properties(hc.localserver.start PROPERTIES FIXTURES_SETUP hc_run TIMEOUT 60 LABELS fixture
                                                     DEPENDS hc.wine.start)
set_tests_properties(hc.localserver.stop PROPERTIES FIXTURES_CLEANUP hc_run TIMEOUT 60 LABELS fixture)
set_tests_properties(hc.wine.stop PROPERTIES DEPENDS hc.localserver.stop)

hc_include_sub_build_tests(win_localserver ${HC_WIN_LOCALSERVER_DIR})
