# What the serial suite needs beyond its folder and its rows of cmake/dependencies.tsv: its schemas
# (bench/serial/schemas/*), compiled at build time by the generator of their format (each a
# `program` row of the table) into sources of the suite, whose generated headers are on the include
# path of the suite and its tests. A format with a schema language of its own adds its branch here.
set(generated ${CMAKE_BINARY_DIR}/serial_schemas)
file(MAKE_DIRECTORY ${generated})
file(GLOB schemas CONFIGURE_DEPENDS ${dir}/schemas/*)
set(generated_sources "")
foreach(schema IN LISTS schemas)
  get_filename_component(base ${schema} NAME_WE)
  get_filename_component(extension ${schema} LAST_EXT)
  if(extension STREQUAL ".proto")
    set(outputs ${generated}/${base}.pb.cc ${generated}/${base}.pb.h)
    set(command hotbench::protoc --cpp_out=${generated} -I ${dir}/schemas ${schema})
  elseif(extension STREQUAL ".fbs")
    set(outputs ${generated}/${base}_generated.h)
    set(command hotbench::flatc --cpp --scoped-enums -o ${generated} ${schema})
  elseif(extension STREQUAL ".capnp")
    set(outputs ${generated}/${base}.capnp.c++ ${generated}/${base}.capnp.h)
    set(command hotbench::capnp compile -oc++:${generated} --src-prefix=${dir}/schemas ${schema})
  else()
    message(FATAL_ERROR "hotbench: ${schema}: no generator for '${extension}' schemas (bench/serial/suite.cmake)")
  endif()
  add_custom_command(OUTPUT ${outputs} COMMAND ${command} DEPENDS ${schema}
                     COMMENT "Compiling the schema ${base}${extension}")
  list(APPEND generated_sources ${outputs})
endforeach()
# Generated code is the generators' own: compiled without our warnings.
set_source_files_properties(${generated_sources} PROPERTIES COMPILE_OPTIONS -w)
target_sources(hotbench_serial_suite PRIVATE ${generated_sources})
target_include_directories(hotbench_serial_suite PUBLIC ${generated})
