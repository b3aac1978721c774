package dev.wharf.cli.packets;

import dev.wharf.packets.pcap.CapturedPacket;
import dev.wharf.packets.pcap.PcapWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * pcap files written as tcpdump's {@code -w FILE} with {@code -C} and {@code -G}: with {@code -C
 * SIZE}, once a file is over SIZE bytes the next packet starts a new one, named FILE, FILE1, FILE2,
 * ...; with {@code -G SECONDS}, a packet that comes SECONDS or more after the file was opened
 * starts a new one, FILE's strftime conversions ({@code %Y-%m-%d_%H:%M:%S}) filled in with the time
 * it was opened (the numbering of -C starts again). Not thread-safe.
 */
final class RotatingPcap implements AutoCloseable {
  private final String pattern;
  private final int linkType;
  private final int snapLength;
  private final long sizeLimit;
  private final long seconds;
  private final ZoneId zone;
  private OutputStream out;
  private PcapWriter writer;
  private long written;
  private Instant openedAt;
  private int count;

  /**
   * @param sizeLimit bytes after which a new file starts, 0 for none
   * @param seconds how long a file is written before a new one starts, 0 for ever
   */
  RotatingPcap(
      String pattern, int linkType, int snapLength, long sizeLimit, long seconds, ZoneId zone) {
    this.pattern = pattern;
    this.linkType = linkType;
    this.snapLength = snapLength;
    this.sizeLimit = sizeLimit;
    this.seconds = seconds;
    this.zone = zone;
  }

  /** Opens the first file at once, as tcpdump does, so that a wrong path fails before capturing. */
  void start(Instant now) throws IOException {
    open(now);
  }

  void write(CapturedPacket packet, Instant now) throws IOException {
    if (seconds > 0 && !now.isBefore(openedAt.plusSeconds(seconds))) {
      close();
      count = 0;
      open(now);
    } else if (sizeLimit > 0 && written > sizeLimit) {
      close();
      count++;
      open(openedAt);
    }
    writer.write(packet);
    written += 16 + packet.data().length;
  }

  /** The name of the file open now. */
  Path current() {
    return name(openedAt, count);
  }

  private void open(Instant now) throws IOException {
    openedAt = now;
    out = new BufferedOutputStream(Files.newOutputStream(name(now, count)));
    writer = new PcapWriter(out, linkType, snapLength);
    written = 24;
  }

  /** tcpdump's MakeFilename: strftime when -G is given, then the count (none for the first). */
  Path name(Instant time, int number) {
    String name = seconds > 0 ? strftime(pattern, time.atZone(zone)) : pattern;
    return Path.of(number == 0 ? name : name + number);
  }

  /** The conversions people put in tcpdump's -w names; others are kept as written. */
  static String strftime(String pattern, ZonedDateTime time) {
    var out = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c != '%' || i + 1 == pattern.length()) {
        out.append(c);
        continue;
      }
      char conversion = pattern.charAt(++i);
      switch (conversion) {
        case 'Y' -> out.append(String.format("%04d", time.getYear()));
        case 'm' -> out.append(String.format("%02d", time.getMonthValue()));
        case 'd' -> out.append(String.format("%02d", time.getDayOfMonth()));
        case 'H' -> out.append(String.format("%02d", time.getHour()));
        case 'M' -> out.append(String.format("%02d", time.getMinute()));
        case 'S' -> out.append(String.format("%02d", time.getSecond()));
        case 's' -> out.append(time.toEpochSecond());
        case 'j' -> out.append(String.format("%03d", time.getDayOfYear()));
        case '%' -> out.append('%');
        default -> out.append('%').append(conversion);
      }
    }
    return out.toString();
  }

  void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (out != null) {
      out.close();
      out = null;
    }
  }
}
