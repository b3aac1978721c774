package dev.wharf.http.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedFileTest {
  @TempDir Path dir;

  @Test
  void theFileClosesWhenTheLastShareIsGivenBackWhoeverGivesItLast() throws Exception {
    FileChannel file = open("0123456789");
    var shared = new SharedFile(file);
    FileChannel first = shared.lend();
    FileChannel second = shared.lend();

    shared.close(); // The lender is done queueing; the leases still read.
    first.close();
    first.close(); // Once per lease, however often it is closed.
    assertThat(file.isOpen()).isTrue();
    var out = new ByteArrayOutputStream();
    assertThat(second.transferTo(3, 4, Channels.newChannel(out))).isEqualTo(4);
    assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("3456");

    second.close();
    assertThat(file.isOpen()).isFalse();
  }

  @Test
  void leasesReadAtAPositionAndTellTheSize() throws Exception {
    try (var shared = new SharedFile(open("0123456789"));
        FileChannel lease = shared.lend()) {
      ByteBuffer buffer = ByteBuffer.allocate(3);
      assertThat(lease.read(buffer, 7)).isEqualTo(3);
      assertThat(new String(buffer.array(), StandardCharsets.US_ASCII)).isEqualTo("789");
      assertThat(lease.size()).isEqualTo(10);
    }
  }

  @Test
  void aLenderThatGaveItsShareBackLendsNoMore() throws Exception {
    FileChannel file = open("x");
    var shared = new SharedFile(file);
    shared.close();
    shared.close();
    assertThat(file.isOpen()).isFalse();
    assertThatThrownBy(shared::lend).isInstanceOf(IllegalStateException.class);
  }

  private FileChannel open(String content) throws Exception {
    Path path = Files.writeString(dir.resolve("f"), content);
    return FileChannel.open(path);
  }
}
