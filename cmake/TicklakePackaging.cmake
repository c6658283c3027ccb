# `cmake --install` and `cpack` (docs/deploy.md): the binary, DuckDB's library beside it, man
# pages and shell completions generated from the binary itself, the systemd units, the docs.
#
#   cmake --preset package && cmake --build build/package --target ticklake
#   cmake --install build/package --prefix /usr/local      # or: cd build/package && cpack
include(GNUInstallDirs)

# DuckDB does not come from Debian: its library ships in the package, in a private folder the
# binary finds through its RUNPATH ($ORIGIN: any prefix). duckdb_loader dlopen()s
# "libduckdb.so", which the dynamic loader looks up in that RUNPATH too.
set(TICKLAKE_PRIVATE_LIBDIR lib/ticklake)
set_target_properties(ticklake PROPERTIES INSTALL_RPATH "$ORIGIN/../${TICKLAKE_PRIVATE_LIBDIR}")
install(TARGETS ticklake RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${DUCKDB_LIBRARY} DESTINATION ${TICKLAKE_PRIVATE_LIBDIR}
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# Generated at install time by the binary being installed, so they describe exactly its flags
# and cost nothing in day-to-day builds.
set(_generated ${CMAKE_BINARY_DIR}/install-generated)
install(CODE "
  file(REMOVE_RECURSE \"${_generated}\")
  file(MAKE_DIRECTORY \"${_generated}/man1\" \"${_generated}/bash\" \"${_generated}/zsh\")
  execute_process(COMMAND \"${PROJECT_SOURCE_DIR}/scripts/gen_man.sh\" \"$<TARGET_FILE:ticklake>\" \"${_generated}/man1\"
                  COMMAND_ERROR_IS_FATAL ANY)
  file(GLOB _pages \"${_generated}/man1/*.1\")
  execute_process(COMMAND gzip -9n \${_pages} COMMAND_ERROR_IS_FATAL ANY) # Debian policy: man pages gzipped
  execute_process(COMMAND \"$<TARGET_FILE:ticklake>\" completion bash OUTPUT_FILE \"${_generated}/bash/ticklake\"
                  COMMAND_ERROR_IS_FATAL ANY)
  execute_process(COMMAND \"$<TARGET_FILE:ticklake>\" completion zsh OUTPUT_FILE \"${_generated}/zsh/_ticklake\"
                  COMMAND_ERROR_IS_FATAL ANY)
")
install(DIRECTORY ${_generated}/man1 DESTINATION ${CMAKE_INSTALL_MANDIR})
install(FILES ${_generated}/bash/ticklake DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${_generated}/zsh/_ticklake DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES packaging/systemd/ticklake-sink@.service packaging/systemd/ticklake-produce@.service
        DESTINATION lib/systemd/system)
install(FILES README.md docs/deploy.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ticklake)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "ticklake maintainers <ticklake@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "capture real-time market data into a queryable data lake")
set(CPACK_PACKAGE_DESCRIPTION "Sources to Kafka, Kafka to Parquet/JSONL/CSV on S3 or a folder, a catalog, and SQL \
over it (embedded DuckDB, bundled). Includes systemd units ticklake-sink@ and ticklake-produce@.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # ticklake_<version>_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
# Debian dependencies from the binary's own NEEDED entries (dpkg-shlibdeps); the bundled DuckDB
# is scanned too, so what it needs (libstdc++, libc) is declared as well.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${CPACK_PACKAGING_INSTALL_PREFIX}/${TICKLAKE_PRIVATE_LIBDIR})
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates, tzdata")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "kcat")
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_BINARY_DIR})
include(CPack)
