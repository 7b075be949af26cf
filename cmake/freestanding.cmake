# Flags and helpers for freestanding x86-64 code: the hypervisor images
# (one per variant) and the PV guest workload images.

set(ASILAB_WARN -Wall -Wextra -Wno-unused-parameter -Wstrict-prototypes
    -Wmissing-prototypes -Wshadow)
if(ASILAB_WERROR)
  list(APPEND ASILAB_WARN -Werror)
endif()

# Common to hv and guests: no libc, no red zone (interrupts arrive on the
# same stack in ring 0), no SSE (nobody saves the FPU), position-independent
# code generation so the image can live at any address (the hv sits at
# 0xffff82d040000000, outside -mcmodel=kernel's reach).
set(ASILAB_FREESTANDING_CFLAGS
    -std=gnu11 -ffreestanding -fno-builtin -fno-stack-protector
    -fno-common -fpie -fvisibility=hidden -mno-red-zone -mno-mmx -mno-sse
    -mno-sse2 -mno-avx -msoft-float -fno-asynchronous-unwind-tables
    -fno-strict-aliasing -O2 -g ${ASILAB_WARN}
    $<$<COMPILE_LANGUAGE:C>:-include ${CMAKE_SOURCE_DIR}/cmake/hidden.h>)
set(ASILAB_FREESTANDING_LDFLAGS
    -nostdlib -static -no-pie -Wl,--build-id=sha1 -Wl,-z,max-page-size=0x1000
    -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments)

# asilab_hv_variant(<variant>): hv-<variant>.elf = core + one strategy
# + its flavours, as the variant table allows (strategies/variants.cmake,
# checked by asilab_variant_check).  The core never names a strategy or a
# flavour: the files are simply the ones linked in (the per-domain PTE
# method: strategies/flavours/ptes_stashed_l1.c with +stashed_l1, else
# ptes_populate.c; the map_domain_page family: domain_page_mapcache.c
# with +sparse, else domain_page_directmap.c; +stackzero:
# ASILAB_STACKZERO for hv/lab/variant.c).
function(asilab_hv_variant variant)
  asilab_variant_check(${variant} strategy flavours)
  set(stackzero 0)
  set(pcid 0)
  set(ptes ${CMAKE_SOURCE_DIR}/strategies/flavours/ptes_populate.c)
  set(dpage ${CMAKE_SOURCE_DIR}/strategies/flavours/domain_page_directmap.c)
  if("sparse" IN_LIST flavours)
    set(dpage ${CMAKE_SOURCE_DIR}/strategies/flavours/domain_page_mapcache.c)
  endif()
  if("stackzero" IN_LIST flavours)
    set(stackzero 1)
  endif()
  if("pcid" IN_LIST flavours)
    set(pcid 1)
  endif()
  if("stashed_l1" IN_LIST flavours)
    set(ptes ${CMAKE_SOURCE_DIR}/strategies/flavours/ptes_stashed_l1.c)
  endif()
  set(sfile ${CMAKE_SOURCE_DIR}/strategies/${strategy}.c)
  if(NOT EXISTS ${sfile})
    message(FATAL_ERROR "variant '${variant}': no strategies/${strategy}.c")
  endif()
  # The counting image (build/hv-V.elf) and the lean one, without the
  # lab's counters (build/lean/hv-V.elf).
  foreach(kind counting lean)
    if(kind STREQUAL "lean")
      set(target hv-${variant}-lean)
      set(core hvcore_lean)
      set(dir ${CMAKE_BINARY_DIR}/lean)
    else()
      set(target hv-${variant})
      set(core hvcore)
      set(dir ${CMAKE_BINARY_DIR})
    endif()
    add_executable(${target} ${sfile} ${ptes} ${dpage} ${ASILAB_HV_VARIANT_SRC})
    target_link_libraries(${target} PRIVATE ${core})
    target_compile_options(${target} PRIVATE ${ASILAB_FREESTANDING_CFLAGS})
    target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR}/hv/include)
    target_compile_definitions(${target} PRIVATE
        ASILAB_VARIANT="${variant}" ASILAB_STACKZERO=${stackzero} ASILAB_PCID=${pcid}
        ASILAB_GIT_REV="${ASILAB_GIT_REV}")
    if(kind STREQUAL "lean")
      target_compile_definitions(${target} PRIVATE ASILAB_LEAN=1)
    endif()
    target_link_options(${target} PRIVATE ${ASILAB_FREESTANDING_LDFLAGS}
        -T ${CMAKE_SOURCE_DIR}/hv/hv.ld)
    set_target_properties(${target} PROPERTIES
        OUTPUT_NAME hv-${variant}.elf SUFFIX ""
        RUNTIME_OUTPUT_DIRECTORY ${dir}
        LINK_DEPENDS ${CMAKE_SOURCE_DIR}/hv/hv.ld)
  endforeach()
endfunction()

# asilab_workload(<name> [LDSCRIPT <file in workloads/lib>] <sources...>):
# workloads/<name>.elf, a PV guest (linked with guest.ld unless told).
function(asilab_workload name)
  cmake_parse_arguments(WL "" "LDSCRIPT" "" ${ARGN})
  if(NOT WL_LDSCRIPT)
    set(WL_LDSCRIPT guest.ld)
  endif()
  set(lib ${CMAKE_SOURCE_DIR}/workloads/lib)
  add_executable(wl-${name} ${WL_UNPARSED_ARGUMENTS})
  target_link_libraries(wl-${name} PRIVATE guestlib)
  target_compile_options(wl-${name} PRIVATE ${ASILAB_FREESTANDING_CFLAGS})
  target_link_options(wl-${name} PRIVATE ${ASILAB_FREESTANDING_LDFLAGS}
      -L ${lib} -T ${lib}/${WL_LDSCRIPT})
  set_target_properties(wl-${name} PROPERTIES
      OUTPUT_NAME ${name}.elf SUFFIX ""
      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/workloads
      LINK_DEPENDS "${lib}/${WL_LDSCRIPT};${lib}/guest-sections.ld")
  set_property(GLOBAL APPEND PROPERTY ASILAB_WORKLOADS ${name})
endfunction()
