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

    record ProcessData(int pid, int sequence, int parentPid, long startNanos, int state, int end, int exitStatus,
                       boolean pythonEnabled, String pythonReason, long measureStartNanos, long checkpointNanos,
                       Counts matched, long dropped, String executable, List<TimelinePoint> timeline,
                       Map<Integer, Site> sites, Map<Integer, Counts> liveBySite, Sampling sampling) {
        Counts live() {
            return liveBySite.values().stream().reduce(Counts.NONE, Counts::plus);
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
            int timelineCount = Math.min(h.getInt(128), 512);
            String executable = cString(h, 136, 512);
            String pythonReason = cString(h, 648, 256);
            List<TimelinePoint> timeline = new ArrayList<>();
            int timelineBase = 904 + 16 * SHARDS;
            for (int i = 0; i < timelineCount; i++)
                timeline.add(new TimelinePoint(h.getLong(timelineBase + 16 * i), h.getLong(timelineBase + 16 * i + 8)));
            long sampleBytes = h.getLong(SAMPLING_BLOCK);
            Sampling sampling = sampleBytes > 0 ? new Sampling(sampleBytes, matched) : null;
            if (sampling != null)
                matched = new Counts(Math.round((double) h.getLong(SAMPLING_BLOCK + 8) / SAMPLING_FIXED_POINT), h.getLong(SAMPLING_BLOCK + 16));
            Map<Integer, double[]> weighted = new HashMap<>();
            for (int shard = 0; shard < SHARDS; shard++) {
                long tableOffset = h.getLong(904 + 16 * shard);
                if (tableOffset > 0) readTable(channel, tableOffset, sampling, weighted);
            }
            Map<Integer, Counts> live = new HashMap<>();
            weighted.forEach((site, w) -> live.put(site, new Counts(Math.round(w[0]), Math.round(w[1]))));
            Map<Integer, Site> sites = logUsed > 0 ? readSites(map(channel, logOffset, logUsed)) : Map.of();
            return new ProcessData(pid, sequence, parentPid, start, state, end, exitStatus, python, pythonReason,
                    measureStart, checkpoint, matched, dropped, executable, timeline, sites, live, sampling);
        }
    }

    private static MappedByteBuffer map(FileChannel channel, long offset, long size) throws IOException {
        MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, offset, size);
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        return buffer;
    }

    /** Adds each live entry to its site: as one allocation, or, sampled, as the allocations it stands for. */
    private static void readTable(FileChannel channel, long offset, Sampling sampling, Map<Integer, double[]> live) throws IOException {
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
        }
    }

    private static Map<Integer, Site> readSites(ByteBuffer log) {
        Map<Integer, RawCFrame> frames = new HashMap<>();
        Map<Integer, RawPyFrame> pythonFrames = new HashMap<>();
        Map<Integer, Site> sites = new HashMap<>();
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
            }
            position += length;
        }
        return sites;
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
