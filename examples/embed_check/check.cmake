# Configures and builds examples/embed on its own, then runs the binary with --print-config and
# expects the route it declares. Arguments: SOURCE_DIR, BINARY_DIR, GENERATOR, CXX_COMPILER.
# Debug keeps the second compile of the library short; -j2 keeps it within a shared machine.
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BINARY_DIR} -G ${GENERATOR}
          -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring examples/embed failed (${rc})")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BINARY_DIR} -j2 RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building examples/embed failed (${rc})")
endif()
execute_process(
  COMMAND ${BINARY_DIR}/switchboard-embed --print-config --port 0
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "switchboard-embed --print-config failed (${rc}): ${err}")
endif()
foreach(expected [[pattern = "hello:*"]] [[behaviour = "greeter"]] [[port = 0]])
  string(FIND "${out}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "switchboard-embed --print-config lacks '${expected}':\n${out}")
  endif()
endforeach()
message(STATUS "examples/embed builds and runs")
