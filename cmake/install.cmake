# `cmake --install build --prefix PREFIX`: the numerics and sim libraries, their public headers, a CMake
# package (find_package(fpsim) -> fpsim::numerics, fpsim::sim) and a pkg-config file (fpsim.pc).
# Headers keep the source layout (#include "numerics/core/format.h"); internal/ folders and the MPFR oracle
# (numerics/reference/, tests and tools only) are not installed.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Position-independent, so that shared libraries (the Python module, a consumer's plugin) can link them.
set_target_properties(fpsim_numerics fpsim_sim PROPERTIES POSITION_INDEPENDENT_CODE ON)
set_target_properties(fpsim_numerics PROPERTIES EXPORT_NAME numerics)
set_target_properties(fpsim_sim PROPERTIES EXPORT_NAME sim)

install(TARGETS fpsim_numerics fpsim_sim fpsim_warnings EXPORT fpsimTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION include)
foreach(_dir numerics/core numerics/arith numerics/fast numerics/quantize numerics/simd sim)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/${_dir}/ DESTINATION include/${_dir}
          FILES_MATCHING PATTERN "*.h" PATTERN "internal" EXCLUDE)
endforeach()

set(_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/fpsim)
install(EXPORT fpsimTargets NAMESPACE fpsim:: DESTINATION ${_cmake_dir})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/fpsimConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/cmake/fpsimConfig.cmake INSTALL_DESTINATION ${_cmake_dir})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/cmake/fpsimConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/cmake/fpsimConfig.cmake ${CMAKE_BINARY_DIR}/cmake/fpsimConfigVersion.cmake
        DESTINATION ${_cmake_dir})

# pkg-config: static libraries, so Libs lists OpenMP's flag as well (the libraries use it when FPSIM_OPENMP).
set(FPSIM_PC_OPENMP "")
if(FPSIM_OPENMP AND OpenMP_CXX_FOUND)
  set(FPSIM_PC_OPENMP "${OpenMP_CXX_FLAGS}")
endif()
# The prefix is found from the .pc file's own place, so the tree can be installed to any --prefix.
file(RELATIVE_PATH FPSIM_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
configure_file(${CMAKE_SOURCE_DIR}/cmake/fpsim.pc.in ${CMAKE_BINARY_DIR}/cmake/fpsim.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/cmake/fpsim.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
