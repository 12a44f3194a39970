# Second compiler for the Windows half on a Linux host: Debian's clang targeting x86_64-w64-mingw32,
# with mingw-w64's headers and libraries and the posix-thread libstdc++ of Debian's mingw-w64 GCC
# (the same runtime as cmake/mingw-w64-posix.cmake), linked by lld. Used by the wine-clang preset.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(HC_MINGW_TRIPLE x86_64-w64-mingw32)

find_program(CMAKE_CXX_COMPILER NAMES clang++ clang++-14)
find_program(CMAKE_C_COMPILER NAMES clang clang-14)
find_program(CMAKE_RC_COMPILER ${HC_MINGW_TRIPLE}-windres)
find_program(HC_MINGW_GXX ${HC_MINGW_TRIPLE}-g++-posix)
find_program(HC_LLD NAMES ld.lld ld.lld-14)
if(NOT CMAKE_CXX_COMPILER OR NOT HC_MINGW_GXX OR NOT HC_LLD)
  message(FATAL_ERROR "clang++, ld.lld and ${HC_MINGW_TRIPLE}-g++-posix are needed: install Debian's clang, "
                      "lld and g++-mingw-w64-x86-64-posix")
endif()
set(CMAKE_C_COMPILER_TARGET ${HC_MINGW_TRIPLE})
set(CMAKE_CXX_COMPILER_TARGET ${HC_MINGW_TRIPLE})
set(CMAKE_ASM_COMPILER_TARGET ${HC_MINGW_TRIPLE})
set(CMAKE_SYSROOT /usr/${HC_MINGW_TRIPLE})

# Clang 14 does not recognise Debian's GCC directory name ("12-posix"), so it finds neither the
# libstdc++ headers nor GCC's libraries by itself: ask the mingw GCC where they are.
execute_process(COMMAND ${HC_MINGW_GXX} -print-libgcc-file-name OUTPUT_VARIABLE hc_libgcc
                OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
get_filename_component(hc_gcc_dir ${hc_libgcc} DIRECTORY)
if(NOT EXISTS ${hc_gcc_dir}/include/c++/thread)
  message(FATAL_ERROR "no posix libstdc++ headers in ${hc_gcc_dir}/include/c++: install g++-mingw-w64-x86-64-posix")
endif()
set(hc_cxx_inc ${hc_gcc_dir}/include/c++)
# As -isystem ahead of clang's and mingw's own headers, also when CMAKE_CXX_FLAGS is set.
set(CMAKE_CXX_STANDARD_INCLUDE_DIRECTORIES ${hc_cxx_inc} ${hc_cxx_inc}/${HC_MINGW_TRIPLE} ${hc_cxx_inc}/backward)
# GCC's mingw libstdc++ keeps its thread_local state (std::call_once) in emulated TLS. (A
# CMAKE_CXX_FLAGS given on the command line replaces this: add -femulated-tls there too.)
set(CMAKE_CXX_FLAGS_INIT "-femulated-tls")
# Static runtime as with GCC; -pthread links winpthreads, which the posix libstdc++ needs.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -pthread -fuse-ld=lld -L${hc_gcc_dir}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static -pthread -fuse-ld=lld -L${hc_gcc_dir}")

set(CMAKE_FIND_ROOT_PATH /usr/${HC_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
