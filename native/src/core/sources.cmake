# The crash core's sources, one list for every build that compiles the core
# (native/CMakeLists.txt for Node, packages/react-native/android/CMakeLists.txt
# for Android), so a file added to the core is built everywhere.
# Expects CF_CORE_DIR; sets CF_CORE_SOURCES. Platform variants are sibling
# files: handler_posix.c + altstack_posix.c + crashpad_launch.c on Linux and
# Android, handler_none.c elsewhere; context_<arch>.c by processor
# (CMAKE_SYSTEM_PROCESSOR, which the Android toolchain sets from the ABI).
set(CF_CORE_SOURCES
  ${CF_CORE_DIR}/sigsafe.c
  ${CF_CORE_DIR}/maps.c
  ${CF_CORE_DIR}/minidump.c
  ${CF_CORE_DIR}/record.c
  ${CF_CORE_DIR}/shared.c
  ${CF_CORE_DIR}/state.c)

if(CMAKE_SYSTEM_NAME STREQUAL "Linux" OR CMAKE_SYSTEM_NAME STREQUAL "Android")
  list(APPEND CF_CORE_SOURCES ${CF_CORE_DIR}/handler_posix.c ${CF_CORE_DIR}/altstack_posix.c ${CF_CORE_DIR}/crashpad_launch.c)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    list(APPEND CF_CORE_SOURCES ${CF_CORE_DIR}/context_x86_64.c)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
    list(APPEND CF_CORE_SOURCES ${CF_CORE_DIR}/context_arm64.c)
  else()
    message(FATAL_ERROR "crashfree: no CPU context writer for processor ${CMAKE_SYSTEM_PROCESSOR} (x86_64 and aarch64 are supported)")
  endif()
else()
  list(APPEND CF_CORE_SOURCES ${CF_CORE_DIR}/handler_none.c)
endif()
