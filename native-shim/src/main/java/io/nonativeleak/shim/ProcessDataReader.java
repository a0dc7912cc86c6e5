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

/**
 * Reads the data files the shim leaves in a run directory, one per process image (layout: output.h).
 * A file may end abruptly (the process was killed while writing): the reader takes what is complete.
 */
final class ProcessDataReader {
    private static final Pattern FILE_NAME = Pattern.compile("proc-(\\d+)-(\\d+)\\.nnl");
    private static final byte[] MAGIC = "NNLPROC1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER_SIZE = 64 << 10;
    private static final int SHARDS = 64;
    private static final int ENTRY_SIZE = 24;
    private static final int TABLE_HEADER_SIZE = 16;
    /** struct nnl_sampling_block (sampling.h): N, then the scaled-up matched count (fixed point) and bytes. */
    private static final int SAMPLING_BLOCK = 0xb000;
    private static final int SAMPLING_FIXED_POINT = 1024;
    private static final int RECORD_SITE = 1;
    private static final int RECORD_FRAME = 2;
    private static final int RECORD_PYTHON_FRAME = 3;
    private static final int RECORD_FRAME_CHECK = 6;
    private static final int RECORD_CHECKPOINT = 4;
    private static final int RECORD_PHASE = 5;
    private static final int RUNS_BLOCK = 0x5000;
    private static final int MAX_RUNS = 100;
    private static final int RUN_COUNTS_SIZE = 40;
    static final int PHASE_IMPORT = 1;
    static final int PHASE_WARMUP = 2;
    static final int PHASE_RUN = 3;
    static final int PHASE_CHECKPOINT = 4;
    static final int PHASE_END = 5;
    private static final int NOMATCH_OFFSET = 0x8000;
    private static final int TIMELINE_POINTS = 512;
    private static final int SHARD_TABLES = 904;
    private static final int TIMELINE = SHARD_TABLES + 16 * 64;
    /** struct nnl_resources (output.h): the file's growth and what could not be tracked. */
    private static final int RESOURCES = 0x4000;
    private static final int LOSS_REASONS = 16;
    private static final int LOG_SEGMENT_TABLE = 32 + 8 * LOSS_REASONS;
    private static final int LOG_SEGMENT_SIZE = 64 << 10;
    private static final int LOG_SEGMENT_DOUBLINGS = 5;
    private static final int LOG_SEGMENTS = 128;
    /** Bytes of a live table read at a time. */
    private static final int TABLE_READ = ENTRY_SIZE * 8192;
    private static final RawCFrame UNKNOWN_FRAME = new RawCFrame(0, 0, false, null, null);
    private static final RawPyFrame UNKNOWN_PYTHON_FRAME = new RawPyFrame(0, "?", "?");
    static final int STATE_WAITING = 1;
    static final int STATE_TRACKING = 2;
    static final int STATE_CHECKPOINTED = 3;
    static final int END_NONE = 0;
    static final int END_EXIT = 1;
    static final int END_UNDERSCORE_EXIT = 2;
    static final int EXIT_STATUS_UNKNOWN = Integer.MIN_VALUE;

    record RawCFrame(long address, long offset, boolean wrapper, String module, String symbol) {}

    /**
     * The header's process block (output.h, 0xa000): an exec call in flight when the image ended (it
     * succeeded into a program the shim may not follow), and another module's malloc found ahead of the shim's.
     */
    record ProcessBlock(boolean execInProgress, int execKind, boolean execKeepsShim, String execPath, String mallocElsewhere) {
        static final int EXEC_KIND_STATIC = 2;
    }

    record RawPyFrame(int line, String file, String function) {}

    record Site(int id, int pattern, int pythonStatus, boolean pythonTruncated, String thread,
                List<RawCFrame> cStack, List<RawPyFrame> pythonStack) {}

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

    /** numpy's small-buffer cache at the checkpoint (output.h, enum nnl_numpy_cache). */
    static final int NUMPY_NOT_LOADED = 0;
    static final int NUMPY_CACHE_READ = 1;

