# Project-wide compile settings and the two helpers every CMakeLists.txt uses.

# Designated initialisers of Options structs leave defaulted fields out on purpose.
set(ROMANA_WARNINGS -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers)
if(ROMANA_FUZZ)
  # Coverage for libFuzzer and AddressSanitizer in every library a fuzz target links; the
  # targets themselves link -fsanitize=fuzzer (fuzz/CMakeLists.txt).
  add_compile_options(-fsanitize=fuzzer-no-link,address -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address)
endif()
if(ROMANA_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# romana_library(NAME SRCS a.cc b.cc DEPS PUBLIC ... PRIVATE ...)
# Builds romana_<NAME> with the alias romana::<NAME>, C++20 and our warnings.
function(romana_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;PUBLIC;PRIVATE" ${ARGN})
  set(target romana_${name})
  if(ARG_SRCS)
    add_library(${target} STATIC ${ARG_SRCS})
    target_compile_options(${target} PRIVATE ${ROMANA_WARNINGS})
    target_include_directories(${target} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>)
    target_link_libraries(${target} PUBLIC ${ARG_PUBLIC} PRIVATE ${ARG_PRIVATE})
    target_compile_features(${target} PUBLIC cxx_std_20)
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>)
    target_link_libraries(${target} INTERFACE ${ARG_PUBLIC})
    target_compile_features(${target} INTERFACE cxx_std_20)
  endif()
  add_library(romana::${name} ALIAS ${target})
endfunction()

# romana_binary(NAME SRCS main.cc DEPS ...): one installed executable.
function(romana_binary name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_compile_options(${name} PRIVATE ${ROMANA_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_compile_features(${name} PRIVATE cxx_std_20)
  install(TARGETS ${name} RUNTIME DESTINATION bin)
endfunction()

# romana_test(NAME SRCS x_test.cc DEPS ... [LABELS unit|integration|e2e|root|serial] [TIMEOUT s])
# A GoogleTest binary whose tests are listed to ctest one by one at test time. The label `serial`
# makes ctest run each of its tests alone (RUN_SERIAL): for suites that kill and restart servers
# and time their recovery, which a second suite on the same cores would slow down.
function(romana_test name)
  if(NOT BUILD_TESTING)
    return()
  endif()
  cmake_parse_arguments(ARG "" "TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SRCS})
  target_compile_options(${name} PRIVATE ${ROMANA_WARNINGS})
  # The sanitizer build compiles test sources at -O0 (after the build type's -O1, so it wins):
  # test code is half of that build's compile time and its speed does not matter, while the code
  # under test keeps -O1 (docs/testing.md, "Build time").
  if(ROMANA_SANITIZE)
    target_compile_options(${name} PRIVATE -O0)
  endif()
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_features(${name} PRIVATE cxx_std_20)
  # ROMANA_SOURCE_DIR lets tests find ../shared/testdata and scripts; ROMANA_BINARY_DIR the binaries.
  target_compile_definitions(${name} PRIVATE
    ROMANA_SOURCE_DIR="${PROJECT_SOURCE_DIR}" ROMANA_BINARY_DIR="${PROJECT_BINARY_DIR}")
  set(run_serial FALSE)
  if("serial" IN_LIST ARG_LABELS)
    set(run_serial TRUE)
  endif()
  # gtest_discover_tests re-splits list values, so a discovered test carries only the first label
  # (`ctest -L` sees that one); `serial` takes effect through RUN_SERIAL.
  gtest_discover_tests(${name}
    DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT} RUN_SERIAL ${run_serial})
endfunction()

# romana_bench(NAME SRCS x_bench.cc DEPS ...): a Google Benchmark or table-printing binary.
function(romana_bench name)
  if(NOT ROMANA_BENCH)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_compile_options(${name} PRIVATE ${ROMANA_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_compile_features(${name} PRIVATE cxx_std_20)
  target_compile_definitions(${name} PRIVATE
    ROMANA_SOURCE_DIR="${PROJECT_SOURCE_DIR}" ROMANA_BINARY_DIR="${PROJECT_BINARY_DIR}")
endfunction()
