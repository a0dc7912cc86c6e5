package io.nonativeleak.shim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Ends every process a run started. A process belongs to the run when it descends from the runner or
 * still carries the run's marker in its environment (a daemon that re-parented itself away), so nothing
 * survives a fixture that forks, daemonises or hangs.
 */
final class ProcessTree {
    /** /proc/PID/stat counts start times in clock ticks since boot: USER_HZ, 100 on Linux x86-64. */
    private static final int TICKS_PER_SECOND = 100;

    private final String environmentMarker;
    private final long startedTicks;

    private ProcessTree(String environmentMarker, long startedTicks) {
        this.environmentMarker = environmentMarker;
        this.startedTicks = startedTicks;
    }

    /**
     * The processes of a run about to start, marked by environmentMarker in their environment. Only a
     * process started after this call can carry it: older ones' environments are never read (reading every
     * process's is what the scan costs, and it grows with the machine's process count).
     */
    static ProcessTree beforeStart(String environmentMarker) {
        long ticks = 0; // unknown: every environment is read
        try {
            String uptime = Files.readString(Path.of("/proc/uptime"), StandardCharsets.ISO_8859_1);
            ticks = (long) (Double.parseDouble(uptime.substring(0, uptime.indexOf(' '))) * TICKS_PER_SECOND)
                    - TICKS_PER_SECOND; // a second's margin for the clocks' rounding
        } catch (IOException | RuntimeException ignored) {
            // keep 0
        }
        return new ProcessTree(environmentMarker, ticks);
    }

    /** Kills the runner and every process of the run until none is left (bounded: a few seconds). */
    void killAll(ProcessHandle runner) {
        for (int round = 0; round < 500; round++) {
            Set<Long> victims = members(runner.pid());
            if (runner.isAlive()) victims.add(runner.pid());
            if (victims.isEmpty()) return;
            for (long pid : victims) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            try {
                Thread.sleep(round < 10 ? 5 : 20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Live (not zombie) descendants of root, and processes of the run whose environment holds the marker. */
    Set<Long> members(long root) {
        Map<Long, List<Long>> children = new HashMap<>();
        Set<Long> result = new TreeSet<>();
        byte[] marker = (environmentMarker + "\0").getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                long pid = Long.parseLong(name);
                String stat = read(entry.resolve("stat"));
                if (stat == null) continue;
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // [0] state, [1] parent, [19] start time
                if (fields[0].equals("Z") || fields[0].equals("X")) continue; // exited, only waiting to be reaped
                children.computeIfAbsent(Long.parseLong(fields[1]), k -> new ArrayList<>()).add(pid);
                if (Long.parseLong(fields[19]) >= startedTicks && pid != ProcessHandle.current().pid()
                        && environmentContains(entry.resolve("environ"), marker)) result.add(pid);
            }
        } catch (IOException e) {
            return result;
        }
        Set<Long> visited = new HashSet<>();
        Deque<Long> pending = new ArrayDeque<>(List.of(root));
        while (!pending.isEmpty()) {
            for (long child : children.getOrDefault(pending.pop(), List.of())) {
                if (visited.add(child)) {
                    result.add(child);
                    pending.push(child);
                }
            }
        }
        return result;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean environmentContains(Path environ, byte[] marker) {
        byte[] content;
        try {
            content = Files.readAllBytes(environ);
        } catch (IOException e) {
            return false;
        }
        outer:
        for (int i = 0; i + marker.length <= content.length; i++) {
            if (i > 0 && content[i - 1] != 0) continue;
            for (int j = 0; j < marker.length; j++) if (content[i + j] != marker[j]) continue outer;
            return true;
        }
        return false;
    }
}
