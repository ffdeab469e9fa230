# cmake -DLAYERS=FILE -DSOURCE_DIR=DIR -P check_layers.cmake
# FILE has a line "folder: folder below below..." per layer (its reach, as
# cmake/LorsyncLayers.cmake writes it). Fails, naming each file and line, when a
# source or header in DIR/<folder>/ includes "other/..." for an `other` outside
# its folder's reach, or sits in a folder that is no layer.
cmake_minimum_required(VERSION 3.25)
if(NOT LAYERS OR NOT SOURCE_DIR)
  message(FATAL_ERROR "usage: cmake -DLAYERS=FILE -DSOURCE_DIR=DIR -P check_layers.cmake")
endif()
include(${CMAKE_CURRENT_LIST_DIR}/read_layers.cmake)
lorsync_read_layers(${LAYERS})

set(problems "")
file(GLOB_RECURSE files RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/*.cpp ${SOURCE_DIR}/*.hpp)
list(SORT files)
foreach(file IN LISTS files)
  string(REGEX MATCH "^([^/]+)/" in_folder "${file}")
  if(NOT in_folder)
    continue()  # generated or top-level files have no layer
  endif()
  set(folder ${CMAKE_MATCH_1})
  if(NOT folder IN_LIST layers)
    string(APPEND problems "  ${file}: ${folder}/ is no layer (declare it with lorsync_layer in daemon/CMakeLists.txt)\n")
    continue()
  endif()
  file(STRINGS ${SOURCE_DIR}/${file} includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"[^\"/]+/")
  foreach(include IN LISTS includes)
    string(REGEX MATCH "\"([^\"/]+)/" ignored "${include}")
    set(target ${CMAKE_MATCH_1})
    if(NOT target IN_LIST reach_${folder})
      string(STRIP "${include}" include)
      string(APPEND problems "  ${file}: ${include}: ${target}/ is not below ${folder}/\n")
    endif()
  endforeach()
endforeach()
if(problems)
  message(FATAL_ERROR "upward includes (each folder includes only itself and the layers below it, "
                      "in the order of daemon/CMakeLists.txt):\n${problems}")
endif()
