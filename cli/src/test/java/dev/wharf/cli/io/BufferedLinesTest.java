package dev.wharf.cli.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BufferedLinesTest {
  /** Counts the writes that would each be a write(2) on a pipe, and keeps what they wrote. */
  private static final class CountingStdout extends OutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int writes;

    @Override
    public void write(int b) {
      writes++;
      bytes.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      writes++;
      bytes.write(b, off, len);
    }
  }

  /** As picocli makes a command's stdout: flushed on every println. */
  private static PrintWriter picocliStdout(OutputStream out) {
    return new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
  }

  @Test
  void aThousandLinesGoOutInAFewWritesWholeAndInOrder() {
    var stdout = new CountingStdout();
    PrintWriter out = BufferedLines.over(picocliStdout(stdout));
    var expected = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      String line = "tcp   ESTAB  0  0  127.0.0.1:" + (10_000 + i) + "  127.0.0.1:8080  ü";
      out.println(line);
      expected.append(line).append(System.lineSeparator());
    }
    assertThat(stdout.writes).as("nothing before the flush but what overflowed").isLessThan(10);
    out.flush();

    assertThat(stdout.bytes.toString(StandardCharsets.UTF_8)).isEqualTo(expected.toString());
    assertThat(stdout.writes).isLessThan(10);
  }

  @Test
  void eachFlushReachesStdoutAtOnce() {
    var stdout = new CountingStdout();
    PrintWriter out = BufferedLines.over(picocliStdout(stdout));
    out.println("{\"event\":\"new\"}");
    out.flush();
    assertThat(stdout.bytes.toString(StandardCharsets.UTF_8)).isEqualTo("{\"event\":\"new\"}\n");
    out.println("{\"event\":\"gone\"}");
    out.flush();
    assertThat(stdout.bytes.toString(StandardCharsets.UTF_8))
        .isEqualTo("{\"event\":\"new\"}\n{\"event\":\"gone\"}\n");
  }

  @Test
  void aClosedPipeIsKeptForCheckErrorAsStdoutKeepsIt() {
    OutputStream closed =
        new OutputStream() {
          @Override
          public void write(int b) throws java.io.IOException {
            throw new java.io.IOException("Broken pipe");
          }
        };
    PrintWriter out = BufferedLines.over(picocliStdout(closed));
    out.println("lost");
    out.flush();
    assertThat(out.checkError()).isTrue();
  }
}
