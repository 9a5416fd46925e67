# Installing and packaging (README, "Installing"): `cmake --install` puts the
# two programs in bin/, their man pages in share/man/man1, the bash and zsh
# completions where bash-completion and Debian's zsh look for them, and the
# documentation in share/doc/gridbatch; `cpack` makes a .deb of the same tree.
# The man pages and completions are generated at build time from the built
# programs (their --help, --list-commands and --completion), so a command or
# option added to the CLI reaches them without editing anything here.
include(GNUInstallDirs)

install(TARGETS gridbatch gridbatch-sim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(GRIDBATCH_COMPLETION_DIR ${PROJECT_BINARY_DIR}/completions)
add_custom_command(
  OUTPUT ${GRIDBATCH_COMPLETION_DIR}/gridbatch ${GRIDBATCH_COMPLETION_DIR}/_gridbatch
  COMMAND ${CMAKE_COMMAND} -DGRIDBATCH=$<TARGET_FILE:gridbatch>
          -DOUT_DIR=${GRIDBATCH_COMPLETION_DIR} -P ${PROJECT_SOURCE_DIR}/cmake/completions.cmake
  DEPENDS gridbatch ${PROJECT_SOURCE_DIR}/cmake/completions.cmake
  COMMENT "Writing the bash and zsh completions"
  VERBATIM)
add_custom_target(gridbatch_completions ALL
  DEPENDS ${GRIDBATCH_COMPLETION_DIR}/gridbatch ${GRIDBATCH_COMPLETION_DIR}/_gridbatch)
install(FILES ${GRIDBATCH_COMPLETION_DIR}/gridbatch
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${GRIDBATCH_COMPLETION_DIR}/_gridbatch
  DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)

find_program(GRIDBATCH_HELP2MAN help2man)
set(GRIDBATCH_MAN_DIR ${PROJECT_BINARY_DIR}/man/man1)
if(GRIDBATCH_HELP2MAN)
  add_custom_command(
    OUTPUT ${GRIDBATCH_MAN_DIR}/gridbatch.1 ${GRIDBATCH_MAN_DIR}/gridbatch-sim.1
    COMMAND ${CMAKE_COMMAND} -DGRIDBATCH=$<TARGET_FILE:gridbatch>
            -DSIM=$<TARGET_FILE:gridbatch-sim> -DHELP2MAN=${GRIDBATCH_HELP2MAN}
            -DVERSION=${PROJECT_VERSION} -DOUT_DIR=${GRIDBATCH_MAN_DIR}
            -P ${PROJECT_SOURCE_DIR}/cmake/man_pages.cmake
    DEPENDS gridbatch gridbatch-sim ${PROJECT_SOURCE_DIR}/cmake/man_pages.cmake
    COMMENT "Writing the man pages (help2man)"
    VERBATIM)
  add_custom_target(gridbatch_man_pages ALL
    DEPENDS ${GRIDBATCH_MAN_DIR}/gridbatch.1 ${GRIDBATCH_MAN_DIR}/gridbatch-sim.1)
  # The whole folder: it holds a page per command, whichever commands exist.
  install(DIRECTORY ${GRIDBATCH_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
    FILES_MATCHING PATTERN "*.1")
else()
  message(WARNING "help2man not found: no man pages are built or installed "
                  "(scripts/install-deps.sh installs it)")
endif()

# The documents keep their layout, so that the links between them still work.
install(FILES README.md ARCHITECTURE.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs FILES_MATCHING PATTERN "*.md")
install(DIRECTORY examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(DIRECTORY schemas/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/schemas
  FILES_MATCHING PATTERN "*.schema.json" PATTERN migrations EXCLUDE)

# cpack (in the build folder) writes gridbatch_VERSION_ARCH.deb. Its Depends
# come from dpkg-shlibdeps (package dpkg-dev): the Debian packages of the
# shared libraries the two programs link (libcurl4, libsqlite3-0, libyaml-cpp,
# libstdc++6...), at the versions they were built against.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME gridbatch)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "run large LLM prompt sweeps as batch jobs on the GridRepublic Distributed LLM Service")
set(CPACK_PACKAGE_DESCRIPTION "gridbatch loads a YAML manifest of prompts and models into a \
SQLite job table, submits the jobs at a set rate, polls them in batches until every one is final \
(resumable after any interruption) and exports the results as CSV or JSONL. gridbatch-sim is a \
simulator of the service for tests and demos.")
set(CPACK_PACKAGE_CONTACT "gridbatch maintainers <maintainers@users.noreply.r-seed-965ffd12.example>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")
include(CPack)
