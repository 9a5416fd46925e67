# Loads MANIFEST into a fresh database DB twice with GRIDBATCH: the first load
# must add every job, the second none (re-loading is idempotent).
file(REMOVE ${DB} ${DB}-wal ${DB}-shm)
foreach(round first second)
  execute_process(COMMAND ${GRIDBATCH} load ${MANIFEST} --db ${DB}
    RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "${round} load exited ${code}:\n${out}${err}")
  endif()
  # The summary is a message: on stderr.
  if(NOT err MATCHES ": ([0-9]+) new, ([0-9]+) already present, 0 no longer in the manifest \\(([0-9]+) jobs\\)")
    message(FATAL_ERROR "unexpected ${round} load output:\n${out}${err}")
  endif()
  set(added ${CMAKE_MATCH_1})
  set(present ${CMAKE_MATCH_2})
  set(listed ${CMAKE_MATCH_3})
  if(round STREQUAL "first" AND NOT (added EQUAL listed AND present EQUAL 0 AND added GREATER 0))
    message(FATAL_ERROR "first load did not add every job:\n${err}")
  endif()
  if(round STREQUAL "second" AND NOT (added EQUAL 0 AND present EQUAL listed))
    message(FATAL_ERROR "second load added jobs:\n${err}")
  endif()
endforeach()
file(REMOVE ${DB} ${DB}-wal ${DB}-shm)
