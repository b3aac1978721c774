import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Bytes a JVM allocated over a JFR recording: the sum over its threads of the growth of {@code
 * jdk.ThreadAllocationStatistics} (recorded at the start and the end of each chunk). Run by
 * bench/h2/per-request as a single-file program: {@code java ThreadAllocation.java rec.jfr}.
 */
public class ThreadAllocation {
  public static void main(String[] args) throws Exception {
    Map<Long, long[]> lowAndHigh = new HashMap<>();
    for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
      if (e.getEventType().getName().equals("jdk.ThreadAllocationStatistics")) {
        long bytes = e.getLong("allocated");
        long[] range =
            lowAndHigh.computeIfAbsent(
                e.getThread("thread").getJavaThreadId(), id -> new long[] {bytes, bytes});
        range[0] = Math.min(range[0], bytes);
        range[1] = Math.max(range[1], bytes);
      }
    }
    long total = 0;
    for (long[] range : lowAndHigh.values()) {
      total += range[1] - range[0];
    }
    System.out.println(total);
  }
}
