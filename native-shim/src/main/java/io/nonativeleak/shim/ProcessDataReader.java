package io.nonativeleak.shim;

import io.nonativeleak.shim.report.Counts;
import io.nonativeleak.shim.report.Sampling;
import io.nonativeleak.shim.report.TimelinePoint;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.nonativeleak.shim.FileLayout.*;

/**
 * Reads the data files the shim leaves in a run directory, one per process image (layout: format.h, as FileLayout).
 * A file may end abruptly (the process was killed while writing): the reader takes what is complete.
 */
final class ProcessDataReader {
    private static final Pattern FILE_NAME = Pattern.compile("proc-(\\d+)-(\\d+)\\.nnl");
    private static final byte[] MAGIC = FILE_MAGIC.getBytes(StandardCharsets.US_ASCII);
    /** Bytes of a live table read at a time. */
    private static final int TABLE_READ = LIVE_ENTRY_BYTES * 8192;
    /** A live entry's key holds the address and its value the size in their low ENTRY_FIELD_BITS (format.h). */
    private static final long ENTRY_FIELD_MASK = (1L << ENTRY_FIELD_BITS) - 1;
    private static final RawCFrame UNKNOWN_FRAME = new RawCFrame(0, 0, false, null, null);
    private static final RawPyFrame UNKNOWN_PYTHON_FRAME = new RawPyFrame(0, "?", "?");

    record RawCFrame(long address, long offset, boolean wrapper, String module, String symbol) {}

    /**
     * The header's process block (format.h, 0xa000): an exec call in flight when the image ended (it
     * succeeded into a program the shim may not follow), and another module's malloc found ahead of the shim's.
     */
    record ProcessBlock(boolean execInProgress, int execKind, boolean execKeepsShim, String execPath, String mallocElsewhere) {}

    record RawPyFrame(int line, String file, String function) {}

    record Site(int id, int pattern, int pythonStatus, String thread, List<RawCFrame> cStack, List<RawPyFrame> pythonStack) {}

    /**
     * Why a process's data is not the whole measured run: the shim stopped tracking part of it (its
     * data file could not grow, a limit) or the file is damaged.
     *
     * @param sinceNanos CLOCK_MONOTONIC of the first loss, 0 when unknown (damage)
     */
    record Incomplete(long sinceNanos, String reason) {}

    /**
     * One alternative of frame matcher {@code matcher} of pattern {@code pattern} (both 0-based), looked up among the
     * modules loaded at the checkpoint ({@code UNCHECKED}: a C++ name, which the symbol tables hold mangled).
     */
    record FrameCheck(int pattern, int matcher, String text, Found found, String module, String nearName, String nearModule) {
        enum Found { YES, NO, UNCHECKED }
    }

    /** What explains a measured run that matched nothing (format.h, struct nnl_nomatch_block); numpyCache: NUMPY_*. */
    record NoMatchData(boolean framesChecked, Counts warmupMatched, int numpyCache,
                       boolean numpyAnchored, long numpyCachedBlocks, Counts numpyExcluded, String numpyModule,
                       boolean numpyUserNewSeen, List<FrameCheck> frameChecks) {}

    /** Measured run k of the runner (k from 1): what matched during it, and when its checkpoint was taken (0: not). */
    record RunData(Counts matched, long checkpointNanos) {}

    /** The runner began a phase (kind: PHASE_*), at tMillis on the timeline's clock. */
    record RawPhase(int kind, int index, long tMillis) {}

    /**
     * What one process image recorded. liveBySiteByRun: the live table by the run each entry was made in (0: outside
     * the runner's measured runs, as in children); checkpoints: per run, its allocations live at its checkpoint by site.
     */
    record ProcessData(int pid, int sequence, int parentPid, long startNanos, int end, int exitStatus,
                       boolean pythonEnabled, String pythonReason, long measureStartNanos, long checkpointNanos,
                       Counts matched, long dropped, String executable, List<TimelinePoint> timeline,
                       Map<Integer, Site> sites, Map<Integer, Counts> liveBySite, Sampling sampling,
                       NoMatchData noMatch, Incomplete incomplete, ProcessBlock processBlock,
                       List<RunData> runs, Map<Integer, Map<Integer, Counts>> liveBySiteByRun,
                       Map<Integer, Map<Integer, Counts>> checkpoints, List<RawPhase> phases) {
        Counts live() {
            return liveBySite.values().stream().reduce(Counts.NONE, Counts::plus);
        }

        /** Of run k's allocations, those live at its checkpoint by site; for a run whose checkpoint was never taken
         *  (the process ended during it), those live when the process ended. */
        Map<Integer, Counts> leakedBySite(int run) {
            Map<Integer, Counts> taken = checkpoints.get(run);
            return taken != null ? taken : liveBySiteByRun.getOrDefault(run, Map.of());
        }
    }

