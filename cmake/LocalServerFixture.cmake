# The ctest fixture "hc_run": one server for the whole ctest run (native, or with
# HC_LOCALSERVER_IMPL=windows the Windows localserver.exe under Wine), started detached
# before the first test that requires it and stopped after the last. The suites find it through
# the port file it writes (HC_LOCALSERVER_FILE, see fixtures/README.md); every scenario then opens
# its own ephemeral listener, so two runs on one machine never share a port.
set(HC_RUN_DIR ${CMAKE_BINARY_DIR}/run CACHE INTERNAL "run-time files of this build tree")
set(HC_PORT_FILE ${HC_RUN_DIR}/localserver.json)
file(MAKE_DIRECTORY ${HC_RUN_DIR})

set_property(CACHE HC_LOCALSERVER_IMPL PROPERTY STRINGS native windows)
if(NOT HC_LOCALSERVER_IMPL MATCHES "^(native|windows)$")
  message(FATAL_ERROR "HC_LOCALSERVER_IMPL is '${HC_LOCALSERVER_IMPL}': use native or windows")
elseif(HC_LOCALSERVER_IMPL STREQUAL "windows" AND WIN32)
  message(FATAL_ERROR "HC_LOCALSERVER_IMPL=windows is for a Linux host (the server under Wine); "
                      "on Windows the native server is the Windows one")
endif()

if(HC_LOCALSERVER_IMPL STREQUAL "native")
  add_test(NAME hc.localserver.start
    COMMAND localserver --detach --port-file ${HC_PORT_FILE} --log-file ${HC_RUN_DIR}/localserver.log
            --max-lifetime-s 3600)
  add_test(NAME hc.localserver.stop COMMAND localserver --stop --port-file ${HC_PORT_FILE})
  set_tests_properties(hc.localserver.start PROPERTIES FIXTURES_SETUP hc_run TIMEOUT 30 LABELS fixture)
  set_tests_properties(hc.localserver.stop PROPERTIES FIXTURES_CLEANUP hc_run TIMEOUT 30 LABELS fixture)
endif()  # windows: cmake/WineLocalServer.cmake starts localserver.exe under Wine instead

# Where scripts/run_suites.py finds the pieces of this build tree.
if(WIN32)
  set(hc_suites_manifest "${CMAKE_BINARY_DIR}/suites-$<CONFIG>.json")
  set(hc_wine_prefix "")
else()
  set(hc_suites_manifest "${CMAKE_BINARY_DIR}/win/suites-$<CONFIG>.json")
  set(hc_wine_prefix "${CMAKE_BINARY_DIR}/wineprefix")
endif()
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/hc_paths-$<CONFIG>.json CONTENT "{
  \"localserver\": \"$<TARGET_FILE:localserver>\",
  \"suites_manifest\": \"${hc_suites_manifest}\",
  \"run_dir\": \"${HC_RUN_DIR}\",
  \"wine_prefix\": \"${hc_wine_prefix}\"
}
")
