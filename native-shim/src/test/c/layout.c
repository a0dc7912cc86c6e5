/* Prints the data file's layout (format.h) as "NAME value" lines, one per constant of
 * io.nonativeleak.shim.FileLayout: FileLayoutTest compares the two, so the Java reader's offsets
 * are those of the header the shim is built from. Run by `make print-layout`. Naming: an offset is
 * BLOCK_FIELD (from the start of its block or payload), a size is BLOCK_BYTES, a constant keeps its
 * C name without NNL_. */
#include <stddef.h>
#include <stdio.h>

#include "format.h"

#define VALUE(name, value) printf("%s %lld\n", name, (long long)(value))
#define AT(name, type, field) VALUE(name, offsetof(struct type, field))
#define BYTES(name, type) VALUE(name, sizeof(struct type))

int main(void) {
    printf("FILE_MAGIC %s\n", NNL_FILE_MAGIC);
    VALUE("FILE_VERSION", NNL_FILE_VERSION);
    VALUE("HEADER_SIZE", NNL_HEADER_SIZE);
    VALUE("SHARDS", NNL_SHARDS);
    VALUE("TIMELINE_POINTS", NNL_TIMELINE_POINTS);
    VALUE("LOG_SEGMENT_SIZE", NNL_LOG_SEGMENT_SIZE);
    VALUE("LOG_SEGMENT_DOUBLINGS", NNL_LOG_SEGMENT_DOUBLINGS);
    VALUE("LOG_SEGMENTS", NNL_LOG_SEGMENTS);
    VALUE("TABLE_REGION_SIZE", NNL_TABLE_REGION_SIZE);

    AT("HEADER_VERSION", nnl_file_header, version);
    AT("HEADER_HEADER_SIZE", nnl_file_header, header_size);
    AT("HEADER_PID", nnl_file_header, pid);
    AT("HEADER_PARENT_PID", nnl_file_header, parent_pid);
    AT("HEADER_START_NS", nnl_file_header, start_ns);
    AT("HEADER_END", nnl_file_header, end);
    AT("HEADER_EXIT_STATUS", nnl_file_header, exit_status);
    AT("HEADER_PYTHON_STATUS", nnl_file_header, python_status);
    AT("HEADER_MEASURE_START_NS", nnl_file_header, measure_start_ns);
    AT("HEADER_CHECKPOINT_NS", nnl_file_header, checkpoint_ns);
    AT("HEADER_MATCHED_COUNT", nnl_file_header, matched_count);
    AT("HEADER_MATCHED_BYTES", nnl_file_header, matched_bytes);
    AT("HEADER_DROPPED_COUNT", nnl_file_header, dropped_count);
    AT("HEADER_LOG_REGION_OFFSET", nnl_file_header, log_region_offset);
    AT("HEADER_LOG_USED", nnl_file_header, log_used);
    AT("HEADER_TIMELINE_COUNT", nnl_file_header, timeline_count);
    AT("HEADER_EXECUTABLE", nnl_file_header, executable);
    VALUE("HEADER_EXECUTABLE_BYTES", sizeof ((struct nnl_file_header *)0)->executable);
    AT("HEADER_PYTHON_REASON", nnl_file_header, python_reason);
    VALUE("HEADER_PYTHON_REASON_BYTES", sizeof ((struct nnl_file_header *)0)->python_reason);
    AT("HEADER_SHARDS", nnl_file_header, shards);
    BYTES("SHARD_HEADER_BYTES", nnl_shard_header);
    AT("SHARD_HEADER_TABLE_OFFSET", nnl_shard_header, table_offset);
    AT("HEADER_TIMELINE", nnl_file_header, timeline);
    BYTES("TIMELINE_POINT_BYTES", nnl_timeline_point);
    AT("TIMELINE_POINT_T_MILLIS", nnl_timeline_point, t_millis);
    AT("TIMELINE_POINT_LIVE_BYTES", nnl_timeline_point, live_bytes);
    VALUE("END_NONE", NNL_END_NONE);
    VALUE("END_EXIT", NNL_END_EXIT);
    VALUE("END_UNDERSCORE_EXIT", NNL_END_UNDERSCORE_EXIT);
    VALUE("EXIT_STATUS_UNKNOWN", NNL_EXIT_STATUS_UNKNOWN);
    VALUE("PYTHON_ENABLED", NNL_PYTHON_ENABLED);

    BYTES("TABLE_HEADER_BYTES", nnl_table_header);
    AT("TABLE_HEADER_CAPACITY", nnl_table_header, capacity);
    BYTES("LIVE_ENTRY_BYTES", nnl_live_entry);
    AT("LIVE_ENTRY_KEY", nnl_live_entry, key);
    AT("LIVE_ENTRY_VALUE", nnl_live_entry, value);
    VALUE("ENTRY_FIELD_BITS", NNL_ENTRY_FIELD_BITS);
    VALUE("ENTRY_SITE_BITS", NNL_ENTRY_SITE_BITS);

    VALUE("RESOURCES_OFFSET", NNL_RESOURCES_OFFSET);
    AT("RESOURCES_INCOMPLETE_SINCE_NS", nnl_resources, incomplete_since_ns);
    AT("RESOURCES_INCOMPLETE_REASON", nnl_resources, incomplete_reason);
    AT("RESOURCES_INCOMPLETE_ERRNO", nnl_resources, incomplete_errno);
    AT("RESOURCES_LOG_SEGMENT_SIZE", nnl_resources, log_segment_size);
    AT("RESOURCES_LOG_SEGMENT_COUNT", nnl_resources, log_segment_count);
    AT("RESOURCES_LOST", nnl_resources, lost);
    AT("RESOURCES_LOG_SEGMENTS", nnl_resources, log_segments);
    VALUE("LOSS_FILE_GROW", NNL_LOSS_FILE_GROW);
    VALUE("LOSS_FILE_SIZE_LIMIT", NNL_LOSS_FILE_SIZE_LIMIT);
    VALUE("LOSS_ADDRESS_SPACE", NNL_LOSS_ADDRESS_SPACE);
    VALUE("LOSS_TABLE_LIMIT", NNL_LOSS_TABLE_LIMIT);
    VALUE("LOSS_LOG_LIMIT", NNL_LOSS_LOG_LIMIT);
    VALUE("LOSS_MEMORY", NNL_LOSS_MEMORY);
    VALUE("LOSS_SMALL_STACK", NNL_LOSS_SMALL_STACK);
    VALUE("LOSS_MAPPINGS", NNL_LOSS_MAPPINGS);
    VALUE("LOSS_UNTRACKED_CHILD", NNL_LOSS_UNTRACKED_CHILD);
    VALUE("LOSS_ENTRY_RANGE", NNL_LOSS_ENTRY_RANGE);
    VALUE("LOSS_REASONS", NNL_LOSS_REASONS);

    VALUE("RUNS_OFFSET", NNL_RUNS_BLOCK_OFFSET);
    VALUE("MAX_RUNS", NNL_MAX_RUNS);
    AT("RUNS_CURRENT_RUN", nnl_runs_block, current_run);
    AT("RUNS_RUNS", nnl_runs_block, runs);
    AT("RUNS_TIMELINE_RSS", nnl_runs_block, timeline_rss);
    BYTES("RUN_COUNTS_BYTES", nnl_run_counts);
    AT("RUN_COUNTS_MATCHED_COUNT", nnl_run_counts, matched_count);
    AT("RUN_COUNTS_MATCHED_BYTES", nnl_run_counts, matched_bytes);
    AT("RUN_COUNTS_CHECKPOINT_NS", nnl_run_counts, checkpoint_ns);

    VALUE("NOMATCH_OFFSET", NNL_NOMATCH_OFFSET);
    AT("NOMATCH_FRAMES_CHECKED", nnl_nomatch_block, frames_checked);
    AT("NOMATCH_NUMPY_CACHE", nnl_nomatch_block, numpy_cache);
    AT("NOMATCH_WARMUP_MATCHED_COUNT", nnl_nomatch_block, warmup_matched_count);
    AT("NOMATCH_WARMUP_MATCHED_BYTES", nnl_nomatch_block, warmup_matched_bytes);
    AT("NOMATCH_NUMPY_ANCHORED", nnl_nomatch_block, numpy_anchored);
    AT("NOMATCH_NUMPY_USER_NEW_SEEN", nnl_nomatch_block, numpy_user_new_seen);
    AT("NOMATCH_NUMPY_CACHED_BLOCKS", nnl_nomatch_block, numpy_cached_blocks);
    AT("NOMATCH_NUMPY_EXCLUDED_COUNT", nnl_nomatch_block, numpy_excluded_count);
    AT("NOMATCH_NUMPY_EXCLUDED_BYTES", nnl_nomatch_block, numpy_excluded_bytes);
    AT("NOMATCH_NUMPY_MODULE", nnl_nomatch_block, numpy_module);
    VALUE("NOMATCH_NUMPY_MODULE_BYTES", sizeof ((struct nnl_nomatch_block *)0)->numpy_module);
    VALUE("NUMPY_NOT_LOADED", NNL_NUMPY_NOT_LOADED);
    VALUE("NUMPY_CACHE_READ", NNL_NUMPY_CACHE_READ);

    VALUE("PROCESS_OFFSET", NNL_PROCESS_BLOCK_OFFSET);
    AT("PROCESS_EXEC_STATE", nnl_process_block, exec_state);
    AT("PROCESS_EXEC_KIND", nnl_process_block, exec_kind);
    AT("PROCESS_EXEC_KEEPS_SHIM", nnl_process_block, exec_keeps_shim);
    AT("PROCESS_MALLOC_ELSEWHERE", nnl_process_block, malloc_elsewhere);
    AT("PROCESS_EXEC_PATH", nnl_process_block, exec_path);
    VALUE("PROCESS_EXEC_PATH_BYTES", sizeof ((struct nnl_process_block *)0)->exec_path);
    AT("PROCESS_MALLOC_MODULE", nnl_process_block, malloc_module);
    VALUE("PROCESS_MALLOC_MODULE_BYTES", sizeof ((struct nnl_process_block *)0)->malloc_module);
    VALUE("EXEC_IN_PROGRESS", NNL_EXEC_IN_PROGRESS);
    VALUE("EXEC_KIND_STATIC", NNL_EXEC_KIND_STATIC);

    VALUE("SAMPLING_OFFSET", NNL_SAMPLING_BLOCK_OFFSET);
    VALUE("SAMPLING_FIXED_POINT", NNL_SAMPLING_FIXED_POINT);
    AT("SAMPLING_MEAN_BYTES", nnl_sampling_block, mean_bytes);
    AT("SAMPLING_ESTIMATED_COUNT", nnl_sampling_block, estimated_count);
    AT("SAMPLING_ESTIMATED_BYTES", nnl_sampling_block, estimated_bytes);

    BYTES("RECORD_HEADER_BYTES", nnl_record_header);
    AT("RECORD_HEADER_TYPE", nnl_record_header, type);
    AT("RECORD_HEADER_LENGTH", nnl_record_header, length);
    VALUE("RECORD_SITE", NNL_RECORD_SITE);
    VALUE("RECORD_FRAME", NNL_RECORD_FRAME);
    VALUE("RECORD_PYTHON_FRAME", NNL_RECORD_PYTHON_FRAME);
    VALUE("RECORD_CHECKPOINT", NNL_RECORD_CHECKPOINT);
    VALUE("RECORD_PHASE", NNL_RECORD_PHASE);
    VALUE("RECORD_FRAME_CHECK", NNL_RECORD_FRAME_CHECK);

    BYTES("FRAME_RECORD_BYTES", nnl_frame_record);
    AT("FRAME_RECORD_ID", nnl_frame_record, id);
    AT("FRAME_RECORD_ADDRESS", nnl_frame_record, address);
    AT("FRAME_RECORD_OFFSET", nnl_frame_record, offset);
    AT("FRAME_RECORD_FLAGS", nnl_frame_record, flags);
    AT("FRAME_RECORD_MODULE_LEN", nnl_frame_record, module_len);
    AT("FRAME_RECORD_SYMBOL_LEN", nnl_frame_record, symbol_len);
    VALUE("FRAME_WRAPPER", NNL_FRAME_WRAPPER);
    VALUE("FRAME_HAS_MODULE", NNL_FRAME_HAS_MODULE);
    VALUE("FRAME_HAS_SYMBOL", NNL_FRAME_HAS_SYMBOL);

    BYTES("PYTHON_FRAME_RECORD_BYTES", nnl_python_frame_record);
    AT("PYTHON_FRAME_RECORD_ID", nnl_python_frame_record, id);
    AT("PYTHON_FRAME_RECORD_LINE", nnl_python_frame_record, line);
    AT("PYTHON_FRAME_RECORD_FILE_LEN", nnl_python_frame_record, file_len);
    AT("PYTHON_FRAME_RECORD_FUNCTION_LEN", nnl_python_frame_record, function_len);

    BYTES("SITE_RECORD_BYTES", nnl_site_record);
    AT("SITE_RECORD_ID", nnl_site_record, id);
    AT("SITE_RECORD_PATTERN", nnl_site_record, pattern);
    AT("SITE_RECORD_PYTHON_STATUS", nnl_site_record, python_status);
    AT("SITE_RECORD_FRAME_COUNT", nnl_site_record, frame_count);
    AT("SITE_RECORD_PYTHON_COUNT", nnl_site_record, python_count);
    AT("SITE_RECORD_THREAD_LEN", nnl_site_record, thread_len);

    BYTES("CHECKPOINT_RECORD_BYTES", nnl_checkpoint_record);
    AT("CHECKPOINT_RECORD_RUN", nnl_checkpoint_record, run);
    AT("CHECKPOINT_RECORD_COUNT", nnl_checkpoint_record, count);
    BYTES("CHECKPOINT_SITE_BYTES", nnl_checkpoint_site);
    AT("CHECKPOINT_SITE_SITE", nnl_checkpoint_site, site);
    AT("CHECKPOINT_SITE_LIVE_COUNT", nnl_checkpoint_site, live_count);
    AT("CHECKPOINT_SITE_LIVE_BYTES", nnl_checkpoint_site, live_bytes);

    BYTES("PHASE_RECORD_BYTES", nnl_phase_record);
    AT("PHASE_RECORD_KIND", nnl_phase_record, kind);
    AT("PHASE_RECORD_INDEX", nnl_phase_record, index);
    AT("PHASE_RECORD_T_MILLIS", nnl_phase_record, t_millis);
    VALUE("PHASE_IMPORT", NNL_PHASE_IMPORT);
    VALUE("PHASE_WARMUP", NNL_PHASE_WARMUP);
    VALUE("PHASE_RUN", NNL_PHASE_RUN);
    VALUE("PHASE_CHECKPOINT", NNL_PHASE_CHECKPOINT);
    VALUE("PHASE_END", NNL_PHASE_END);

    BYTES("FRAME_CHECK_RECORD_BYTES", nnl_frame_check_record);
    AT("FRAME_CHECK_RECORD_PATTERN", nnl_frame_check_record, pattern);
    AT("FRAME_CHECK_RECORD_MATCHER", nnl_frame_check_record, matcher);
    AT("FRAME_CHECK_RECORD_FLAGS", nnl_frame_check_record, flags);
    AT("FRAME_CHECK_RECORD_LENGTHS", nnl_frame_check_record, lengths);
    VALUE("CHECK_FOUND", NNL_CHECK_FOUND);
    VALUE("CHECK_MODULE", NNL_CHECK_MODULE);
    VALUE("CHECK_UNCHECKED", NNL_CHECK_UNCHECKED);
    return 0;
}
