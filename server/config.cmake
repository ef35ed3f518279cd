# The configuration unit: defaults, TOML loading and printing (server/config.hpp).
# Included from server/CMakeLists.txt.
add_library(switchboard_config
  ${CMAKE_CURRENT_LIST_DIR}/config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/config_default.cpp
  ${CMAKE_CURRENT_LIST_DIR}/config_print.cpp)
target_include_directories(switchboard_config PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(switchboard_config
  PUBLIC tomlplusplus::tomlplusplus
  PRIVATE switchboard_protocol
  PRIVATE switchboard_warnings)
