# CAF for the ThreadSanitizer build (SWITCHBOARD_TSAN).
#
# ThreadSanitizer sees only the synchronization of instrumented code. Debian's libcaf_core is not
# instrumented: its mailboxes, scheduler queues and reference counts synchronize with atomics
# TSan cannot see, so every hand-off through an actor message would be reported as a race in
# our code (thousands of reports in the unit tests, none of them real). A suppressions file
# cannot tell those apart from real races between actor code and other threads, so the TSan
# build links the same CAF release built with -fsanitize=thread instead: Debian's source tarball
# of 0.17.6, whose headers are exactly the installed /usr/include/caf ones (which stay in use).
# Building it takes about 2 minutes on 2 cores, once per build directory.

include(ExternalProject)

set(SWITCHBOARD_TSAN_CAF_URL
  "https://deb.debian.org/debian/pool/main/a/actor-framework/actor-framework_0.17.6.orig.tar.gz"
  CACHE STRING "CAF 0.17.6 source tarball for SWITCHBOARD_TSAN (a URL or a local file)")
# One job: our own code compiles alongside it.
set(SWITCHBOARD_TSAN_CAF_JOBS 1 CACHE STRING "Parallel jobs of the CAF build (SWITCHBOARD_TSAN)")

set(caf_tsan_dir ${CMAKE_BINARY_DIR}/caf-tsan)
set(caf_tsan_library ${caf_tsan_dir}/build/lib/libcaf_core.so)
ExternalProject_Add(caf_tsan
  URL ${SWITCHBOARD_TSAN_CAF_URL}
  # The Checksums-Sha256 of Debian's actor-framework_0.17.6-2.1.dsc.
  URL_HASH SHA256=e2bf5bd243f08bb7d8adde197cfe3e6d71314ed3378fe0692f8932f4c3b3928c
  DOWNLOAD_EXTRACT_TIMESTAMP TRUE
  PREFIX ${caf_tsan_dir}
  BINARY_DIR ${caf_tsan_dir}/build
  CMAKE_ARGS
    -DCMAKE_BUILD_TYPE=RelWithDebInfo
    -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
    -DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER}
    "-DCMAKE_CXX_FLAGS=-fsanitize=thread -fno-omit-frame-pointer -Wno-tsan"
    -DCAF_NO_IO=yes -DCAF_NO_OPENSSL=yes -DCAF_NO_OPENCL=yes -DCAF_NO_PYTHON=yes
    -DCAF_NO_TOOLS=yes -DCAF_NO_EXAMPLES=yes -DCAF_NO_UNIT_TESTS=yes -DCAF_NO_SUMMARY=yes
    -DCAF_NO_COMPILER_CHECK=yes
  BUILD_COMMAND ${CMAKE_COMMAND} --build <BINARY_DIR> --target libcaf_core_shared
                -j ${SWITCHBOARD_TSAN_CAF_JOBS}
  INSTALL_COMMAND ""
  BUILD_BYPRODUCTS ${caf_tsan_library}
  LOG_CONFIGURE TRUE
  LOG_BUILD TRUE
  LOG_OUTPUT_ON_FAILURE TRUE)

set_target_properties(caf::core PROPERTIES IMPORTED_LOCATION ${caf_tsan_library})
# With Ninja, the library as a byproduct orders every link after the CAF build, and compiling
# waits for nothing. Other generators need the target dependency (which also holds back compiling).
if(NOT CMAKE_GENERATOR MATCHES "Ninja")
  add_dependencies(caf::core caf_tsan)
endif()
