# include()d by the -P scripts that check daemon/'s layers (check_layers.cmake, check_unit_tests.cmake):
# reads FILE, a line "folder: folder below below..." per layer (its reach, as cmake/LorsyncLayers.cmake
# writes it), into `layers` (the folders, in order) and `reach_<folder>` (the folders it may include).
function(lorsync_read_layers file)
  file(STRINGS ${file} lines)
  set(folders "")
  foreach(line IN LISTS lines)
    string(REGEX MATCH "^([a-z_0-9]+): (.*)$" matched "${line}")
    if(NOT matched)
      message(FATAL_ERROR "${file}: not a layer line: ${line}")
    endif()
    list(APPEND folders ${CMAKE_MATCH_1})
    string(REPLACE " " ";" reach "${CMAKE_MATCH_2}")
    set(reach_${CMAKE_MATCH_1} ${reach} PARENT_SCOPE)
  endforeach()
  set(layers ${folders} PARENT_SCOPE)
endfunction()
