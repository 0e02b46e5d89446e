# Writes the version header with the source tree's git revision, "-dirty" when tracked files differ
# from it, "unknown" outside a git checkout. Run at configure time and again at every build (the
# custom target cxsim_version), so results files name the revision the build was made from, not the
# one CMake was configured at. The header is rewritten only when its text changes.
#   cmake -DSOURCE_DIR=... -DINPUT=version.hpp.in -DOUTPUT=.../version.hpp -DPROJECT_VERSION=... -P version.cmake
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE CXSIM_GIT_SHA OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE found)
if(NOT found EQUAL 0 OR NOT CXSIM_GIT_SHA)
  set(CXSIM_GIT_SHA "unknown")
else()
  execute_process(COMMAND git diff --quiet HEAD -- WORKING_DIRECTORY ${SOURCE_DIR} RESULT_VARIABLE changed
                  OUTPUT_QUIET ERROR_QUIET)
  if(changed EQUAL 1)
    string(APPEND CXSIM_GIT_SHA "-dirty")
  endif()
endif()
configure_file(${INPUT} ${OUTPUT} @ONLY)
