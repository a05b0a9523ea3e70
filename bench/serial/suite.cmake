# What the serial suite needs beyond its folder and its rows of cmake/dependencies.tsv: its schemas
# (bench/serial/schemas/*), compiled at build time by the generator of their format (each a
# `program` row of the table) into sources of the suite, whose generated headers are on the include
# path of the suite and its tests. A format with a schema language of its own adds its branch here.
# The evolution rows' schemas (outcomes/schemas: v1 and v2 of one message per schema format, read by
# outcomes/evolution.cpp) go through the same generators into the suite.
set(generated ${CMAKE_BINARY_DIR}/serial_schemas)
file(MAKE_DIRECTORY ${generated})
function(hotbench_serial_schemas target folder)
  file(GLOB schemas CONFIGURE_DEPENDS ${folder}/*)
  set(generated_sources "")
  foreach(schema IN LISTS schemas)
    get_filename_component(base ${schema} NAME_WE)
    get_filename_component(extension ${schema} LAST_EXT)
    if(extension STREQUAL ".proto")
      set(outputs ${generated}/${base}.pb.cc ${generated}/${base}.pb.h)
      set(command hotbench::protoc --cpp_out=${generated} -I ${folder} ${schema})
    elseif(extension STREQUAL ".fbs")
      set(outputs ${generated}/${base}_generated.h)
      set(command hotbench::flatc --cpp --scoped-enums -o ${generated} ${schema})
    elseif(extension STREQUAL ".capnp")
      set(outputs ${generated}/${base}.capnp.c++ ${generated}/${base}.capnp.h)
      set(command hotbench::capnp compile -oc++:${generated} --src-prefix=${folder} ${schema})
    elseif(extension STREQUAL ".thrift")
      # templates: read/write are templates over the concrete protocol (no virtual call per field),
      # in a .tcc the header includes; the other options leave out what the adapter does not use
      # (service skeletons, ostream printers, comparison operators). No constants: no _constants files.
      set(outputs ${generated}/${base}_types.cpp ${generated}/${base}_types.h ${generated}/${base}_types.tcc)
      set(command hotbench::thrift
          --gen cpp:templates,moveable_types,no_skeleton,no_ostream_operators,no_default_operators
          -out ${generated} ${schema})
    else()
      message(FATAL_ERROR "hotbench: ${schema}: no generator for '${extension}' schemas (bench/serial/suite.cmake)")
    endif()
    add_custom_command(OUTPUT ${outputs} COMMAND ${command} DEPENDS ${schema}
                       COMMENT "Compiling the schema ${base}${extension}")
    list(APPEND generated_sources ${outputs})
  endforeach()
  # Generated code is the generators' own: compiled without our warnings.
  set_source_files_properties(${generated_sources} PROPERTIES COMPILE_OPTIONS -w)
  target_sources(${target} PRIVATE ${generated_sources})
endfunction()
hotbench_serial_schemas(hotbench_serial_suite ${dir}/schemas)
hotbench_serial_schemas(hotbench_serial_suite ${dir}/outcomes/schemas)
target_include_directories(hotbench_serial_suite PUBLIC ${generated})
# msgpack-cxx's headers, unpacked from a package that depends on Debian's Boost 1.74
# (cmake/dependencies.tsv), are used without Boost: its Boost adaptors would want those headers.
set_property(TARGET msgpack::msgpack-cxx APPEND PROPERTY INTERFACE_COMPILE_DEFINITIONS MSGPACK_NO_BOOST)
# Thrift 0.17's TBinaryProtocol casts a type byte it reads to the enum TType unchecked
# (readFieldBegin, readListBegin): a corrupted byte gives a value outside the enum's range, undefined
# behaviour that UBSan's `enum` check stops on. Its templates are compiled in the adapter, which
# leaves that one check out; Thrift then refuses the type itself ("invalid TType", "unrecognized type
# code"). docs/serial.md. Every file that instantiates the protocols leaves it out: the linker keeps
# one copy of each instantiation, maybe the checked one (the evolution test's copy was kept once).
if(HOTBENCH_SANITIZE)
  set_source_files_properties(${dir}/formats/thrift.cpp ${dir}/outcomes/evolution.cpp
                              PROPERTIES COMPILE_OPTIONS -fno-sanitize=enum)
endif()
# Each format's file overloads its own file-local put/get templates: merged into one unit by the sanitizer
# presets, the calls would be ambiguous.
set(SUITE_UNITY_CODE OFF)