    /** A data file whose contents cannot be what the shim wrote. */
    private static final class DamagedException extends Exception {
        DamagedException(String message) {
            super(message);
        }
    }

    private ProcessDataReader() {}

    /** Every complete data file in the directory, in start order. */
    static List<ProcessData> readAll(Path runDirectory) throws IOException {
        List<ProcessData> result = new ArrayList<>();
        try (Stream<Path> files = Files.list(runDirectory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Matcher m = FILE_NAME.matcher(file.getFileName().toString());
                if (!m.matches()) continue;
                ProcessData data = read(file, Integer.parseInt(m.group(2)));
                if (data != null) result.add(data);
            }
        }
        result.sort(Comparator.comparingLong(ProcessData::startNanos).thenComparingInt(ProcessData::sequence));
        return result;
    }

    /**
     * Reads one data file with positional reads (never a mapping: a file on a full tmpfs would fault the
     * JVM), holding at most a log segment in memory at a time. A file that is not a data file gives
     * null; a data file with damaged contents gives what could be read, marked incomplete.
     */
    static ProcessData read(Path file, int sequence) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < HEADER_SIZE) return null;
            ByteBuffer h = readAt(channel, 0, HEADER_SIZE);
            for (int i = 0; i < MAGIC.length; i++) if (h.get(i) != MAGIC[i]) return null;
            int pid = h.getInt(HEADER_PID);
            int parentPid = h.getInt(HEADER_PARENT_PID);
            long start = h.getLong(HEADER_START_NS);
            int version = h.getInt(HEADER_VERSION);
            if (version != FILE_VERSION || h.getInt(HEADER_HEADER_SIZE) != HEADER_SIZE)
                return unreadable(pid, sequence, parentPid, start, "its data file " + file.getFileName() + " is of data format version "
                        + Integer.toUnsignedString(version) + ", header size " + Integer.toUnsignedString(h.getInt(HEADER_HEADER_SIZE))
                        + "; this NoNativeLeak reads version " + FILE_VERSION + ", header size " + HEADER_SIZE
                        + " (damaged, or written by the shim of another release): what it recorded cannot be read");
            int end = h.getInt(HEADER_END);
            int exitStatus = h.getInt(HEADER_EXIT_STATUS);
            boolean python = h.getInt(HEADER_PYTHON_STATUS) == PYTHON_ENABLED;
            long measureStart = h.getLong(HEADER_MEASURE_START_NS);
            long checkpoint = h.getLong(HEADER_CHECKPOINT_NS);
            Counts matched = new Counts(h.getLong(HEADER_MATCHED_COUNT), h.getLong(HEADER_MATCHED_BYTES));
            long dropped = h.getLong(HEADER_DROPPED_COUNT);
            String executable = cString(h, HEADER_EXECUTABLE, HEADER_EXECUTABLE_BYTES);
            String pythonReason = cString(h, HEADER_PYTHON_REASON, HEADER_PYTHON_REASON_BYTES);
            List<TimelinePoint> timeline = new ArrayList<>();
            Map<Integer, Site> sites = new HashMap<>();
            List<FrameCheck> frameChecks = new ArrayList<>();
            Incomplete incomplete = lost(h);
            long sampleBytes = h.getLong(SAMPLING_OFFSET + SAMPLING_MEAN_BYTES);
            Sampling sampling = sampleBytes > 0 ? new Sampling(sampleBytes, matched) : null;
            if (sampling != null)
                matched = new Counts(Math.round((double) h.getLong(SAMPLING_OFFSET + SAMPLING_ESTIMATED_COUNT) / SAMPLING_FIXED_POINT),
                        h.getLong(SAMPLING_OFFSET + SAMPLING_ESTIMATED_BYTES));
            Map<Integer, double[]> weighted = new HashMap<>();
            List<RunData> runs = new ArrayList<>();
            int currentRun = Math.min(Math.max(h.getInt(RUNS_OFFSET + RUNS_CURRENT_RUN), 0), MAX_RUNS);
            for (int k = 0; k < currentRun; k++) {
                int at = RUNS_OFFSET + RUNS_RUNS + RUN_COUNTS_BYTES * k;
                runs.add(new RunData(new Counts(h.getLong(at + RUN_COUNTS_MATCHED_COUNT), h.getLong(at + RUN_COUNTS_MATCHED_BYTES)),
                        h.getLong(at + RUN_COUNTS_CHECKPOINT_NS)));
            }
            Map<Integer, Map<Integer, Counts>> liveByRun = new HashMap<>();
            Map<Integer, Map<Integer, Counts>> checkpoints = new HashMap<>();
            List<RawPhase> phases = new ArrayList<>();
            try {
                int timelineCount = h.getInt(HEADER_TIMELINE_COUNT);
                if (timelineCount < 0 || timelineCount > TIMELINE_POINTS)
                    throw new DamagedException("the timeline claims " + Integer.toUnsignedString(timelineCount) + " points");
                for (int i = 0; i < timelineCount; i++) {
                    int point = HEADER_TIMELINE + TIMELINE_POINT_BYTES * i;
                    timeline.add(new TimelinePoint(h.getLong(point + TIMELINE_POINT_T_MILLIS), h.getLong(point + TIMELINE_POINT_LIVE_BYTES),
                            h.getLong(RUNS_OFFSET + RUNS_TIMELINE_RSS + 8 * i)));
                }
                for (int shard = 0; shard < SHARDS; shard++) {
                    long tableOffset = h.getLong(HEADER_SHARDS + SHARD_HEADER_BYTES * shard + SHARD_HEADER_TABLE_OFFSET);
                    if (tableOffset != 0) readTable(channel, fileSize, shard, tableOffset, sampling, weighted, liveByRun);
                }
                readLog(channel, fileSize, h, sites, frameChecks, checkpoints, phases);
            } catch (DamagedException e) {
                incomplete = new Incomplete(0, "its data file " + file.getFileName() + " is damaged (" + e.getMessage()
                        + "): what it recorded cannot all be read");
            }
            Map<Integer, Counts> live = new HashMap<>();
            weighted.forEach((site, w) -> live.put(site, new Counts(Math.round(w[0]), Math.round(w[1]))));
            return new ProcessData(pid, sequence, parentPid, start, end, exitStatus, python, pythonReason,
                    measureStart, checkpoint, matched, dropped, executable, timeline, sites, live, sampling,
                    readNoMatch(h, frameChecks), incomplete, readProcessBlock(h), runs, liveByRun, checkpoints, phases);
        }
    }

    /** A process whose data file holds nothing this reader can read: only who it was, when it started, and why. */
    private static ProcessData unreadable(int pid, int sequence, int parentPid, long startNanos, String reason) {
        return new ProcessData(pid, sequence, parentPid, startNanos, END_NONE, EXIT_STATUS_UNKNOWN, false, "", 0, 0, Counts.NONE, 0, "",
                List.of(), Map.of(), Map.of(), null,
                new NoMatchData(false, Counts.NONE, NUMPY_NOT_LOADED, false, 0, Counts.NONE, "", false, List.of()),
                new Incomplete(0, reason), new ProcessBlock(false, 0, false, "", null), List.of(), Map.of(), Map.of(), List.of());
    }

    /** What the shim could not track in this process (its resources block), or null. */
    private static Incomplete lost(ByteBuffer h) {
        long since = h.getLong(RESOURCES_OFFSET + RESOURCES_INCOMPLETE_SINCE_NS);
        long total = 0;
        StringBuilder counts = new StringBuilder();
        for (int reason = 1; reason < LOSS_REASONS; reason++) {
            long n = h.getLong(RESOURCES_OFFSET + RESOURCES_LOST + 8 * reason);
            if (n == 0) continue;
            total += n;
            counts.append(counts.length() == 0 ? "" : ", ").append(n).append(" because ").append(lossText(reason, 0));
        }
        if (since == 0 && total == 0) return null;
        String first = lossText(h.getInt(RESOURCES_OFFSET + RESOURCES_INCOMPLETE_REASON), h.getInt(RESOURCES_OFFSET + RESOURCES_INCOMPLETE_ERRNO));
        return new Incomplete(since, first + "; not recorded: " + total + " matching allocations or stack records ("
                + counts + ")");
    }

    /** Why tracking stopped, for each enum nnl_loss (format.h). */
    static String lossText(int reason, int errno) {
        String cause = switch (reason) {
            case LOSS_FILE_GROW -> "the data file could not grow";
            case LOSS_FILE_SIZE_LIMIT -> "the data file reached the file-size limit (ulimit -f, RLIMIT_FSIZE)";
            case LOSS_ADDRESS_SPACE -> "the data file could not be mapped: the address space is exhausted (ulimit -v, RLIMIT_AS)";
            case LOSS_TABLE_LIMIT -> "the live-allocation tables reached their limit of " + (TABLE_REGION_SIZE >> 30) + " GiB";
            case LOSS_LOG_LIMIT -> "the log of stacks reached its limit of " + (segmentStart(LOG_SEGMENTS) >> 20) + " MiB";
            case LOSS_MEMORY -> "the shim's own memory could not grow";
            case LOSS_SMALL_STACK -> "a thread's stack had too little room left to track on";
            case LOSS_MAPPINGS -> "the data file reached its limit of mappings";
            case LOSS_UNTRACKED_CHILD -> "a child process it started without fork handlers (a raw clone) was not tracked";
            case LOSS_ENTRY_RANGE -> "a block lay beyond what a live-allocation entry holds (an address or size of 2^"
                    + ENTRY_FIELD_BITS + " or more, or more than 2^" + ENTRY_SITE_BITS + " distinct stacks)";
            default -> "of an unknown cause (" + reason + ")";
        };
        String error = switch (errno) {
            case 0 -> "";
            case 2 -> "the run directory was removed";
            case 12 -> "out of memory";
            case 24 -> "too many open files";
            case 27 -> "file too large";
            case 28 -> "no space left on device";
            case 122 -> "disk quota exceeded";
            default -> "errno " + errno;
        };
        return error.isEmpty() ? cause : cause + " (" + error + ")";
    }

    /** Where log segment k begins in the log (format.h: nnl_log_segment_start). */
    static long segmentStart(long k) {
        return k <= LOG_SEGMENT_DOUBLINGS ? (long) LOG_SEGMENT_SIZE * ((1L << k) - 1)
                : (long) LOG_SEGMENT_SIZE * (((1L << LOG_SEGMENT_DOUBLINGS) - 1) + (k - LOG_SEGMENT_DOUBLINGS) * (1L << LOG_SEGMENT_DOUBLINGS));
    }

    private static ByteBuffer readAt(FileChannel channel, long offset, int size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, offset + buffer.position());
            if (n < 0) break; // the file is shorter: the rest reads as zeros
        }
        return buffer.clear();
    }

    /** Adds each live entry to its site: as one allocation, or, sampled, as the allocations it stands for; and,
     *  unweighted (the gate never samples), to its site in the run it was made in. */
    private static void readTable(FileChannel channel, long fileSize, int shard, long offset, Sampling sampling,
                                  Map<Integer, double[]> live, Map<Integer, Map<Integer, Counts>> liveByRun)
            throws IOException, DamagedException {
        if (offset < HEADER_SIZE || offset % 4096 != 0 || offset + TABLE_HEADER_BYTES > fileSize)
            throw new DamagedException("shard " + shard + "'s table offset " + Long.toUnsignedString(offset) + " lies outside the file");
        long capacity = readAt(channel, offset, TABLE_HEADER_BYTES).getLong(TABLE_HEADER_CAPACITY);
        if (capacity <= 0 || Long.bitCount(capacity) != 1 || capacity > (fileSize - offset - TABLE_HEADER_BYTES) / LIVE_ENTRY_BYTES)
            throw new DamagedException("shard " + shard + "'s table claims a capacity of " + Long.toUnsignedString(capacity));
        int perRead = TABLE_READ / LIVE_ENTRY_BYTES;
        for (long first = 0; first < capacity; first += perRead) {
            int n = (int) Math.min(perRead, capacity - first);
            ByteBuffer entries = readAt(channel, offset + TABLE_HEADER_BYTES + first * LIVE_ENTRY_BYTES, n * LIVE_ENTRY_BYTES);
            for (int i = 0; i < n; i++) {
                int entry = i * LIVE_ENTRY_BYTES;
                long key = entries.getLong(entry + LIVE_ENTRY_KEY);
                if (key == 0 || key == 1) continue; // empty, deleted
                long value = entries.getLong(entry + LIVE_ENTRY_VALUE);
                long size = value & ENTRY_FIELD_MASK;
                int site = (int) (key >>> 56) << 16 | (int) (value >>> ENTRY_FIELD_BITS);
                double weight = sampling == null ? 1 : sampling.weight(size);
                double[] sum = live.computeIfAbsent(site, s -> new double[2]);
                sum[0] += weight;
                sum[1] += weight * size;
                int run = (int) (key >>> ENTRY_FIELD_BITS) & 0xff;
                liveByRun.computeIfAbsent(run, r -> new HashMap<>()).merge(site, new Counts(1, size), Counts::plus);
            }
        }
    }

    private static NoMatchData readNoMatch(ByteBuffer h, List<FrameCheck> frameChecks) {
        int b = NOMATCH_OFFSET;
        return new NoMatchData(h.getInt(b + NOMATCH_FRAMES_CHECKED) == 1,
                new Counts(h.getLong(b + NOMATCH_WARMUP_MATCHED_COUNT), h.getLong(b + NOMATCH_WARMUP_MATCHED_BYTES)),
                h.getInt(b + NOMATCH_NUMPY_CACHE), h.getInt(b + NOMATCH_NUMPY_ANCHORED) == 1, h.getLong(b + NOMATCH_NUMPY_CACHED_BLOCKS),
                new Counts(h.getLong(b + NOMATCH_NUMPY_EXCLUDED_COUNT), h.getLong(b + NOMATCH_NUMPY_EXCLUDED_BYTES)),
                cString(h, b + NOMATCH_NUMPY_MODULE, NOMATCH_NUMPY_MODULE_BYTES), h.getInt(b + NOMATCH_NUMPY_USER_NEW_SEEN) == 1,
                frameChecks);
    }

    private static ProcessBlock readProcessBlock(ByteBuffer h) {
        int b = PROCESS_OFFSET;
        return new ProcessBlock(h.getInt(b + PROCESS_EXEC_STATE) == EXEC_IN_PROGRESS, h.getInt(b + PROCESS_EXEC_KIND),
                h.getInt(b + PROCESS_EXEC_KEEPS_SHIM) == 1, cString(h, b + PROCESS_EXEC_PATH, PROCESS_EXEC_PATH_BYTES),
                h.getInt(b + PROCESS_MALLOC_ELSEWHERE) == 1 ? cString(h, b + PROCESS_MALLOC_MODULE, PROCESS_MALLOC_MODULE_BYTES) : null);
    }

    private static void readFrameCheck(ByteBuffer b, List<FrameCheck> checks) {
        int pattern = Short.toUnsignedInt(b.getShort(FRAME_CHECK_RECORD_PATTERN));
        int matcher = Short.toUnsignedInt(b.getShort(FRAME_CHECK_RECORD_MATCHER));
        int flags = b.get(FRAME_CHECK_RECORD_FLAGS);
        int[] lengths = new int[4];
        for (int i = 0; i < 4; i++) lengths[i] = Short.toUnsignedInt(b.getShort(FRAME_CHECK_RECORD_LENGTHS + 2 * i));
        b.position(FRAME_CHECK_RECORD_BYTES);
        String text = string(b, lengths[0]);
        String module = string(b, lengths[1]);
        String near = string(b, lengths[2]);
        String nearModule = string(b, lengths[3]);
        FrameCheck.Found found = (flags & CHECK_UNCHECKED) != 0 ? FrameCheck.Found.UNCHECKED
                : (flags & CHECK_FOUND) != 0 ? FrameCheck.Found.YES : FrameCheck.Found.NO;
        checks.add(new FrameCheck(pattern, matcher, (flags & CHECK_MODULE) != 0 ? "obj:" + text : text, found, blankToNull(module),
                blankToNull(near), blankToNull(nearModule)));
    }

    private static String blankToNull(String s) {
        return s.isEmpty() ? null : s;
    }

    /**
     * The log, segment by segment. A record whose type is still 0 was in flight when the process
     * ended (killed, exec): it is stepped over, and every committed record after it is read.
     */
    private static void readLog(FileChannel channel, long fileSize, ByteBuffer h, Map<Integer, Site> sites,
                                List<FrameCheck> frameChecks, Map<Integer, Map<Integer, Counts>> checkpoints,
                                List<RawPhase> phases)
            throws IOException, DamagedException {
        if (h.getLong(HEADER_LOG_REGION_OFFSET) != 0 || h.getInt(RESOURCES_OFFSET + RESOURCES_LOG_SEGMENT_SIZE) != LOG_SEGMENT_SIZE
                || h.getInt(RESOURCES_OFFSET + RESOURCES_LOG_SEGMENT_COUNT) != LOG_SEGMENTS)
            throw new DamagedException("the log's layout is not this version's");
        long used = h.getLong(HEADER_LOG_USED);
        long capacity = segmentStart(LOG_SEGMENTS);
        if (used < 0 || used > capacity) used = capacity; // claims past the end: counted losses
        Map<Integer, RawCFrame> frames = new HashMap<>();
        Map<Integer, RawPyFrame> pythonFrames = new HashMap<>();
        for (int segment = 0; segmentStart(segment) < used; segment++) {
            long offset = h.getLong(RESOURCES_OFFSET + RESOURCES_LOG_SEGMENTS + 8 * segment);
            if (offset == 0) continue; // never allocated: the file could not grow (a counted loss)
            long size = segmentStart(segment + 1) - segmentStart(segment);
            if (offset < HEADER_SIZE || offset % 4096 != 0 || offset > fileSize - size)
                throw new DamagedException("log segment " + segment + " lies outside the file");
            int limit = (int) Math.min(size, used - segmentStart(segment));
            ByteBuffer log = readAt(channel, offset, limit);
            int position = 0;
            while (position + RECORD_HEADER_BYTES <= limit) {
                int type = log.getInt(position + RECORD_HEADER_TYPE);
                int length = log.getInt(position + RECORD_HEADER_LENGTH);
                boolean fits = length >= RECORD_HEADER_BYTES && length % 8 == 0 && length <= limit - position;
                if (type == 0) {
                    if (!fits) break; // a claim whose length was never written: the segment ends here
                    position += length;
                    continue;
                }
                if (!fits) throw new DamagedException("the record at log position " + (segmentStart(segment) + position)
                        + " claims a length of " + Integer.toUnsignedString(length));
                ByteBuffer payload = log.slice(position + RECORD_HEADER_BYTES, length - RECORD_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                try {
                    if (type == RECORD_FRAME) readFrame(payload, frames);
                    else if (type == RECORD_PYTHON_FRAME) readPythonFrame(payload, pythonFrames);
                    else if (type == RECORD_FRAME_CHECK) readFrameCheck(payload, frameChecks);
                    else if (type == RECORD_SITE) {
                        Site site = readSite(payload, frames, pythonFrames);
                        sites.put(site.id(), site);
                    } else if (type == RECORD_CHECKPOINT) {
                        readCheckpoint(payload, checkpoints);
                    } else if (type == RECORD_PHASE) {
                        phases.add(new RawPhase(payload.getInt(PHASE_RECORD_KIND), payload.getInt(PHASE_RECORD_INDEX),
                                payload.getLong(PHASE_RECORD_T_MILLIS)));
                    } // other types (padding, records of later versions) are stepped over
                } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
                    throw new DamagedException("the record at log position " + (segmentStart(segment) + position)
                            + " overruns its length");
                }
                position += length;
            }
        }
    }

    /** One checkpoint record: part of a run's allocations live at its checkpoint, by site (a run may have several). */
    private static void readCheckpoint(ByteBuffer b, Map<Integer, Map<Integer, Counts>> checkpoints) {
        int run = b.getInt(CHECKPOINT_RECORD_RUN);
        long entries = Integer.toUnsignedLong(b.getInt(CHECKPOINT_RECORD_COUNT));
        if (CHECKPOINT_RECORD_BYTES + CHECKPOINT_SITE_BYTES * entries > b.limit()) throw new IllegalArgumentException("checkpoint record overruns");
        Map<Integer, Counts> bySite = checkpoints.computeIfAbsent(run, r -> new HashMap<>());
        for (int i = 0; i < entries; i++) {
            int at = CHECKPOINT_RECORD_BYTES + CHECKPOINT_SITE_BYTES * i;
            bySite.merge(b.getInt(at + CHECKPOINT_SITE_SITE),
                    new Counts(b.getLong(at + CHECKPOINT_SITE_LIVE_COUNT), b.getLong(at + CHECKPOINT_SITE_LIVE_BYTES)), Counts::plus);
        }
    }

    private static void readFrame(ByteBuffer b, Map<Integer, RawCFrame> frames) {
        int id = b.getInt(FRAME_RECORD_ID);
        long address = b.getLong(FRAME_RECORD_ADDRESS);
        long offset = b.getLong(FRAME_RECORD_OFFSET);
        int flags = b.get(FRAME_RECORD_FLAGS);
        int moduleLength = Short.toUnsignedInt(b.getShort(FRAME_RECORD_MODULE_LEN));
        int symbolLength = Short.toUnsignedInt(b.getShort(FRAME_RECORD_SYMBOL_LEN));
        b.position(FRAME_RECORD_BYTES);
        String module = string(b, moduleLength);
        String symbol = string(b, symbolLength);
        frames.put(id, new RawCFrame(address, offset, (flags & FRAME_WRAPPER) != 0, (flags & FRAME_HAS_MODULE) != 0 ? module : null,
                (flags & FRAME_HAS_SYMBOL) != 0 ? symbol : null));
    }

    private static void readPythonFrame(ByteBuffer b, Map<Integer, RawPyFrame> pythonFrames) {
        int id = b.getInt(PYTHON_FRAME_RECORD_ID);
        int line = b.getInt(PYTHON_FRAME_RECORD_LINE);
        int fileLength = Short.toUnsignedInt(b.getShort(PYTHON_FRAME_RECORD_FILE_LEN));
        int functionLength = Short.toUnsignedInt(b.getShort(PYTHON_FRAME_RECORD_FUNCTION_LEN));
        b.position(PYTHON_FRAME_RECORD_BYTES);
        String file = string(b, fileLength);
        pythonFrames.put(id, new RawPyFrame(line, file, string(b, functionLength)));
    }

    private static Site readSite(ByteBuffer b, Map<Integer, RawCFrame> frames, Map<Integer, RawPyFrame> pythonFrames) {
        int id = b.getInt(SITE_RECORD_ID);
        int pattern = b.getInt(SITE_RECORD_PATTERN);
        int status = b.getInt(SITE_RECORD_PYTHON_STATUS);
        int cCount = Short.toUnsignedInt(b.getShort(SITE_RECORD_FRAME_COUNT));
        int pyCount = Short.toUnsignedInt(b.getShort(SITE_RECORD_PYTHON_COUNT));
        int threadLength = Short.toUnsignedInt(b.getShort(SITE_RECORD_THREAD_LEN));
        b.position(SITE_RECORD_BYTES);
        String thread = string(b, threadLength);
        List<RawCFrame> cStack = new ArrayList<>(cCount);
        for (int i = 0; i < cCount; i++) cStack.add(frames.getOrDefault(b.getInt(), UNKNOWN_FRAME));
        List<RawPyFrame> pyStack = new ArrayList<>(pyCount);
        for (int i = 0; i < pyCount; i++) pyStack.add(pythonFrames.getOrDefault(b.getInt(), UNKNOWN_PYTHON_FRAME));
        return new Site(id, pattern, status, thread, cStack, pyStack);
    }

    private static String string(ByteBuffer b, int length) {
        byte[] bytes = new byte[length];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String cString(ByteBuffer b, int offset, int max) {
        int end = 0;
        while (end < max && b.get(offset + end) != 0) end++;
        byte[] bytes = new byte[end];
        b.get(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
