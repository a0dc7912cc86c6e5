package io.nonativeleak.shim;

import io.nonativeleak.shim.report.Counts;
import io.nonativeleak.shim.report.Sampling;
import io.nonativeleak.shim.report.TimelinePoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
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
    private static final int RECORD_CHECKPOINT = 4;
    private static final int RECORD_PHASE = 5;
    private static final int RUNS_BLOCK = 0x5000;
    private static final int MAX_RUNS = 100;
    private static final int RUN_COUNTS_SIZE = 40;
    private static final int TIMELINE_POINTS = 512;
    static final int PHASE_IMPORT = 1;
    static final int PHASE_WARMUP = 2;
    static final int PHASE_RUN = 3;
    static final int PHASE_CHECKPOINT = 4;
    static final int PHASE_END = 5;
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

    record RawPyFrame(int line, String file, String function) {}

    record Site(int id, int pattern, int pythonStatus, boolean pythonTruncated, String thread,
                List<RawCFrame> cStack, List<RawPyFrame> pythonStack) {}

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

    static ProcessData read(Path file, int sequence) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() < HEADER_SIZE) return null;
            ByteBuffer h = map(channel, 0, HEADER_SIZE);
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
            long logOffset = h.getLong(104);
            long logSize = h.getLong(112);
            long logUsed = Math.min(h.getLong(120), logSize);
            int timelineCount = Math.min(h.getInt(128), TIMELINE_POINTS);
            String executable = cString(h, 136, 512);
            String pythonReason = cString(h, 648, 256);
            List<TimelinePoint> timeline = new ArrayList<>();
            int timelineBase = 904 + 16 * SHARDS;
            for (int i = 0; i < timelineCount; i++)
                timeline.add(new TimelinePoint(h.getLong(timelineBase + 16 * i), h.getLong(timelineBase + 16 * i + 8),
                        h.getLong(RUNS_BLOCK + 8 + RUN_COUNTS_SIZE * MAX_RUNS + 8 * i)));
            long sampleBytes = h.getLong(SAMPLING_BLOCK);
            Sampling sampling = sampleBytes > 0 ? new Sampling(sampleBytes, matched) : null;
            if (sampling != null)
                matched = new Counts(Math.round((double) h.getLong(SAMPLING_BLOCK + 8) / SAMPLING_FIXED_POINT), h.getLong(SAMPLING_BLOCK + 16));
            List<RunData> runs = new ArrayList<>();
            int currentRun = Math.min(h.getInt(RUNS_BLOCK), MAX_RUNS);
            for (int k = 0; k < currentRun; k++) {
                int at = RUNS_BLOCK + 8 + RUN_COUNTS_SIZE * k;
                runs.add(new RunData(new Counts(h.getLong(at), h.getLong(at + 8)), h.getLong(at + 32)));
            }
            Map<Integer, double[]> weighted = new HashMap<>();
            Map<Integer, Map<Integer, Counts>> liveByRun = new HashMap<>();
            for (int shard = 0; shard < SHARDS; shard++) {
                long tableOffset = h.getLong(904 + 16 * shard);
                if (tableOffset > 0) readTable(channel, tableOffset, sampling, weighted, liveByRun);
            }
            Map<Integer, Counts> live = new HashMap<>();
            weighted.forEach((site, w) -> live.put(site, new Counts(Math.round(w[0]), Math.round(w[1]))));
            Log log = new Log();
            if (logUsed > 0) readLog(map(channel, logOffset, logUsed), log);
            return new ProcessData(pid, sequence, parentPid, start, state, end, exitStatus, python, pythonReason,
                    measureStart, checkpoint, matched, dropped, executable, timeline, log.sites, live, sampling, runs,
                    liveByRun, log.checkpoints, log.phases);
        }
    }

    private static MappedByteBuffer map(FileChannel channel, long offset, long size) throws IOException {
        MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, offset, size);
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        return buffer;
    }

    /** Adds each live entry to its site: as one allocation, or, sampled, as the allocations it stands for; and,
     *  unweighted (the gate never samples), to its site in the run it was made in. */
    private static void readTable(FileChannel channel, long offset, Sampling sampling, Map<Integer, double[]> live,
                                  Map<Integer, Map<Integer, Counts>> liveByRun) throws IOException {
        if (offset + TABLE_HEADER_SIZE > channel.size()) return;
        long capacity = map(channel, offset, TABLE_HEADER_SIZE).getLong(0);
        if (capacity <= 0 || offset + TABLE_HEADER_SIZE + capacity * ENTRY_SIZE > channel.size()) return;
        ByteBuffer entries = map(channel, offset + TABLE_HEADER_SIZE, capacity * ENTRY_SIZE);
        for (int i = 0; i < capacity; i++) {
            long address = entries.getLong(i * ENTRY_SIZE);
            if (address == 0 || address == 1) continue; // empty, deleted
            long size = entries.getLong(i * ENTRY_SIZE + 8);
            int site = entries.getInt(i * ENTRY_SIZE + 16);
            double weight = sampling == null ? 1 : sampling.weight(size);
            double[] sum = live.computeIfAbsent(site, k -> new double[2]);
            sum[0] += weight;
            sum[1] += weight * size;
            int run = entries.getInt(i * ENTRY_SIZE + 20);
            liveByRun.computeIfAbsent(run, r -> new HashMap<>()).merge(site, new Counts(1, size), Counts::plus);
        }
    }

    /** What the log holds besides frames. */
    private static final class Log {
        final Map<Integer, Site> sites = new HashMap<>();
        final Map<Integer, Map<Integer, Counts>> checkpoints = new HashMap<>();
        final List<RawPhase> phases = new ArrayList<>();
    }

    private static void readLog(ByteBuffer log, Log into) {
        Map<Integer, RawCFrame> frames = new HashMap<>();
        Map<Integer, RawPyFrame> pythonFrames = new HashMap<>();
        Map<Integer, Site> sites = into.sites;
        int position = 0;
        while (position + 8 <= log.limit()) {
            int type = log.getInt(position);
            int length = log.getInt(position + 4);
            if (type == 0 || length < 8 || position + length > log.limit()) break; // the end, or a record cut short
            ByteBuffer payload = log.slice(position + 8, length - 8).order(ByteOrder.LITTLE_ENDIAN);
            if (type == RECORD_FRAME) readFrame(payload, frames);
            else if (type == RECORD_PYTHON_FRAME) readPythonFrame(payload, pythonFrames);
            else if (type == RECORD_SITE) {
                Site site = readSite(payload, frames, pythonFrames);
                sites.put(site.id(), site);
            } else if (type == RECORD_CHECKPOINT) {
                readCheckpoint(payload, into.checkpoints);
            } else if (type == RECORD_PHASE && payload.limit() >= 16) {
                into.phases.add(new RawPhase(payload.getInt(0), payload.getInt(4), payload.getLong(8)));
            }
            position += length;
        }
    }

    private static void readCheckpoint(ByteBuffer b, Map<Integer, Map<Integer, Counts>> checkpoints) {
        if (b.limit() < 8) return;
        int run = b.getInt(0);
        long entries = Integer.toUnsignedLong(b.getInt(4));
        if (8 + 24 * entries > b.limit()) return;
        Map<Integer, Counts> bySite = new HashMap<>();
        for (int i = 0; i < entries; i++) {
            int at = 8 + 24 * i;
            bySite.put(b.getInt(at), new Counts(b.getLong(at + 8), b.getLong(at + 16)));
        }
        checkpoints.put(run, bySite);
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
