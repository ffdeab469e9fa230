# embed_files(TARGET_SOURCE_VAR NAME BASE_DIR FILES...)
# Generates a C++ source defining lorsync::resources::NAME(): a sorted list of
# {relative path, contents} for FILES, so that schemas and the sample plan are
# compiled into the binaries and the files in the repository stay the one source.
function(embed_files out_var name base_dir)
  set(output "${CMAKE_CURRENT_BINARY_DIR}/embedded_${name}.cpp")
  set(list_file "${CMAKE_CURRENT_BINARY_DIR}/embedded_${name}.list")
  string(REPLACE ";" "\n" file_lines "${ARGN}")
  file(WRITE "${list_file}.in" "${file_lines}\n")
  configure_file("${list_file}.in" "${list_file}" COPYONLY)
  add_custom_command(
    OUTPUT "${output}"
    COMMAND ${CMAKE_COMMAND} -DNAME=${name} -DBASE_DIR=${base_dir}
            -DLIST_FILE=${list_file} -DOUTPUT=${output}
            -P "${PROJECT_SOURCE_DIR}/cmake/embed_generate.cmake"
    DEPENDS ${ARGN} "${list_file}" "${PROJECT_SOURCE_DIR}/cmake/embed_generate.cmake"
    COMMENT "Embedding ${name}"
    VERBATIM)
  set(${out_var} "${output}" PARENT_SCOPE)
endfunction()
