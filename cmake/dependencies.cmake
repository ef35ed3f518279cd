# Locates the Debian 12 packages Switchboard builds on (see README "Dependencies").
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS system json url CONFIG)
find_package(tomlplusplus 3 REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)

# CAF 0.17.6 ships no CMake package.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIBRARY caf_core REQUIRED)
if(NOT TARGET caf::core)
  add_library(caf::core UNKNOWN IMPORTED)
  set_target_properties(caf::core PROPERTIES
    IMPORTED_LOCATION ${CAF_CORE_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${CAF_INCLUDE_DIR}
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()
