package io.nonativeleak.shim;

/**
 * The data file's layout as the Java side reads it: a copy of native-shim/src/main/c/format.h, the one
 * declaration of the format, which FileLayoutTest checks constant by constant (through
 * src/test/c/layout.c): a change to the header that this class does not follow fails the build. Names:
 * {@code BLOCK_FIELD} is a field's offset from the start of its block, record payload or struct;
 * {@code BLOCK_BYTES} is a struct's size; a constant keeps its C name without {@code NNL_}.
 */
final class FileLayout {
    private FileLayout() {}

    static final String FILE_MAGIC = "NNLPROC1";
    static final int FILE_VERSION = 3;
    static final int HEADER_SIZE = 65536;
    static final int SHARDS = 64;
    static final int TIMELINE_POINTS = 512;
    static final int LOG_SEGMENT_SIZE = 65536;
    static final int LOG_SEGMENT_DOUBLINGS = 5;
    static final int LOG_SEGMENTS = 128;
    static final long TABLE_REGION_SIZE = 1073741824L;

    static final int HEADER_VERSION = 8;
    static final int HEADER_HEADER_SIZE = 12;
    static final int HEADER_PID = 16;
    static final int HEADER_PARENT_PID = 20;
    static final int HEADER_START_NS = 24;
    static final int HEADER_END = 36;
    static final int HEADER_EXIT_STATUS = 40;
    static final int HEADER_PYTHON_STATUS = 44;
    static final int HEADER_MEASURE_START_NS = 48;
    static final int HEADER_CHECKPOINT_NS = 56;
    static final int HEADER_MATCHED_COUNT = 64;
    static final int HEADER_MATCHED_BYTES = 72;
    static final int HEADER_DROPPED_COUNT = 80;
    static final int HEADER_LOG_REGION_OFFSET = 104;
    static final int HEADER_LOG_USED = 120;
    static final int HEADER_TIMELINE_COUNT = 128;
    static final int HEADER_EXECUTABLE = 136;
    static final int HEADER_EXECUTABLE_BYTES = 512;
    static final int HEADER_PYTHON_REASON = 648;
    static final int HEADER_PYTHON_REASON_BYTES = 256;
    static final int HEADER_SHARDS = 904;

    static final int SHARD_HEADER_BYTES = 16;
    static final int SHARD_HEADER_TABLE_OFFSET = 0;

    static final int HEADER_TIMELINE = 1928;

    static final int TIMELINE_POINT_BYTES = 16;
    static final int TIMELINE_POINT_T_MILLIS = 0;
    static final int TIMELINE_POINT_LIVE_BYTES = 8;

    static final int END_NONE = 0;
    static final int END_EXIT = 1;
    static final int END_UNDERSCORE_EXIT = 2;

    static final int EXIT_STATUS_UNKNOWN = Integer.MIN_VALUE;

    static final int PYTHON_ENABLED = 1;

    static final int TABLE_HEADER_BYTES = 16;
    static final int TABLE_HEADER_CAPACITY = 0;

    static final int LIVE_ENTRY_BYTES = 16;
    static final int LIVE_ENTRY_KEY = 0;
    static final int LIVE_ENTRY_VALUE = 8;
    static final int ENTRY_FIELD_BITS = 48;
    static final int ENTRY_SITE_BITS = 24;

    static final int RESOURCES_OFFSET = 0x4000;
    static final int RESOURCES_INCOMPLETE_SINCE_NS = 8;
    static final int RESOURCES_INCOMPLETE_REASON = 16;
    static final int RESOURCES_INCOMPLETE_ERRNO = 20;
    static final int RESOURCES_LOG_SEGMENT_SIZE = 24;
    static final int RESOURCES_LOG_SEGMENT_COUNT = 28;
    static final int RESOURCES_LOST = 32;
    static final int RESOURCES_LOG_SEGMENTS = 160;

    static final int LOSS_FILE_GROW = 1;
    static final int LOSS_FILE_SIZE_LIMIT = 2;
    static final int LOSS_ADDRESS_SPACE = 3;
    static final int LOSS_TABLE_LIMIT = 4;
    static final int LOSS_LOG_LIMIT = 5;
    static final int LOSS_MEMORY = 6;
    static final int LOSS_SMALL_STACK = 7;
    static final int LOSS_MAPPINGS = 8;
    static final int LOSS_UNTRACKED_CHILD = 9;
    static final int LOSS_ENTRY_RANGE = 10;
    static final int LOSS_REASONS = 16;

    static final int RUNS_OFFSET = 0x5000;

    static final int MAX_RUNS = 100;

    static final int RUNS_CURRENT_RUN = 0;
    static final int RUNS_RUNS = 8;
    static final int RUNS_TIMELINE_RSS = 4008;

    static final int RUN_COUNTS_BYTES = 40;
    static final int RUN_COUNTS_MATCHED_COUNT = 0;
    static final int RUN_COUNTS_MATCHED_BYTES = 8;
    static final int RUN_COUNTS_CHECKPOINT_NS = 32;

