# cmake -DLAYERS=FILE -DSOURCE_DIR=DIR -DTESTS_DIR=DIR -P check_unit_tests.cmake
# FILE lists the layers of DIR (a line "folder: reach..." each, as cmake/LorsyncLayers.cmake writes it).
# Fails, naming each folder, when a layer with a header of its own (DIR/<folder>/*.hpp: an interface to
# test) has no unit test file TESTS_DIR/unit/<folder>_test.cpp, or TESTS_DIR/CMakeLists.txt does not name
# it (then lorsync_unit_tests does not build it). A folder may have more test files than
# that one (model has yaml_tree_test and front_matter_edit_test too); a layer with no header (net, which
# only compiles Asio and Beast) has nothing of its own to test.
cmake_minimum_required(VERSION 3.25)
if(NOT LAYERS OR NOT SOURCE_DIR OR NOT TESTS_DIR)
  message(FATAL_ERROR "usage: cmake -DLAYERS=FILE -DSOURCE_DIR=DIR -DTESTS_DIR=DIR -P check_unit_tests.cmake")
endif()
include(${CMAKE_CURRENT_LIST_DIR}/read_layers.cmake)
lorsync_read_layers(${LAYERS})
file(READ ${TESTS_DIR}/CMakeLists.txt tests_cmake)
set(problems "")
foreach(folder IN LISTS layers)
  file(GLOB headers ${SOURCE_DIR}/${folder}/*.hpp)
  if(headers AND NOT EXISTS ${TESTS_DIR}/unit/${folder}_test.cpp)
    string(APPEND problems "  ${folder}/ has no unit test: add tests/unit/${folder}_test.cpp to lorsync_unit_tests\n")
  elseif(headers)
    string(FIND "${tests_cmake}" "unit/${folder}_test.cpp" listed)
    if(listed EQUAL -1)
      string(APPEND problems "  ${folder}/: tests/unit/${folder}_test.cpp is not built: add it to lorsync_unit_tests\n")
    endif()
  endif()
endforeach()
if(problems)
  message(FATAL_ERROR "daemon/ folders without a unit test file of their own:\n${problems}")
endif()
