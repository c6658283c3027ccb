# The floor plan of src/: which stage may use which. One table, read by two checks:
# - tl_check_link_layers() at configure time: a library that links a stage it must not fails
#   the configure step, so the mistake never reaches a build.
# - cmake/check_layers.cmake (ctest `layers_include_rules`): an #include "stage/..." that crosses
#   the plan fails the tests, which also catches header-only uses that no link line shows.
# A stage may use the stages listed for it and, through them, what they may use. docs/architecture.md
# says why each seam is where it is; change both together.
set(TL_STAGES common net aws duckdb_loader catalog parquet sources kafka produce broker storage format schema decode sink crawler query cli)
set(TL_USES_common "")
set(TL_USES_net common)
set(TL_USES_duckdb_loader common)
set(TL_USES_catalog common)
set(TL_USES_parquet common)
set(TL_USES_sources common net)
set(TL_USES_aws common net)
set(TL_USES_kafka common aws)
set(TL_USES_produce sources kafka schema)
set(TL_USES_broker kafka)
set(TL_USES_storage common net aws)
set(TL_USES_format common duckdb_loader parquet)  # parquet: the Thrift codec of the Parquet encoder
set(TL_USES_schema common net)
set(TL_USES_decode format schema)
set(TL_USES_sink decode format storage kafka)
set(TL_USES_crawler catalog storage sink parquet)  # sink: only to implement its CommitListener
set(TL_USES_query catalog storage duckdb_loader parquet iceberg_table)
set(TL_USES_cli produce broker catalog crawler format kafka query sink sources storage decode schema net aws duckdb_loader parquet common)
set(TL_USES_retention catalog storage)  # retention/: expire and prune (#17)
list(APPEND TL_STAGES retention)
list(APPEND TL_USES_cli retention)
# maintenance (`ticklake compact`): reads and rewrites what the catalog lists; crawler for Parquet footers.
list(APPEND TL_STAGES maintenance)
set(TL_USES_maintenance catalog storage crawler duckdb_loader iceberg)  # iceberg: replace snapshots
list(APPEND TL_USES_cli maintenance)

list(APPEND TL_STAGES glue)
set(TL_USES_glue catalog aws net)  # glue/: `catalog push-glue` over Glue's JSON API (#17)
list(APPEND TL_USES_cli glue)
# iceberg_table (#18, in src/iceberg/): the table format itself (Avro files, manifests, metadata
# JSON, scan planning), which the query engine reads with; iceberg: the sink's committer on top.
list(APPEND TL_STAGES iceberg_table iceberg)
set(TL_USES_iceberg_table storage schema)
# glue reads an Iceberg table's metadata file to register it in Iceberg's form (#18 item 4).
list(APPEND TL_USES_glue iceberg_table)
set(TL_USES_iceberg iceberg_table catalog storage schema sink net)  # net: the REST catalog's requests
list(APPEND TL_USES_cli iceberg)

set(TL_USES_console query catalog net iceberg)  # web console: the API over query and catalog, net's HTTP server; iceberg: its REST catalog
list(APPEND TL_STAGES console)
list(APPEND TL_USES_cli console)

# The stage of a source or header path under src/ whose folder is `folder`: the folder's, except
# src/iceberg/'s table-format files, which are the stage iceberg_table (ticklake_iceberg_table).
function(tl_stage_of_file path folder out)
  if(path MATCHES "^iceberg/(avro_file|table_metadata|manifest|table_scan)\\.(h|cc)$")
    set(${out} iceberg_table PARENT_SCOPE)
  else()
    set(${out} ${folder} PARENT_SCOPE)
  endif()
endfunction()

# The stages `stage` may use, directly or through others (its own included).
function(tl_stage_closure stage out)
  set(seen ${stage})
  set(todo ${TL_USES_${stage}})
  while(todo)
    list(POP_FRONT todo s)
    if(NOT s IN_LIST seen)
      list(APPEND seen ${s})
      list(APPEND todo ${TL_USES_${s}})
    endif()
  endwhile()
  set(${out} ${seen} PARENT_SCOPE)
endfunction()

# The stage a library target belongs to (its folder under src/).
function(tl_stage_of_target target out)
  set(stage "")
  if(target STREQUAL "ticklake_s3")
    set(stage storage)
  elseif(target STREQUAL "ticklake_live_sources")
    set(stage sources)
  elseif(target MATCHES "^ticklake_(cli_support)$")
    set(stage cli)
  elseif(target STREQUAL "ticklake_replay_server")
    set(stage net)  # tests' local HTTP/WebSocket server
  elseif(target MATCHES "^ticklake_(.+)_mock$")
    set(stage ${CMAKE_MATCH_1})  # a stage's test double, e.g. kafka's mock cluster
  elseif(target MATCHES "^ticklake_(.+)$")
    set(stage ${CMAKE_MATCH_1})
  endif()
  set(${out} ${stage} PARENT_SCOPE)
endfunction()

# Every stage library's ticklake_* link dependencies must lie in its closure.
function(tl_check_link_layers)
  get_property(dirs DIRECTORY ${PROJECT_SOURCE_DIR}/src PROPERTY SUBDIRECTORIES)
  set(targets "")
  foreach(dir ${dirs})
    get_property(t DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
    list(APPEND targets ${t})
    get_property(sub DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
    foreach(s ${sub})
      get_property(t DIRECTORY ${s} PROPERTY BUILDSYSTEM_TARGETS)
      list(APPEND targets ${t})
    endforeach()
  endforeach()
  foreach(target ${targets})
    get_target_property(type ${target} TYPE)
    if(NOT type STREQUAL "STATIC_LIBRARY" OR NOT target MATCHES "^ticklake_")
      continue()
    endif()
    tl_stage_of_target(${target} stage)
    if(NOT stage IN_LIST TL_STAGES)
      message(FATAL_ERROR "${target}: its stage '${stage}' is not in cmake/TicklakeLayers.cmake; add it to the floor plan")
    endif()
    tl_stage_closure(${stage} allowed)
    get_target_property(deps ${target} LINK_LIBRARIES)
    foreach(dep ${deps})
      if(NOT dep MATCHES "^ticklake_")
        continue()
      endif()
      tl_stage_of_target(${dep} dep_stage)
      if(NOT dep_stage IN_LIST allowed)
        message(FATAL_ERROR "${target} (stage ${stage}) links ${dep} (stage ${dep_stage}), which the floor plan "
                            "does not allow: ${stage} may use ${allowed} (cmake/TicklakeLayers.cmake, docs/architecture.md)")
      endif()
    endforeach()
  endforeach()
endfunction()