    /** What explains a measured run that matched nothing (output.h, struct nnl_nomatch_block). */
    record NoMatchData(boolean interposed, boolean framesChecked, Counts warmupMatched, int numpyCache,
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
    record ProcessData(int pid, int sequence, int parentPid, long startNanos, int state, int end, int exitStatus,
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
            int pid = h.getInt(16);
            int parentPid = h.getInt(20);
            long start = h.getLong(24);
            int state = h.getInt(32);
            int end = h.getInt(36);
            int exitStatus = h.getInt(40);
            boolean python = h.getInt(44) == 1;
            long measureStart = h.getLong(48);
            long checkpoint = h.getLong(56);
            Counts matched = new Counts(h.getLong(64), h.getLong(72));
            long dropped = h.getLong(80);
            String executable = cString(h, 136, 512);
            String pythonReason = cString(h, 648, 256);
            List<TimelinePoint> timeline = new ArrayList<>();
            Map<Integer, Site> sites = new HashMap<>();
            List<FrameCheck> frameChecks = new ArrayList<>();
            Incomplete incomplete = lost(h);
            long sampleBytes = h.getLong(SAMPLING_BLOCK);
            Sampling sampling = sampleBytes > 0 ? new Sampling(sampleBytes, matched) : null;
            if (sampling != null)
                matched = new Counts(Math.round((double) h.getLong(SAMPLING_BLOCK + 8) / SAMPLING_FIXED_POINT), h.getLong(SAMPLING_BLOCK + 16));
            Map<Integer, double[]> weighted = new HashMap<>();
            List<RunData> runs = new ArrayList<>();
            int currentRun = Math.min(Math.max(h.getInt(RUNS_BLOCK), 0), MAX_RUNS);
            for (int k = 0; k < currentRun; k++) {
                int at = RUNS_BLOCK + 8 + RUN_COUNTS_SIZE * k;
                runs.add(new RunData(new Counts(h.getLong(at), h.getLong(at + 8)), h.getLong(at + 32)));
            }
            Map<Integer, Map<Integer, Counts>> liveByRun = new HashMap<>();
            Map<Integer, Map<Integer, Counts>> checkpoints = new HashMap<>();
            List<RawPhase> phases = new ArrayList<>();
            try {
                if (h.getInt(8) != 1 || h.getInt(12) != HEADER_SIZE)
                    throw new DamagedException("version " + h.getInt(8) + ", header size " + h.getInt(12));
                int timelineCount = h.getInt(128);
                if (timelineCount < 0 || timelineCount > TIMELINE_POINTS)
                    throw new DamagedException("the timeline claims " + Integer.toUnsignedString(timelineCount) + " points");
                for (int i = 0; i < timelineCount; i++)
                    timeline.add(new TimelinePoint(h.getLong(TIMELINE + 16 * i), h.getLong(TIMELINE + 16 * i + 8),
                            h.getLong(RUNS_BLOCK + 8 + RUN_COUNTS_SIZE * MAX_RUNS + 8 * i)));
                for (int shard = 0; shard < SHARDS; shard++) {
                    long tableOffset = h.getLong(SHARD_TABLES + 16 * shard);
                    if (tableOffset != 0) readTable(channel, fileSize, shard, tableOffset, sampling, weighted, liveByRun);
                }
                readLog(channel, fileSize, h, sites, frameChecks, checkpoints, phases);
            } catch (DamagedException e) {
                incomplete = new Incomplete(0, "its data file " + file.getFileName() + " is damaged (" + e.getMessage()
                        + "): what it recorded cannot all be read");
            }
            Map<Integer, Counts> live = new HashMap<>();
            weighted.forEach((site, w) -> live.put(site, new Counts(Math.round(w[0]), Math.round(w[1]))));
            int block = 0xa000;
            ProcessBlock processBlock = new ProcessBlock(h.getInt(block) == 1, h.getInt(block + 4), h.getInt(block + 8) == 1,
                    cString(h, block + 16, 1024), h.getInt(block + 12) == 1 ? cString(h, block + 16 + 1024, 512) : null);
            return new ProcessData(pid, sequence, parentPid, start, state, end, exitStatus, python, pythonReason,
                    measureStart, checkpoint, matched, dropped, executable, timeline, sites, live, sampling,
                    readNoMatch(h, frameChecks), incomplete, processBlock, runs, liveByRun, checkpoints, phases);
        }
    }

    /** What the shim could not track in this process (its resources block), or null. */
    private static Incomplete lost(ByteBuffer h) {
        long since = h.getLong(RESOURCES + 8);
        long total = 0;
        StringBuilder counts = new StringBuilder();
        for (int reason = 1; reason < LOSS_REASONS; reason++) {
            long n = h.getLong(RESOURCES + 32 + 8 * reason);
            if (n == 0) continue;
            total += n;
            counts.append(counts.length() == 0 ? "" : ", ").append(n).append(" because ").append(lossText(reason, 0));
        }
        if (since == 0 && total == 0) return null;
        String first = lossText(h.getInt(RESOURCES + 16), h.getInt(RESOURCES + 20));
        return new Incomplete(since, first + "; not recorded: " + total + " matching allocations or stack records ("
                + counts + ")");
    }

