# Writes the man pages into OUT_DIR with help2man, from the built programs'
# own --help: gridbatch.1, gridbatch-COMMAND.1 for every command that
# `GRIDBATCH --list-commands` names (so a new command gets its page without
# any list here), and gridbatch-sim.1. OUT_DIR is emptied first, so that a
# command removed since the last build leaves no page behind.
#   cmake -DGRIDBATCH=... -DSIM=... -DHELP2MAN=... -DVERSION=... -DOUT_DIR=...
#         -P man_pages.cmake
foreach(var GRIDBATCH SIM HELP2MAN VERSION OUT_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "man_pages.cmake: ${var} is not set")
  endif()
endforeach()

file(REMOVE_RECURSE ${OUT_DIR})
file(MAKE_DIRECTORY ${OUT_DIR})

execute_process(COMMAND ${GRIDBATCH} --list-commands
  OUTPUT_VARIABLE listing RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "man_pages.cmake: ${GRIDBATCH} --list-commands exited ${status}")
endif()
# A summary may hold ";", CMake's list separator: kept aside while splitting.
string(REPLACE ";" "<semicolon>" listing "${listing}")
string(REGEX REPLACE "\n$" "" listing "${listing}")
string(REPLACE "\n" ";" lines "${listing}")

# page NAME SUMMARY INCLUDE_FILE HELP2MAN_ARGS...
function(page name summary include)
  execute_process(
    COMMAND ${HELP2MAN} --no-info --section=1 --manual=gridbatch
            --source=gridbatch-${VERSION} "--version-string=${name} ${VERSION}"
            "--name=${summary}" --include=${include} --output=${OUT_DIR}/${name}.1 ${ARGN}
    RESULT_VARIABLE status ERROR_VARIABLE errors)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "man_pages.cmake: help2man for ${name} failed (${status}): ${errors}")
  endif()
endfunction()

set(see_also "")
foreach(line IN LISTS lines)
  string(REGEX MATCH "^([^\t]+)\t(.*)$" matched "${line}")
  if(NOT matched)
    message(FATAL_ERROR "man_pages.cmake: unexpected --list-commands line '${line}'")
  endif()
  set(command ${CMAKE_MATCH_1})
  string(REPLACE "<semicolon>" ";" summary "${CMAKE_MATCH_2}")
  # NAME lines start in lower case: "gridbatch-load - validate MANIFEST ...".
  string(SUBSTRING "${summary}" 0 1 first)
  string(SUBSTRING "${summary}" 1 -1 rest)
  string(TOLOWER "${first}" first)
  set(summary "${first}${rest}")
  file(WRITE ${OUT_DIR}/${command}.h2m
    "[SEE ALSO]\n.BR gridbatch (1),\n.BR gridbatch-sim (1);\n"
    "the documentation in share/doc/gridbatch where gridbatch is installed\n"
    "(/usr/share/doc/gridbatch from the Debian package).\n")
  page(gridbatch-${command} "${summary}" ${OUT_DIR}/${command}.h2m
       "--help-option=${command} --help" ${GRIDBATCH})
  file(REMOVE ${OUT_DIR}/${command}.h2m)
  string(APPEND see_also ".BR gridbatch-${command} (1),\n")
endforeach()

file(WRITE ${OUT_DIR}/gridbatch.h2m
  "[SEE ALSO]\nEach command has its own page:\n${see_also}"
  ".BR gridbatch-sim (1).\n.PP\n"
  "The README, the manifest and export formats, the simulator, the benchmarks and the\n"
  "reliability notes are in share/doc/gridbatch where gridbatch is installed\n"
  "(/usr/share/doc/gridbatch from the Debian package).\n")
page(gridbatch "run large LLM prompt sweeps on the GridRepublic Distributed LLM Service"
     ${OUT_DIR}/gridbatch.h2m ${GRIDBATCH})
file(WRITE ${OUT_DIR}/gridbatch.h2m "[SEE ALSO]\n.BR gridbatch (1).\n")
page(gridbatch-sim "a simulator of the GridRepublic remote jobs API"
     ${OUT_DIR}/gridbatch.h2m ${SIM})
file(REMOVE ${OUT_DIR}/gridbatch.h2m)
