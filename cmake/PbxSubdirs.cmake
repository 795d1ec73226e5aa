# pbx_add_subdirectories(): adds every direct subfolder of the current source dir that has a
# CMakeLists.txt, except those named in PBX_SKIP_DIRS (paths relative to the source root,
# e.g. "lib/fax;tests/unit/fax") — for building part of the tree while another part is in
# progress.
set(PBX_SKIP_DIRS "" CACHE STRING "Source folders (relative to the root) not to build")

function(pbx_add_subdirectories)
  file(GLOB _dirs LIST_DIRECTORIES true ${CMAKE_CURRENT_SOURCE_DIR}/*)
  foreach(_dir ${_dirs} ${ARGN})
    if(IS_DIRECTORY ${_dir} AND EXISTS ${_dir}/CMakeLists.txt)
      file(RELATIVE_PATH _rel ${CMAKE_SOURCE_DIR} ${_dir})
      if(NOT _rel IN_LIST PBX_SKIP_DIRS)
        add_subdirectory(${_dir})
      endif()
    endif()
  endforeach()
endfunction()
