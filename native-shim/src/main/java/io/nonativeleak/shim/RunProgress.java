package io.nonativeleak.shim;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What a fixture that is still running has recorded so far, summed over its processes: for progress lines
 * of long runs. Read from a few header fields of the data files (layout: format.h, as FileLayout) with positional reads, never a mapping: a file that is still growing or cut short only makes
 * the numbers smaller.
 *
 * @param elapsedMillis since the runner started
 * @param matchedCount  allocations that matched so far
 * @param matchedBytes  their bytes
 * @param liveBytes     matched bytes live at the latest timeline point of the measured run (0 before it)
 */
public record RunProgress(long elapsedMillis, long matchedCount, long matchedBytes, long liveBytes) {
    static RunProgress read(Path runDirectory, long elapsedMillis) {
        long count = 0, bytes = 0, live = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(runDirectory, "proc-*.nnl")) {
            for (Path file : files) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                    ByteBuffer matched = read(channel, FileLayout.HEADER_MATCHED_COUNT, 8);
                    ByteBuffer matchedBytes = read(channel, FileLayout.HEADER_MATCHED_BYTES, 8);
                    ByteBuffer points = read(channel, FileLayout.HEADER_TIMELINE_COUNT, 4);
                    if (matched == null || matchedBytes == null || points == null) continue;
                    count += matched.getLong(0);
                    bytes += matchedBytes.getLong(0);
                    int n = Math.min(points.getInt(0), FileLayout.TIMELINE_POINTS);
                    ByteBuffer last = n > 0 ? read(channel, FileLayout.HEADER_TIMELINE + (long) FileLayout.TIMELINE_POINT_BYTES * (n - 1)
                            + FileLayout.TIMELINE_POINT_LIVE_BYTES, 8) : null;
                    if (last != null) live += last.getLong(0);
                }
            }
        } catch (IOException e) {
            // a file went away as the run ended: report what was read
        }
        return new RunProgress(elapsedMillis, count, bytes, live);
    }

    /** {@code size} bytes at {@code offset}, or null when the file is shorter. */
    private static ByteBuffer read(FileChannel channel, long offset, int size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, offset + buffer.position()) < 0) return null;
        }
        return buffer.flip();
    }
}
