# check_variant.cmake: cmake -DNAME=VARIANT -P check_variant.cmake runs the
# configure's check of one variant name against strategies/variants.cmake
# (exit 0 and "ok STRATEGY FLAVOURS", or the configure's error).
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/variants.cmake)
if(NAME STREQUAL "@default" OR NAME STREQUAL "@all")
  if(NAME STREQUAL "@default")
    asilab_variants_default(l)
  else()
    asilab_variants_all(l)
  endif()
  foreach(v IN LISTS l)
    asilab_variant_check(${v} s f)     # every listed name passes its own check
  endforeach()
  string(JOIN " " l ${l})
  message(NOTICE "ok ${l}")
else()
  asilab_variant_check(${NAME} s f)
  string(JOIN "," f ${f})
  message(NOTICE "ok ${s} ${f}")
endif()