    /** Why tracking stopped, for each enum nnl_loss (output.h). */
    static String lossText(int reason, int errno) {
        String cause = switch (reason) {
            case 1 -> "the data file could not grow";
            case 2 -> "the data file reached the file-size limit (ulimit -f, RLIMIT_FSIZE)";
            case 3 -> "the data file could not be mapped: the address space is exhausted (ulimit -v, RLIMIT_AS)";
            case 4 -> "the live-allocation tables reached their limit of 1 GiB";
            case 5 -> "the log of stacks reached its limit of " + (segmentStart(LOG_SEGMENTS) >> 20) + " MiB";
            case 6 -> "the shim's own memory could not grow";
            case 7 -> "a thread's stack had too little room left to track on";
            case 8 -> "the data file reached its limit of mappings";
            case 9 -> "a child process it started without fork handlers (a raw clone) was not tracked";
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

    /** Where log segment k begins in the log (output.h: nnl_log_segment_start). */
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
        if (offset < HEADER_SIZE || offset % 4096 != 0 || offset + TABLE_HEADER_SIZE > fileSize)
            throw new DamagedException("shard " + shard + "'s table offset " + Long.toUnsignedString(offset) + " lies outside the file");
        long capacity = readAt(channel, offset, TABLE_HEADER_SIZE).getLong(0);
        if (capacity <= 0 || Long.bitCount(capacity) != 1 || capacity > (fileSize - offset - TABLE_HEADER_SIZE) / ENTRY_SIZE)
            throw new DamagedException("shard " + shard + "'s table claims a capacity of " + Long.toUnsignedString(capacity));
        int perRead = TABLE_READ / ENTRY_SIZE;
        for (long first = 0; first < capacity; first += perRead) {
            int n = (int) Math.min(perRead, capacity - first);
            ByteBuffer entries = readAt(channel, offset + TABLE_HEADER_SIZE + first * ENTRY_SIZE, n * ENTRY_SIZE);
            for (int i = 0; i < n; i++) {
                long address = entries.getLong(i * ENTRY_SIZE);
                if (address == 0 || address == 1) continue; // empty, deleted
                long size = entries.getLong(i * ENTRY_SIZE + 8);
                int site = entries.getInt(i * ENTRY_SIZE + 16);
                double weight = sampling == null ? 1 : sampling.weight(size);
                double[] sum = live.computeIfAbsent(site, key -> new double[2]);
                sum[0] += weight;
                sum[1] += weight * size;
                int run = entries.getInt(i * ENTRY_SIZE + 20);
                liveByRun.computeIfAbsent(run, r -> new HashMap<>()).merge(site, new Counts(1, size), Counts::plus);
            }
        }
    }

    private static NoMatchData readNoMatch(ByteBuffer h, List<FrameCheck> frameChecks) {
        int b = NOMATCH_OFFSET;
        return new NoMatchData(h.getInt(b) == 1, h.getInt(b + 4) == 1, new Counts(h.getLong(b + 8), h.getLong(b + 16)),
                h.getInt(b + 24), h.getInt(b + 28) == 1, h.getLong(b + 32), new Counts(h.getLong(b + 40), h.getLong(b + 48)),
                cString(h, b + 56, 256), h.getInt(b + 312) == 1, frameChecks);
    }

    private static void readFrameCheck(ByteBuffer b, List<FrameCheck> checks) {
        int pattern = Short.toUnsignedInt(b.getShort());
        int matcher = Short.toUnsignedInt(b.getShort());
        int flags = b.get();
        b.get(); // reserved
        int[] lengths = new int[4];
        for (int i = 0; i < 4; i++) lengths[i] = Short.toUnsignedInt(b.getShort());
        String text = string(b, lengths[0]);
        String module = string(b, lengths[1]);
        String near = string(b, lengths[2]);
        String nearModule = string(b, lengths[3]);
        FrameCheck.Found found = (flags & 8) != 0 ? FrameCheck.Found.UNCHECKED : (flags & 1) != 0 ? FrameCheck.Found.YES : FrameCheck.Found.NO;
        checks.add(new FrameCheck(pattern, matcher, (flags & 4) != 0 ? "obj:" + text : text, found, blankToNull(module),
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
        if (h.getLong(104) != 0 || h.getInt(RESOURCES + 24) != LOG_SEGMENT_SIZE || h.getInt(RESOURCES + 28) != LOG_SEGMENTS)
            throw new DamagedException("the log's layout is not this version's");
        long used = h.getLong(120);
        long capacity = segmentStart(LOG_SEGMENTS);
        if (used < 0 || used > capacity) used = capacity; // claims past the end: counted losses
        Map<Integer, RawCFrame> frames = new HashMap<>();
        Map<Integer, RawPyFrame> pythonFrames = new HashMap<>();
        for (int segment = 0; segmentStart(segment) < used; segment++) {
            long offset = h.getLong(RESOURCES + LOG_SEGMENT_TABLE + 8 * segment);
            if (offset == 0) continue; // never allocated: the file could not grow (a counted loss)
            long size = segmentStart(segment + 1) - segmentStart(segment);
            if (offset < HEADER_SIZE || offset % 4096 != 0 || offset > fileSize - size)
                throw new DamagedException("log segment " + segment + " lies outside the file");
            int limit = (int) Math.min(size, used - segmentStart(segment));
            ByteBuffer log = readAt(channel, offset, limit);
            int position = 0;
            while (position + 8 <= limit) {
                int type = log.getInt(position);
                int length = log.getInt(position + 4);
                boolean fits = length >= 8 && length % 8 == 0 && length <= limit - position;
                if (type == 0) {
                    if (!fits) break; // a claim whose length was never written: the segment ends here
                    position += length;
                    continue;
                }
                if (!fits) throw new DamagedException("the record at log position " + (segmentStart(segment) + position)
                        + " claims a length of " + Integer.toUnsignedString(length));
                ByteBuffer payload = log.slice(position + 8, length - 8).order(ByteOrder.LITTLE_ENDIAN);
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
                        phases.add(new RawPhase(payload.getInt(0), payload.getInt(4), payload.getLong(8)));
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
        int run = b.getInt(0);
        long entries = Integer.toUnsignedLong(b.getInt(4));
        if (8 + 24 * entries > b.limit()) throw new IllegalArgumentException("checkpoint record overruns");
        Map<Integer, Counts> bySite = checkpoints.computeIfAbsent(run, r -> new HashMap<>());
        for (int i = 0; i < entries; i++) {
            int at = 8 + 24 * i;
            bySite.merge(b.getInt(at), new Counts(b.getLong(at + 8), b.getLong(at + 16)), Counts::plus);
        }
    }

    private static void readFrame(ByteBuffer b, Map<Integer, RawCFrame> frames) {
        int id = b.getInt();
        long address = b.getLong();
        long offset = b.getLong();
        int flags = b.get();
        int moduleLength = Short.toUnsignedInt(b.getShort());
        int symbolLength = Short.toUnsignedInt(b.getShort());
        String module = string(b, moduleLength);
        String symbol = string(b, symbolLength);
        frames.put(id, new RawCFrame(address, offset, (flags & 1) != 0, (flags & 2) != 0 ? module : null,
                (flags & 4) != 0 ? symbol : null));
    }

    private static void readPythonFrame(ByteBuffer b, Map<Integer, RawPyFrame> pythonFrames) {
        int id = b.getInt();
        int line = b.getInt();
        int fileLength = Short.toUnsignedInt(b.getShort());
        int functionLength = Short.toUnsignedInt(b.getShort());
        String file = string(b, fileLength);
        pythonFrames.put(id, new RawPyFrame(line, file, string(b, functionLength)));
    }

    private static Site readSite(ByteBuffer b, Map<Integer, RawCFrame> frames, Map<Integer, RawPyFrame> pythonFrames) {
        int id = b.getInt();
        int pattern = b.getInt();
        int status = b.getInt();
        b.getInt(); // index of frame 0: the wrappers before it carry their own flag
        int cCount = Short.toUnsignedInt(b.getShort());
        int pyCount = Short.toUnsignedInt(b.getShort());
        String thread = string(b, Short.toUnsignedInt(b.getShort()));
        List<RawCFrame> cStack = new ArrayList<>(cCount);
        for (int i = 0; i < cCount; i++) cStack.add(frames.getOrDefault(b.getInt(), UNKNOWN_FRAME));
        List<RawPyFrame> pyStack = new ArrayList<>(pyCount);
        for (int i = 0; i < pyCount; i++) pyStack.add(pythonFrames.getOrDefault(b.getInt(), UNKNOWN_PYTHON_FRAME));
        return new Site(id, pattern, status & 0xff, (status & 0x100) != 0, thread, cStack, pyStack);
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
