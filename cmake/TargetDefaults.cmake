# The compile defaults of every target of this repository, on every toolchain (MSVC, mingw-w64
# GCC, clang, native GCC): C++20 without extensions, warnings on and fatal. localserver's own
# CMakeLists includes this file by path, so its stand-alone fuzz build gets the same defaults.
include_guard(GLOBAL)
function(hc_target_defaults target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 /WX /permissive- /EHsc /utf-8)
    # std::getenv is standard C++ (read once, before threads start); C4996 would reject it.
    target_compile_definitions(${target} PRIVATE _CRT_SECURE_NO_WARNINGS)
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -pedantic-errors -Werror)
  endif()
endfunction()