    static final int NOMATCH_OFFSET = 0x8000;
    static final int NOMATCH_FRAMES_CHECKED = 0;
    static final int NOMATCH_NUMPY_CACHE = 4;
    static final int NOMATCH_WARMUP_MATCHED_COUNT = 8;
    static final int NOMATCH_WARMUP_MATCHED_BYTES = 16;
    static final int NOMATCH_NUMPY_ANCHORED = 24;
    static final int NOMATCH_NUMPY_USER_NEW_SEEN = 28;
    static final int NOMATCH_NUMPY_CACHED_BLOCKS = 32;
    static final int NOMATCH_NUMPY_EXCLUDED_COUNT = 40;
    static final int NOMATCH_NUMPY_EXCLUDED_BYTES = 48;
    static final int NOMATCH_NUMPY_MODULE = 56;
    static final int NOMATCH_NUMPY_MODULE_BYTES = 256;

    static final int NUMPY_NOT_LOADED = 0;
    static final int NUMPY_CACHE_READ = 1;

    static final int PROCESS_OFFSET = 0xa000;
    static final int PROCESS_EXEC_STATE = 0;
    static final int PROCESS_EXEC_KIND = 4;
    static final int PROCESS_EXEC_KEEPS_SHIM = 8;
    static final int PROCESS_MALLOC_ELSEWHERE = 12;
    static final int PROCESS_EXEC_PATH = 16;
    static final int PROCESS_EXEC_PATH_BYTES = 1024;
    static final int PROCESS_MALLOC_MODULE = 1040;
    static final int PROCESS_MALLOC_MODULE_BYTES = 512;

    static final int EXEC_IN_PROGRESS = 1;
    static final int EXEC_KIND_STATIC = 2;

    static final int SAMPLING_OFFSET = 0xb000;
    static final int SAMPLING_FIXED_POINT = 1024;
    static final int SAMPLING_MEAN_BYTES = 0;
    static final int SAMPLING_ESTIMATED_COUNT = 8;
    static final int SAMPLING_ESTIMATED_BYTES = 16;

    static final int RECORD_HEADER_BYTES = 8;
    static final int RECORD_HEADER_TYPE = 0;
    static final int RECORD_HEADER_LENGTH = 4;
    static final int RECORD_SITE = 1;
    static final int RECORD_FRAME = 2;
    static final int RECORD_PYTHON_FRAME = 3;
    static final int RECORD_CHECKPOINT = 4;
    static final int RECORD_PHASE = 5;
    static final int RECORD_FRAME_CHECK = 6;

    static final int FRAME_RECORD_BYTES = 25;
    static final int FRAME_RECORD_ID = 0;
    static final int FRAME_RECORD_ADDRESS = 4;
    static final int FRAME_RECORD_OFFSET = 12;
    static final int FRAME_RECORD_FLAGS = 20;
    static final int FRAME_RECORD_MODULE_LEN = 21;
    static final int FRAME_RECORD_SYMBOL_LEN = 23;
    static final int FRAME_WRAPPER = 1;
    static final int FRAME_HAS_MODULE = 2;
    static final int FRAME_HAS_SYMBOL = 4;

    static final int PYTHON_FRAME_RECORD_BYTES = 12;
    static final int PYTHON_FRAME_RECORD_ID = 0;
    static final int PYTHON_FRAME_RECORD_LINE = 4;
    static final int PYTHON_FRAME_RECORD_FILE_LEN = 8;
    static final int PYTHON_FRAME_RECORD_FUNCTION_LEN = 10;

    static final int SITE_RECORD_BYTES = 18;
    static final int SITE_RECORD_ID = 0;
    static final int SITE_RECORD_PATTERN = 4;
    static final int SITE_RECORD_PYTHON_STATUS = 8;
    static final int SITE_RECORD_FRAME_COUNT = 12;
    static final int SITE_RECORD_PYTHON_COUNT = 14;
    static final int SITE_RECORD_THREAD_LEN = 16;

    static final int CHECKPOINT_RECORD_BYTES = 8;
    static final int CHECKPOINT_RECORD_RUN = 0;
    static final int CHECKPOINT_RECORD_COUNT = 4;
    static final int CHECKPOINT_SITE_BYTES = 24;
    static final int CHECKPOINT_SITE_SITE = 0;
    static final int CHECKPOINT_SITE_LIVE_COUNT = 8;
    static final int CHECKPOINT_SITE_LIVE_BYTES = 16;

    static final int PHASE_RECORD_BYTES = 16;
    static final int PHASE_RECORD_KIND = 0;
    static final int PHASE_RECORD_INDEX = 4;
    static final int PHASE_RECORD_T_MILLIS = 8;
    static final int PHASE_IMPORT = 1;
    static final int PHASE_WARMUP = 2;
    static final int PHASE_RUN = 3;
    static final int PHASE_CHECKPOINT = 4;
    static final int PHASE_END = 5;

    static final int FRAME_CHECK_RECORD_BYTES = 14;
    static final int FRAME_CHECK_RECORD_PATTERN = 0;
    static final int FRAME_CHECK_RECORD_MATCHER = 2;
    static final int FRAME_CHECK_RECORD_FLAGS = 4;
    static final int FRAME_CHECK_RECORD_LENGTHS = 6;

    static final int CHECK_FOUND = 1;
    static final int CHECK_MODULE = 4;
    static final int CHECK_UNCHECKED = 8;
}
