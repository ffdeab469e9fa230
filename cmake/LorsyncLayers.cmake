# lorsync_layer(FOLDER [BELOW LAYER...] [LINK TARGET...] [SOURCES FILE...])
# Builds daemon/FOLDER (its *.cpp but main.cpp) as the static library lorsync_FOLDER,
# linked to the layers it is BELOW-declared on and nothing above. A layer may only
# name layers declared before it, so the layers form a graph without cycles, in
# the order of daemon/CMakeLists.txt. Each layer's reach (itself and every layer
# under it) is recorded for lorsync_check_layers(), which makes the build refuse a
# source file that includes a header from outside its folder's reach.
function(lorsync_layer folder)
  cmake_parse_arguments(LAYER "" "" "BELOW;LINK;SOURCES" ${ARGN})
  set(reach ${folder})
  foreach(below IN LISTS LAYER_BELOW)
    get_property(below_reach GLOBAL PROPERTY LORSYNC_REACH_${below})
    if(NOT below_reach)
      message(FATAL_ERROR "layer ${folder} is declared on ${below}, which is not a layer declared before it")
    endif()
    list(APPEND reach ${below_reach})
  endforeach()
  list(REMOVE_DUPLICATES reach)
  set_property(GLOBAL PROPERTY LORSYNC_REACH_${folder} "${reach}")
  set_property(GLOBAL APPEND PROPERTY LORSYNC_LAYERS ${folder})

  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${folder}/*.cpp)
  list(FILTER sources EXCLUDE REGEX "/main\\.cpp$")
  add_library(lorsync_${folder} STATIC ${sources} ${LAYER_SOURCES})
  target_include_directories(lorsync_${folder} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  list(TRANSFORM LAYER_BELOW PREPEND lorsync_)
  target_link_libraries(lorsync_${folder} PUBLIC ${LAYER_BELOW} ${LAYER_LINK})
endfunction()

# lorsync_check_layers(): writes the layers and their reach to lorsync-layers.txt
# and adds check_layers (part of every build; also the ctest "layers"), which runs
# cmake/check_layers.cmake over daemon/ whenever a file there changes.
function(lorsync_check_layers)
  get_property(layers GLOBAL PROPERTY LORSYNC_LAYERS)
  set(text "")
  foreach(layer IN LISTS layers)
    get_property(reach GLOBAL PROPERTY LORSYNC_REACH_${layer})
    list(JOIN reach " " reach)
    string(APPEND text "${layer}: ${reach}\n")
  endforeach()
  set(layers_file ${CMAKE_BINARY_DIR}/lorsync-layers.txt)
  file(WRITE ${layers_file}.in "${text}")
  configure_file(${layers_file}.in ${layers_file} COPYONLY)
  file(GLOB_RECURSE daemon_files CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp ${CMAKE_CURRENT_SOURCE_DIR}/*.hpp)
  set(stamp ${CMAKE_CURRENT_BINARY_DIR}/layers.checked)
  set(check_command ${CMAKE_COMMAND} -DLAYERS=${layers_file} -DSOURCE_DIR=${CMAKE_CURRENT_SOURCE_DIR}
                    -P ${PROJECT_SOURCE_DIR}/cmake/check_layers.cmake)
  add_custom_command(OUTPUT ${stamp}
    COMMAND ${check_command}
    COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
    DEPENDS ${daemon_files} ${layers_file} ${PROJECT_SOURCE_DIR}/cmake/check_layers.cmake
            ${PROJECT_SOURCE_DIR}/cmake/read_layers.cmake
    COMMENT "Checking that daemon/ includes only from the layers below each folder"
    VERBATIM)
  add_custom_target(check_layers ALL DEPENDS ${stamp})
  set(LORSYNC_CHECK_LAYERS_COMMAND ${check_command} PARENT_SCOPE)
endfunction()
