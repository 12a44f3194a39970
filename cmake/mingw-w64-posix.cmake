# Cross toolchain for the Windows suites on a Linux host: Debian's mingw-w64, posix thread model.
# The win32 thread model of GCC 12 has no std::thread, so the -posix variants are required.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(HC_MINGW_TRIPLE x86_64-w64-mingw32)

find_program(CMAKE_CXX_COMPILER ${HC_MINGW_TRIPLE}-g++-posix)
find_program(CMAKE_C_COMPILER ${HC_MINGW_TRIPLE}-gcc-posix)
find_program(CMAKE_RC_COMPILER ${HC_MINGW_TRIPLE}-windres)
if(NOT CMAKE_CXX_COMPILER)
  message(FATAL_ERROR "${HC_MINGW_TRIPLE}-g++-posix not found: install Debian's g++-mingw-w64-x86-64-posix")
endif()

set(CMAKE_FIND_ROOT_PATH /usr/${HC_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Static runtime: no mingw DLL has to be found by Wine at run time.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
