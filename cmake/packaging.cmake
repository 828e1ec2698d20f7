# Installation and the two ways other projects find libxalign (README "Library / packaging"):
#   pkg-config   xalign.pc (installed, relocatable) and xalign-uninstalled.pc (the build tree)
#   CMake        find_package(xalign) -> xalign::xalign (shared), xalign::xalign_static
include(CMakePackageConfigHelpers)

option(XA_PC_RPATH "xalign.pc adds -Wl,-rpath,LIBDIR so programs linked with it run without \
LD_LIBRARY_PATH (turn off when installing into a directory the dynamic loader searches)" ON)
set(XA_PC_RPATH_FLAG "")
if(XA_PC_RPATH)
  set(XA_PC_RPATH_FLAG "-Wl,-rpath,\${libdir} ")
endif()

# Installed .pc: the prefix is found from where the file is installed (pkg-config's pcfiledir),
# one ".." per component of LIBDIR/pkgconfig. It is generated into a folder of its own: a
# PKG_CONFIG_PATH pointing at the build tree must find the uninstalled file only.
file(RELATIVE_PATH XA_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${CMAKE_SOURCE_DIR}/cmake/xalign.pc.in ${CMAKE_BINARY_DIR}/install/xalign.pc @ONLY)
file(REMOVE ${CMAKE_BINARY_DIR}/xalign.pc) # where build trees of earlier versions had it

# Build tree: pkg-config prefers NAME-uninstalled.pc to NAME.pc when both are on its path, so
# PKG_CONFIG_PATH=build gives the source tree's headers and the build tree's library.
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/xalign-uninstalled.pc CONTENT
"# xalign from its build tree (installed programs use xalign.pc instead)
libdir=$<TARGET_FILE_DIR:xalign_shared>
includedir=${CMAKE_SOURCE_DIR}/include

Name: xalign
Description: xalign, uninstalled (build tree ${CMAKE_BINARY_DIR})
Version: ${PROJECT_VERSION}
Requires.private: libjpeg libpng zlib jansson
Libs: -L\${libdir} -Wl,-rpath,\${libdir} -lxalign
Libs.private: -lpthread -lm
Cflags: -I\${includedir}
")

install(TARGETS xalign RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS xalign_shared xalign_static EXPORT xalignTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/xalign DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${CMAKE_BINARY_DIR}/install/xalign.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# CMake package: installed under LIBDIR/cmake/xalign, and a build-tree copy so that
# -Dxalign_DIR=BUILD works without installing.
set(XA_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/xalign)
install(EXPORT xalignTargets NAMESPACE xalign:: DESTINATION ${XA_CMAKE_DIR})
export(EXPORT xalignTargets NAMESPACE xalign:: FILE ${CMAKE_BINARY_DIR}/xalignTargets.cmake)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/xalignConfig.cmake.in
  ${CMAKE_BINARY_DIR}/install/xalignConfig.cmake INSTALL_DESTINATION ${XA_CMAKE_DIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/xalignConfig.cmake.in
  ${CMAKE_BINARY_DIR}/xalignConfig.cmake INSTALL_DESTINATION ${CMAKE_BINARY_DIR}
  INSTALL_PREFIX ${CMAKE_BINARY_DIR})
# 0.x: a minor version may change the API, so only the same MAJOR.MINOR satisfies a request.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/xalignConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/install/xalignConfig.cmake
  ${CMAKE_BINARY_DIR}/xalignConfigVersion.cmake DESTINATION ${XA_CMAKE_DIR})

# The Python package (python/xalign, over libxalign.so with ctypes) and the one-file dump helper,
# installed where Debian's /usr/bin/python3 looks: PREFIX/lib/python3.X/dist-packages (for
# PREFIX=/usr/local that is on its sys.path; other prefixes go on PYTHONPATH). _paths.py records
# the library's directory so the package finds the library it was installed with.
if(NOT XA_PYTHON_DIR)
  execute_process(COMMAND /usr/bin/python3 -c "import sys; print('python%d.%d' % sys.version_info[:2])"
    OUTPUT_VARIABLE XA_PYVER OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT XA_PYVER)
    set(XA_PYVER python3)
  endif()
  set(XA_PYTHON_DIR lib/${XA_PYVER}/dist-packages)
endif()
set(XA_PYTHON_DIR ${XA_PYTHON_DIR} CACHE STRING "where make install puts the Python package (relative to the prefix)")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/python/xalign DESTINATION ${XA_PYTHON_DIR}
  PATTERN "__pycache__" EXCLUDE PATTERN "_paths.py" EXCLUDE)
install(FILES ${CMAKE_SOURCE_DIR}/python/xalign_dump.py DESTINATION ${XA_PYTHON_DIR})
install(CODE "
  set(libdir \"${CMAKE_INSTALL_FULL_LIBDIR}\")
  file(WRITE \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${XA_PYTHON_DIR}/xalign/_paths.py\"
    \"# written by make install: where this package's libxalign is\\nLIBDIR = '\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}'\\n\")
")
