# Per-stage libraries and the rule that keeps the pipeline's dependencies pointing one way.
#
# trailwatch_library(<name> FILES <globs...> DEPS <libraries...> [LINK <third-party targets...>])
# makes the static library trailwatch_<name> from the sources matched by the globs (relative to
# src/) and links it with its DEPS, which must already be defined: a library can only depend on
# libraries declared above it, so the graph cannot have a cycle.
#
# The build also checks every #include "<folder>/<file>.h" of the library's sources and headers:
# the header must belong to the library itself or to one of its DEPS, or configuring fails with
# the file and the header named; editing a file re-runs the check on the next build. Static
# libraries alone would not catch a stray include (every object ends up in one executable), so
# this check is what enforces the direction.
include_guard(GLOBAL)

set_property(GLOBAL PROPERTY TW_LIBRARIES "")

function(trailwatch_library name)
  cmake_parse_arguments(ARG "" "" "FILES;DEPS;LINK" ${ARGN})
  set(files)
  foreach(pattern ${ARG_FILES})
    file(GLOB matched CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${pattern})
    list(APPEND files ${matched})
  endforeach()
  list(REMOVE_DUPLICATES files)
  # A file claimed by an earlier library (route/alert.* is claimed by `alert` before `route`'s
  # route/*.cpp) stays with it.
  get_property(claimed GLOBAL PROPERTY TW_CLAIMED_FILES)
  set(own)
  foreach(file ${files})
    if(NOT file IN_LIST claimed)
      list(APPEND own ${file})
    endif()
  endforeach()
  set_property(GLOBAL APPEND PROPERTY TW_CLAIMED_FILES ${own})
  foreach(dep ${ARG_DEPS})
    get_property(known GLOBAL PROPERTY TW_LIBRARIES)
    if(NOT dep IN_LIST known)
      message(FATAL_ERROR "library ${name}: depends on ${dep}, which is not declared above it")
    endif()
  endforeach()
  # Which library owns each header, for the include check.
  foreach(file ${own})
    if(file MATCHES "\\.h$")
      file(RELATIVE_PATH relative ${CMAKE_SOURCE_DIR}/src ${file})
      set_property(GLOBAL PROPERTY "TW_OWNER_${relative}" ${name})
    endif()
  endforeach()
  # Every scanned file re-runs the check when it changes (configuring takes well under a second),
  # so an #include added to an existing file fails the next build, not only the next configure.
  set_property(DIRECTORY ${CMAKE_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${own})
  foreach(file ${own})
    file(STRINGS ${file} includes REGEX "^#include \"[a-z_]+/[a-z_0-9]+\\.h\"")
    foreach(line ${includes})
      string(REGEX REPLACE "^#include \"([^\"]+)\".*" "\\1" header "${line}")
      get_property(owner GLOBAL PROPERTY "TW_OWNER_${header}")
      if(NOT owner)
        # Not yet declared: it belongs to a library further down, which this one may not use.
        file(RELATIVE_PATH where ${CMAKE_SOURCE_DIR} ${file})
        message(FATAL_ERROR "${where} includes ${header}, which belongs to no library declared "
                            "before ${name} (a stage may only use the stages it depends on)")
      endif()
      if(NOT owner STREQUAL name AND NOT owner IN_LIST ARG_DEPS)
        file(RELATIVE_PATH where ${CMAKE_SOURCE_DIR} ${file})
        message(FATAL_ERROR "${where} includes ${header} of library ${owner}, which library "
                            "${name} does not depend on (its DEPS: ${ARG_DEPS})")
      endif()
    endforeach()
  endforeach()
  set_property(GLOBAL APPEND PROPERTY TW_LIBRARIES ${name})
  set(sources ${own})
  list(FILTER sources INCLUDE REGEX "\\.cpp$")
  if(sources)
    add_library(trailwatch_${name} STATIC ${sources})
    foreach(dep ${ARG_DEPS})
      target_link_libraries(trailwatch_${name} PUBLIC trailwatch_${dep})
    endforeach()
    target_link_libraries(trailwatch_${name} PUBLIC trailwatch_base ${ARG_LINK})
    if(TW_PCH)
      target_precompile_headers(trailwatch_${name} REUSE_FROM trailwatch_pch)
    endif()
    if(TW_UNITY)  # CMakeLists.txt, TW_UNITY: why, and the batch size
      set_target_properties(trailwatch_${name} PROPERTIES UNITY_BUILD ON
                            UNITY_BUILD_BATCH_SIZE ${TW_UNITY_BATCH_SIZE})
    endif()
  else()
    add_library(trailwatch_${name} INTERFACE)
    foreach(dep ${ARG_DEPS})
      target_link_libraries(trailwatch_${name} INTERFACE trailwatch_${dep})
    endforeach()
    target_link_libraries(trailwatch_${name} INTERFACE trailwatch_base ${ARG_LINK})
  endif()
endfunction()
