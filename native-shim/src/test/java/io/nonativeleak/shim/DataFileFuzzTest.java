package io.nonativeleak.shim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.nonativeleak.shim.ProcessDataReader.ProcessData;
import io.nonativeleak.shim.testing.TestFixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data-file reader against real data files, damaged the way a wild write by the fixture or a
 * process killed mid-record would damage them: no exception escapes, and a damaged file says so.
 * A fixed seed set runs in CI; {@code -Dnonativeleak.fuzz.iterations=N} runs longer.
 */
class DataFileFuzzTest {
    private static final int HEADER_SIZE = FileLayout.HEADER_SIZE;
    private static final int RESOURCES = FileLayout.RESOURCES_OFFSET;
    private static final int LOG_SEGMENTS_TABLE = RESOURCES + FileLayout.RESOURCES_LOG_SEGMENTS;
    private static final int SHARD_0_TABLE = FileLayout.HEADER_SHARDS + FileLayout.SHARD_HEADER_TABLE_OFFSET;
    private static final int ITERATIONS = Integer.getInteger("nonativeleak.fuzz.iterations", 300);

    @TempDir
    static Path work;
    private static byte[] original;

    /** A real data file: a Python process that leaks through leaky.so from several sites under the shim. */
    @BeforeAll
    static void recordARealFile() throws Exception {
        Path run = Files.createDirectories(work.resolve("run"));
        ProcessBuilder q = new ProcessBuilder(TestFixtures.python(), "-c",
                "import sys; sys.path.insert(0, sys.argv[1]); import leaky\n"
                        + "[leaky.leak(3, 100 + i) for i in range(40)]\n", TestFixtures.directory().toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("out.log").toFile());
        q.environment().put("LD_PRELOAD", Shim.load().library().toString());
        q.environment().put("NONATIVELEAK_RUN_DIR", run.toString());
        Files.writeString(run.resolve("patterns"), "pattern " + TestFixtures.PATTERN + "\n");
        Process child = q.start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(Files.readString(work.resolve("out.log"))).isZero();
        // The Python process's file (python3 may be a wrapper script that runs other programs first).
        ProcessData data = null;
        try (Stream<Path> files = Files.list(run)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.getFileName().toString().endsWith(".nnl"))::iterator) {
                byte[] bytes = Files.readAllBytes(file);
                ProcessData candidate = read(bytes);
                if (candidate != null && candidate.live().count() == 120) {
                    original = bytes;
                    data = candidate;
                }
            }
        }
        assertThat(data).as("no data file holds the 120 blocks").isNotNull();
        assertThat(data.incomplete()).isNull();
        assertThat(data.sites()).isNotEmpty();
        assertThat(data.live().count()).isEqualTo(120);
    }

    private static ProcessData read(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(work, "proc-1-", ".nnl");
        Files.write(file, bytes);
        try {
            return ProcessDataReader.read(file, 0);
        } finally {
            Files.delete(file);
        }
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Where the first log record lies in the file. */
    private static int firstRecord(byte[] bytes) {
        return (int) le(bytes).getLong(LOG_SEGMENTS_TABLE);
    }

    @Test
    void aRecordInFlightLosesNoLaterRecord() throws IOException {
        byte[] bytes = original.clone();
        int at = firstRecord(bytes);
        assertThat(le(bytes).getInt(at)).as("the log begins with a frame record").isEqualTo(FileLayout.RECORD_FRAME);
        le(bytes).putInt(at, 0); // its type not yet stored: killed (or exec'd) mid-record
        ProcessData data = read(bytes);
        assertThat(data.incomplete()).isNull();
        // Every site record after it is still read (main's reader stopped at it and read no site at all).
        assertThat(data.sites()).isNotEmpty();
        assertThat(data.sites().keySet()).containsExactlyInAnyOrderElementsOf(read(original).sites().keySet());
    }

    @Test
    void wildOffsetsSayTheDataIsDamaged() throws IOException {
        for (int field : List.of(SHARD_0_TABLE, LOG_SEGMENTS_TABLE /* log segment 0 */)) {
            for (long wild : List.of(-1L, 3L, (long) original.length + 4096, Long.MAX_VALUE, (long) HEADER_SIZE + 1)) {
                byte[] bytes = original.clone();
                le(bytes).putLong(field, wild);
                ProcessData data = read(bytes);
                if (field == SHARD_0_TABLE && le(original).getLong(SHARD_0_TABLE) == 0) continue;
                assertThat(data.incomplete()).as("offset %d at %d", wild, field).isNotNull();
                assertThat(data.incomplete().reason()).contains("is damaged");
            }
        }
        byte[] bytes = original.clone();
        le(bytes).putInt(firstRecord(bytes) + 4, 1 << 30); // a committed record's length
        assertThat(read(bytes).incomplete().reason()).contains("is damaged").contains("claims a length");
    }

    @Test
    void aFileOfAnotherFormatVersionSaysSoAndYieldsNothingElse() throws IOException {
        byte[] bytes = original.clone();
        le(bytes).putInt(FileLayout.HEADER_VERSION, FileLayout.FILE_VERSION + 1);
        ProcessData data = read(bytes);
        assertThat(data.pid()).isEqualTo(read(original).pid());
        assertThat(data.incomplete()).isNotNull();
        assertThat(data.incomplete().reason()).contains("data format version " + (FileLayout.FILE_VERSION + 1))
                .contains("reads version " + FileLayout.FILE_VERSION).contains("cannot be read");
        assertThat(data.sites()).isEmpty();
        assertThat(data.live().count()).isZero();
        assertThat(data.matched().count()).isZero();
    }

    @Test
    void randomDamageNeverThrows() {
        for (int seed = 0; seed < ITERATIONS; seed++) {
            Random random = new Random(seed);
            byte[] bytes = original.clone();
            int mutations = 1 + random.nextInt(8);
            for (int m = 0; m < mutations; m++) {
                int region = random.nextInt(4);
                int at = switch (region) {
                    case 0 -> random.nextInt(1024 + 1024); // header fields, shard offsets, timeline
                    case 1 -> RESOURCES + random.nextInt(FileLayout.RESOURCES_LOG_SEGMENTS + 8 * 8); // losses, the first segment offsets
                    case 2 -> firstRecord(bytes) + random.nextInt(4096); // records
                    default -> HEADER_SIZE + random.nextInt(Math.max(1, bytes.length - HEADER_SIZE - 8)); // tables
                };
                at = Math.min(at, bytes.length - 8);
                switch (random.nextInt(3)) {
                    case 0 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
                    case 1 -> le(bytes).putLong(at, random.nextLong());
                    default -> le(bytes).putInt(at, random.nextInt(1 << 16));
                }
            }
            if (random.nextInt(5) == 0) bytes = java.util.Arrays.copyOf(bytes, HEADER_SIZE + random.nextInt(bytes.length - HEADER_SIZE));
            byte[] damaged = bytes;
            int s = seed;
            assertThatCode(() -> read(damaged)).as("seed %d", s).doesNotThrowAnyException();
        }
    }
}
