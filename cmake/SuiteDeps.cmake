# Dependencies of fixtures/ and suites/ (the Windows half).
# Cross build on Linux: GoogleTest from Debian's sources (cmake/CrossGoogleTest.cmake), header-only
# Boost and nlohmann/json from the host (cmake/CrossHostHeaders.cmake). MSVC: vcpkg packages.
if(CMAKE_CROSSCOMPILING)
  include(CrossGoogleTest)
  include(CrossHostHeaders)
  add_library(hc_header_deps INTERFACE)
  target_link_libraries(hc_header_deps INTERFACE Boost::headers nlohmann_json::nlohmann_json)
  # Asio on Windows; Beast objects exceed the default COFF section count.
  target_compile_definitions(hc_header_deps INTERFACE _WIN32_WINNT=0x0A00 WIN32_LEAN_AND_MEAN NOMINMAX)
  target_compile_options(hc_header_deps INTERFACE -Wa,-mbig-obj)
  target_link_libraries(hc_header_deps INTERFACE ws2_32 mswsock)
  set(HC_GTEST_TARGETS gtest)
else()
  find_package(GTest CONFIG REQUIRED)
  find_package(Boost REQUIRED)
  find_package(nlohmann_json CONFIG REQUIRED)
  add_library(hc_header_deps INTERFACE)
  target_link_libraries(hc_header_deps INTERFACE Boost::headers nlohmann_json::nlohmann_json ws2_32 mswsock)
  target_compile_definitions(hc_header_deps INTERFACE _WIN32_WINNT=0x0A00 WIN32_LEAN_AND_MEAN NOMINMAX)
  target_compile_options(hc_header_deps INTERFACE /bigobj)
  set(HC_GTEST_TARGETS GTest::gtest)
endif()
include(GoogleTest)
