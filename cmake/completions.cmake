# Writes the bash and zsh completion scripts that GRIDBATCH prints for its own
# command line (hidden --completion SHELL): OUT_DIR/gridbatch (bash) and
# OUT_DIR/_gridbatch (zsh).
#   cmake -DGRIDBATCH=... -DOUT_DIR=... -P completions.cmake
file(MAKE_DIRECTORY ${OUT_DIR})
foreach(shell bash zsh)
  if(shell STREQUAL "bash")
    set(out ${OUT_DIR}/gridbatch)
  else()
    set(out ${OUT_DIR}/_gridbatch)
  endif()
  execute_process(COMMAND ${GRIDBATCH} --completion ${shell}
    OUTPUT_FILE ${out}.tmp RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "completions.cmake: ${GRIDBATCH} --completion ${shell} exited ${status}")
  endif()
  file(RENAME ${out}.tmp ${out})
endforeach()
