// Lazy binding to libduckdb.so (see duckdb_loader.h for why).
//
// Every DuckDB C API function the project uses is defined here with the signature duckdb.h
// declares (the compiler rejects a mismatch, since both are the same extern "C" name). Each
// definition resolves its real counterpart with dlsym once, then calls it. A function used
// for the first time must be added to the list below; the link fails until it is.
#include "duckdb_loader/duckdb_loader.h"
#include "duckdb_loader/duck_string.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "duckdb.h"

#include "common/log.h"

namespace ticklake::duckdb_loader {

namespace {

struct Loaded {
    void* handle = nullptr;
    std::string path;
    std::string error;
};

const Loaded& load_once() {
    static const Loaded loaded = [] {
        Loaded l;
        std::string tried;
        auto try_open = [&](const char* path) {
            if (path == nullptr || *path == '\0' || l.handle != nullptr) {
                return;
            }
            // RTLD_LOCAL: DuckDB's symbols stay out of the global namespace, so they cannot
            // interpose on the forwarders below.
            l.handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
            if (l.handle != nullptr) {
                l.path = path;
            } else {
                const char* why = dlerror();
                tried += std::string("\n  ") + path + ": " + (why ? why : "not loadable");
            }
        };
        // A library named by the user is the only one tried: falling back would hide a typo.
        if (const char* chosen = std::getenv("TICKLAKE_DUCKDB_LIBRARY"); chosen != nullptr && *chosen != '\0') {
            try_open(chosen);
        } else {
#ifdef TICKLAKE_DUCKDB_LIBRARY
            try_open(TICKLAKE_DUCKDB_LIBRARY);
#endif
            try_open("libduckdb.so");
        }
        if (l.handle == nullptr) {
            l.error = "cannot load DuckDB (libduckdb.so); run `make setup` or point TICKLAKE_DUCKDB_LIBRARY at "
                      "libduckdb.so. Tried:" +
                      tried;
        }
        return l;
    }();
    return loaded;
}

// Called by a forwarder the first time it runs. A forwarder cannot return an error of its own,
// so a missing library or symbol ends the program with the reason: entry points call
// ensure_loaded() first, so this is reached only by a build mistake.
void* resolve(const char* name) {
    const Loaded& l = load_once();
    if (l.handle == nullptr) {
        log::error("ticklake: {}", l.error);
        std::abort();
    }
    void* fn = dlsym(l.handle, name);
    if (fn == nullptr) {
        log::error("ticklake: {} has no {} (DuckDB older than the one this was built for?)", l.path, name);
        std::abort();
    }
    return fn;
}

} // namespace

// Out of line so the header needs no duckdb.h; a null string never loads the library.
void DuckString::reset() {
    if (p_ != nullptr) {
        duckdb_free(std::exchange(p_, nullptr));
    }
}

Status ensure_loaded() {
    const Loaded& l = load_once();
    if (l.handle == nullptr) {
        return fail(Error::fatal(l.error));
    }
    return {};
}

} // namespace ticklake::duckdb_loader

