# Header-only dependencies of a mingw-w64 cross build on a Linux host, as targets named like their
# packages' own (Boost::headers, nlohmann_json::nlohmann_json): the host's Boost and nlohmann/json
# through an include directory that holds only them (adding /usr/include itself would shadow
# mingw's C library headers).
include_guard(DIRECTORY)
set(hc_hostinc ${CMAKE_BINARY_DIR}/hostinc)
file(MAKE_DIRECTORY ${hc_hostinc})
foreach(dir IN ITEMS boost nlohmann)
  if(NOT EXISTS /usr/include/${dir})
    message(FATAL_ERROR "/usr/include/${dir} not found: install Debian's libboost-dev and nlohmann-json3-dev")
  endif()
  file(CREATE_LINK /usr/include/${dir} ${hc_hostinc}/${dir} SYMBOLIC)
endforeach()
foreach(target IN ITEMS Boost::headers nlohmann_json::nlohmann_json)
  add_library(${target} INTERFACE IMPORTED)
  set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${hc_hostinc}
                                             INTERFACE_SYSTEM_INCLUDE_DIRECTORIES ${hc_hostinc})
endforeach()
