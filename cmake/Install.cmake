# Install rules and the Debian package (issue 12), included from CMakeLists.txt.
#
#   cmake --install build/release                # `make install`: under /usr/local (the prefix)
#   cd build/release && cpack -G DEB             # `make package`: trailwatch_<ver>-1_<arch>.deb
#
# What goes where (prefix /usr for the package, /usr/local by default for `make install`):
#   <prefix>/bin/trailwatch
#   /lib/systemd/system/trailwatch.service       (prefix /usr; else <prefix>/lib/systemd/system,
#                                                 which systemd also reads; ExecStart= and
#                                                 Documentation= rewritten to the prefix)
#   /etc/trailwatch/trailwatch.yaml              (deploy/trailwatch.yaml; never overwritten by
#                                                 `make install`, a conffile in the package)
#   <prefix>/share/doc/trailwatch/               README, docs, copyright, changelog, examples
#   <prefix>/share/man/man1/trailwatch.1.gz      (docs/trailwatch.1, written by hand)
# The `trailwatch` user and /var/lib/trailwatch are made by deploy/debian/postinst, which the
# package runs and `make install` runs after cmake --install.
include(GNUInstallDirs)

# `install` must not build the tests first: `make package` builds only what it installs.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

# Compressed as Debian policy wants (gzip -9n: best, no name or time stamp, so the package is
# reproducible). Built with the binary (ALL) so that cpack finds them.
set(TW_GZ_DIR ${CMAKE_BINARY_DIR}/install-files)
add_custom_command(
  OUTPUT ${TW_GZ_DIR}/trailwatch.1.gz ${TW_GZ_DIR}/changelog.Debian.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${TW_GZ_DIR}
  COMMAND gzip -9n -c ${CMAKE_SOURCE_DIR}/docs/trailwatch.1 > ${TW_GZ_DIR}/trailwatch.1.gz
  COMMAND gzip -9n -c ${CMAKE_SOURCE_DIR}/deploy/debian/changelog
          > ${TW_GZ_DIR}/changelog.Debian.gz
  DEPENDS ${CMAKE_SOURCE_DIR}/docs/trailwatch.1 ${CMAKE_SOURCE_DIR}/deploy/debian/changelog
  VERBATIM)
add_custom_target(trailwatch_install_files ALL
  DEPENDS ${TW_GZ_DIR}/trailwatch.1.gz ${TW_GZ_DIR}/changelog.Debian.gz)

install(TARGETS trailwatch RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${TW_GZ_DIR}/trailwatch.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES README.md docs/deployment.md docs/operations.md docs/aws-credentials.md
              docs/configuration.md docs/sources.md docs/rules.md docs/http-source.md
              docs/limits.md docs/webhook-signatures.md docs/cloudformation.md
              deploy/debian/copyright ${TW_GZ_DIR}/changelog.Debian.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY examples/cloudtrail DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES examples/rules.yaml DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# The unit and the configuration are placed at install time, when the prefix is known (cpack
# installs with /usr, `cmake --install` with the configured one or --prefix).
set(TW_UNIT_SOURCE ${CMAKE_SOURCE_DIR}/deploy/trailwatch.service)
set(TW_CONFIG_SOURCE ${CMAKE_SOURCE_DIR}/deploy/trailwatch.yaml)
set(TW_UNIT_STAGING ${CMAKE_BINARY_DIR}/install-files/unit)
install(CODE "
  set(prefix \"\${CMAKE_INSTALL_PREFIX}\")
  if(prefix STREQUAL \"/usr\")
    set(unit_dir /lib/systemd/system)
  else()
    set(unit_dir \"\${prefix}/lib/systemd/system\")
  endif()
  file(READ \"${TW_UNIT_SOURCE}\" unit)
  string(REPLACE \"/usr/bin/trailwatch\" \"\${prefix}/${CMAKE_INSTALL_BINDIR}/trailwatch\" unit \"\${unit}\")
  string(REPLACE \"/usr/share/doc/trailwatch\" \"\${prefix}/${CMAKE_INSTALL_DATAROOTDIR}/doc/trailwatch\"
         unit \"\${unit}\")
  file(MAKE_DIRECTORY \"${TW_UNIT_STAGING}\")
  file(WRITE \"${TW_UNIT_STAGING}/trailwatch.service\" \"\${unit}\")
  file(INSTALL \"${TW_UNIT_STAGING}/trailwatch.service\" DESTINATION \"\${unit_dir}\"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  if(EXISTS \"\$ENV{DESTDIR}/etc/trailwatch/trailwatch.yaml\")
    message(STATUS \"Kept: \$ENV{DESTDIR}/etc/trailwatch/trailwatch.yaml (already there)\")
  else()
    file(INSTALL \"${TW_CONFIG_SOURCE}\" DESTINATION /etc/trailwatch
         PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endif()
")

# The Debian package.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME trailwatch)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CONTACT "trailwatch maintainers <maintainers@users.noreply.r-seed-10182a0e.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "alerts on AWS CloudTrail events with EventBridge patterns")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The extended description (CPack puts the summary above it and indents every line).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "trailwatch reads CloudTrail log files (on disk, in S3, through SQS
notifications), EventBridge API destinations and SNS subscriptions, matches
each event against EventBridge event patterns with AWS's exact semantics,
and delivers alerts through a durable outbox to Slack, Microsoft Teams,
webhooks or standard output.

The package installs a hardened systemd unit, the trailwatch system user
and an example configuration in /etc/trailwatch/trailwatch.yaml.")
# Library dependencies from dpkg-shlibdeps (they resolve from Debian's archive); adduser for the
# postinst; procps for the unit's ExecReload=/bin/kill (minimal systems and containers lack it).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, procps")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/deploy/debian/postinst ${CMAKE_SOURCE_DIR}/deploy/debian/prerm
    ${CMAKE_SOURCE_DIR}/deploy/debian/postrm ${CMAKE_SOURCE_DIR}/deploy/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