// One forwarder per function: the pointer is looked up on the first call (a thread-safe static).
#define TL_DUCKDB_FORWARD(ret, name, params, args)                                                      \
    ret name params {                                                                                  \
        static const auto real = reinterpret_cast<decltype(&name)>(ticklake::duckdb_loader::resolve(#name)); \
        return real args;                                                                              \
    }

extern "C" {

// Database, connection, configuration.
TL_DUCKDB_FORWARD(duckdb_state, duckdb_open, (const char* path, duckdb_database* out_database), (path, out_database))
TL_DUCKDB_FORWARD(duckdb_state, duckdb_open_ext,
                  (const char* path, duckdb_database* out_database, duckdb_config config, char** out_error),
                  (path, out_database, config, out_error))
TL_DUCKDB_FORWARD(void, duckdb_close, (duckdb_database * database), (database))
TL_DUCKDB_FORWARD(duckdb_state, duckdb_connect, (duckdb_database database, duckdb_connection* out_connection),
                  (database, out_connection))
TL_DUCKDB_FORWARD(void, duckdb_disconnect, (duckdb_connection * connection), (connection))
TL_DUCKDB_FORWARD(void, duckdb_interrupt, (duckdb_connection connection), (connection))
TL_DUCKDB_FORWARD(duckdb_state, duckdb_create_config, (duckdb_config * out_config), (out_config))
TL_DUCKDB_FORWARD(duckdb_state, duckdb_set_config, (duckdb_config config, const char* name, const char* option),
                  (config, name, option))
TL_DUCKDB_FORWARD(void, duckdb_destroy_config, (duckdb_config * config), (config))
TL_DUCKDB_FORWARD(void, duckdb_free, (void* ptr), (ptr))

// Queries and results.
TL_DUCKDB_FORWARD(duckdb_state, duckdb_query, (duckdb_connection connection, const char* query, duckdb_result* out_result),
                  (connection, query, out_result))
TL_DUCKDB_FORWARD(void, duckdb_destroy_result, (duckdb_result * result), (result))
TL_DUCKDB_FORWARD(const char*, duckdb_result_error, (duckdb_result * result), (result))
TL_DUCKDB_FORWARD(duckdb_error_type, duckdb_result_error_type, (duckdb_result * result), (result))
TL_DUCKDB_FORWARD(idx_t, duckdb_column_count, (duckdb_result * result), (result))
TL_DUCKDB_FORWARD(const char*, duckdb_column_name, (duckdb_result * result, idx_t col), (result, col))
TL_DUCKDB_FORWARD(duckdb_type, duckdb_column_type, (duckdb_result * result, idx_t col), (result, col))
TL_DUCKDB_FORWARD(idx_t, duckdb_row_count, (duckdb_result * result), (result))
TL_DUCKDB_FORWARD(bool, duckdb_value_is_null, (duckdb_result * result, idx_t col, idx_t row), (result, col, row))
TL_DUCKDB_FORWARD(uint64_t, duckdb_value_uint64, (duckdb_result * result, idx_t col, idx_t row), (result, col, row))
TL_DUCKDB_FORWARD(char*, duckdb_value_varchar, (duckdb_result * result, idx_t col, idx_t row), (result, col, row))
TL_DUCKDB_FORWARD(duckdb_data_chunk, duckdb_fetch_chunk, (duckdb_result result), (result))

// Prepared and extracted statements.
TL_DUCKDB_FORWARD(duckdb_state, duckdb_prepare,
                  (duckdb_connection connection, const char* query, duckdb_prepared_statement* out_prepared_statement),
                  (connection, query, out_prepared_statement))
TL_DUCKDB_FORWARD(const char*, duckdb_prepare_error, (duckdb_prepared_statement prepared_statement),
                  (prepared_statement))
TL_DUCKDB_FORWARD(void, duckdb_destroy_prepare, (duckdb_prepared_statement * prepared_statement), (prepared_statement))
TL_DUCKDB_FORWARD(duckdb_state, duckdb_execute_prepared,
                  (duckdb_prepared_statement prepared_statement, duckdb_result* out_result),
                  (prepared_statement, out_result))
TL_DUCKDB_FORWARD(duckdb_state, duckdb_bind_varchar_length,
                  (duckdb_prepared_statement prepared_statement, idx_t param_idx, const char* val, idx_t length),
                  (prepared_statement, param_idx, val, length))
TL_DUCKDB_FORWARD(duckdb_statement_type, duckdb_prepared_statement_type, (duckdb_prepared_statement statement),
                  (statement))
TL_DUCKDB_FORWARD(idx_t, duckdb_prepared_statement_column_count, (duckdb_prepared_statement prepared_statement),
                  (prepared_statement))
TL_DUCKDB_FORWARD(const char*, duckdb_prepared_statement_column_name,
                  (duckdb_prepared_statement prepared_statement, idx_t col_idx), (prepared_statement, col_idx))
TL_DUCKDB_FORWARD(duckdb_type, duckdb_prepared_statement_column_type,
                  (duckdb_prepared_statement prepared_statement, idx_t col_idx), (prepared_statement, col_idx))
TL_DUCKDB_FORWARD(idx_t, duckdb_extract_statements,
                  (duckdb_connection connection, const char* query,
                   duckdb_extracted_statements* out_extracted_statements),
                  (connection, query, out_extracted_statements))
TL_DUCKDB_FORWARD(const char*, duckdb_extract_statements_error, (duckdb_extracted_statements extracted_statements),
                  (extracted_statements))
TL_DUCKDB_FORWARD(duckdb_state, duckdb_prepare_extracted_statement,
                  (duckdb_connection connection, duckdb_extracted_statements extracted_statements, idx_t index,
                   duckdb_prepared_statement* out_prepared_statement),
                  (connection, extracted_statements, index, out_prepared_statement))
TL_DUCKDB_FORWARD(void, duckdb_destroy_extracted, (duckdb_extracted_statements * extracted_statements),
                  (extracted_statements))

// Errors.
TL_DUCKDB_FORWARD(duckdb_error_type, duckdb_error_data_error_type, (duckdb_error_data error_data), (error_data))
TL_DUCKDB_FORWARD(const char*, duckdb_error_data_message, (duckdb_error_data error_data), (error_data))
TL_DUCKDB_FORWARD(void, duckdb_destroy_error_data, (duckdb_error_data * error_data), (error_data))

// Appender, data chunks, vectors, logical types.
TL_DUCKDB_FORWARD(duckdb_state, duckdb_appender_create,
                  (duckdb_connection connection, const char* schema, const char* table, duckdb_appender* out_appender),
                  (connection, schema, table, out_appender))
TL_DUCKDB_FORWARD(duckdb_state, duckdb_append_data_chunk, (duckdb_appender appender, duckdb_data_chunk chunk),
                  (appender, chunk))
TL_DUCKDB_FORWARD(duckdb_state, duckdb_appender_close, (duckdb_appender appender), (appender))
TL_DUCKDB_FORWARD(duckdb_state, duckdb_appender_destroy, (duckdb_appender * appender), (appender))
TL_DUCKDB_FORWARD(const char*, duckdb_appender_error, (duckdb_appender appender), (appender))
TL_DUCKDB_FORWARD(duckdb_error_data, duckdb_appender_error_data, (duckdb_appender appender), (appender))
TL_DUCKDB_FORWARD(duckdb_logical_type, duckdb_create_logical_type, (duckdb_type type), (type))
TL_DUCKDB_FORWARD(void, duckdb_destroy_logical_type, (duckdb_logical_type * type), (type))
TL_DUCKDB_FORWARD(duckdb_data_chunk, duckdb_create_data_chunk, (duckdb_logical_type * types, idx_t column_count),
                  (types, column_count))
TL_DUCKDB_FORWARD(void, duckdb_destroy_data_chunk, (duckdb_data_chunk * chunk), (chunk))
TL_DUCKDB_FORWARD(idx_t, duckdb_data_chunk_get_size, (duckdb_data_chunk chunk), (chunk))
TL_DUCKDB_FORWARD(void, duckdb_data_chunk_set_size, (duckdb_data_chunk chunk, idx_t size), (chunk, size))
TL_DUCKDB_FORWARD(void, duckdb_data_chunk_reset, (duckdb_data_chunk chunk), (chunk))
TL_DUCKDB_FORWARD(duckdb_vector, duckdb_data_chunk_get_vector, (duckdb_data_chunk chunk, idx_t col_idx),
                  (chunk, col_idx))
TL_DUCKDB_FORWARD(idx_t, duckdb_vector_size, (), ())
TL_DUCKDB_FORWARD(void*, duckdb_vector_get_data, (duckdb_vector vector), (vector))
TL_DUCKDB_FORWARD(uint64_t*, duckdb_vector_get_validity, (duckdb_vector vector), (vector))
TL_DUCKDB_FORWARD(void, duckdb_vector_ensure_validity_writable, (duckdb_vector vector), (vector))
TL_DUCKDB_FORWARD(void, duckdb_vector_assign_string_element_len,
                  (duckdb_vector vector, idx_t index, const char* str, idx_t str_len), (vector, index, str, str_len))
TL_DUCKDB_FORWARD(bool, duckdb_validity_row_is_valid, (uint64_t * validity, idx_t row), (validity, row))
TL_DUCKDB_FORWARD(void, duckdb_validity_set_row_invalid, (uint64_t * validity, idx_t row), (validity, row))
TL_DUCKDB_FORWARD(const char*, duckdb_string_t_data, (duckdb_string_t * string), (string))
TL_DUCKDB_FORWARD(uint32_t, duckdb_string_t_length, (duckdb_string_t string), (string))

// Table functions: the Parquet writer scans its rows straight from memory (no staging table).
TL_DUCKDB_FORWARD(duckdb_table_function, duckdb_create_table_function, (), ())
TL_DUCKDB_FORWARD(void, duckdb_destroy_table_function, (duckdb_table_function * table_function), (table_function))
TL_DUCKDB_FORWARD(void, duckdb_table_function_set_name, (duckdb_table_function table_function, const char* name),
                  (table_function, name))
TL_DUCKDB_FORWARD(void, duckdb_table_function_set_extra_info,
                  (duckdb_table_function table_function, void* extra_info, duckdb_delete_callback_t destroy),
                  (table_function, extra_info, destroy))
TL_DUCKDB_FORWARD(void, duckdb_table_function_set_bind,
                  (duckdb_table_function table_function, duckdb_table_function_bind_t bind), (table_function, bind))
TL_DUCKDB_FORWARD(void, duckdb_table_function_set_init,
                  (duckdb_table_function table_function, duckdb_table_function_init_t init), (table_function, init))
TL_DUCKDB_FORWARD(void, duckdb_table_function_set_function,
                  (duckdb_table_function table_function, duckdb_table_function_t function), (table_function, function))
TL_DUCKDB_FORWARD(duckdb_state, duckdb_register_table_function,
                  (duckdb_connection con, duckdb_table_function function), (con, function))
TL_DUCKDB_FORWARD(void*, duckdb_bind_get_extra_info, (duckdb_bind_info info), (info))
TL_DUCKDB_FORWARD(void, duckdb_bind_add_result_column,
                  (duckdb_bind_info info, const char* name, duckdb_logical_type type), (info, name, type))
TL_DUCKDB_FORWARD(void, duckdb_bind_set_cardinality, (duckdb_bind_info info, idx_t cardinality, bool is_exact),
                  (info, cardinality, is_exact))
TL_DUCKDB_FORWARD(void, duckdb_bind_set_error, (duckdb_bind_info info, const char* error), (info, error))
TL_DUCKDB_FORWARD(void*, duckdb_init_get_extra_info, (duckdb_init_info info), (info))
TL_DUCKDB_FORWARD(void, duckdb_init_set_init_data,
                  (duckdb_init_info info, void* init_data, duckdb_delete_callback_t destroy), (info, init_data, destroy))
TL_DUCKDB_FORWARD(void, duckdb_init_set_max_threads, (duckdb_init_info info, idx_t max_threads), (info, max_threads))
TL_DUCKDB_FORWARD(void*, duckdb_function_get_extra_info, (duckdb_function_info info), (info))
TL_DUCKDB_FORWARD(void*, duckdb_function_get_init_data, (duckdb_function_info info), (info))
TL_DUCKDB_FORWARD(void, duckdb_function_set_error, (duckdb_function_info info, const char* error), (info, error))

} // extern "C"
