package dev.wharf.cli.packets;

import dev.wharf.packets.pcap.CaptureFileWriter;
import dev.wharf.packets.pcap.CapturedPacket;
import dev.wharf.packets.pcap.FrameConsumer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * Capture files written as tcpdump's {@code -w FILE} with {@code -C}, {@code -G} and {@code -W}:
 * with {@code -C SIZE}, once a file is over SIZE bytes the next packet starts a new one, named
 * FILE, FILE1, FILE2, ...; with {@code -G SECONDS}, a packet that comes SECONDS or more after the
 * file was opened starts a new one, FILE's strftime conversions ({@code %Y-%m-%d_%H:%M:%S}) filled
 * in with the time it was opened (the numbering of -C starts again). {@code -W N} with -C makes a
 * ring of N files, FILE0 to FILE(N-1) (zero-padded to the width of N-1), the oldest overwritten;
 * with -G it ends the capture when the N+1st file would start ({@link #limitReached}). Frames come
 * straight from the capture ring ({@link FrameConsumer}); the clock is theirs. Not thread-safe.
 */
final class RotatingPcap implements FrameConsumer, AutoCloseable {
  private final String pattern;
  private final CaptureFileWriter.Format format;
  private final int linkType;
  private final int snapLength;
  private final String interfaceName;
  private final long sizeLimit;
  private final long seconds;
  private final int fileLimit;
  private final int digits;
  private final ZoneId zone;
  private CaptureFileWriter writer;
  private long openedAt;
  private int count;
  private int timeRotations;
  private boolean limitReached;

  /**
   * @param sizeLimit bytes after which a new file starts, 0 for none
   * @param seconds how long a file is written before a new one starts, 0 for ever
   * @param fileLimit -W: how many files, 0 for no limit
   */
  RotatingPcap(
      String pattern,
      CaptureFileWriter.Format format,
      int linkType,
      int snapLength,
      String interfaceName,
      long sizeLimit,
      long seconds,
      int fileLimit,
      ZoneId zone) {
    this.pattern = pattern;
    this.format = format;
    this.linkType = linkType;
    this.snapLength = snapLength;
    this.interfaceName = interfaceName;
    this.sizeLimit = sizeLimit;
    this.seconds = seconds;
    this.fileLimit = fileLimit;
    this.digits = digits(fileLimit);
    this.zone = zone;
  }

  /** A file without rotation: FILE, in {@code format}. */
  static RotatingPcap single(
      String name, CaptureFileWriter.Format format, int linkType, int snapLength, String iface) {
    return new RotatingPcap(name, format, linkType, snapLength, iface, 0, 0, 0, ZoneId.of("UTC"));
  }

  /** tcpdump's getWflagChars: the digits of N-1, so that the names sort. */
  static int digits(int fileLimit) {
    int digits = 0;
    for (int n = fileLimit - 1; n > 0; n /= 10) {
      digits++;
    }
    return digits;
  }

  /** Opens the first file at once, as tcpdump does, so that a wrong path fails before capturing. */
  void start(Instant now) throws IOException {
    // tcpdump: "We do not need numbering for dumpfiles if Cflag isn't set."
    open(now.getEpochSecond(), sizeLimit > 0 ? digits : 0);
  }

  /** For a packet read or made on the heap. */
  void write(CapturedPacket packet, Instant time) throws IOException {
    byte[] data = packet.data();
    accept(
        ByteBuffer.wrap(data),
        0,
        data.length,
        packet.wireLength(),
        time.getEpochSecond(),
        time.getNano());
  }

  /**
   * Writes a frame, to a new file where its time or the file's size says so.
   *
   * @return false when -W's limit of -G files is reached: the frame is not written
   */
  @Override
  public boolean accept(ByteBuffer memory, int offset, int captured, int wire, long time, int nanos)
      throws IOException {
    if (seconds > 0 && time - openedAt >= seconds) {
      if (fileLimit > 0 && ++timeRotations >= fileLimit) {
        limitReached = true;
        return false;
      }
      close();
      count = 0;
      open(time, 0); // tcpdump: no number on a file -G starts
    } else if (sizeLimit > 0 && writer.size() > sizeLimit) {
      close();
      count++;
      if (fileLimit > 0 && count >= fileLimit) {
        count = 0;
      }
      open(openedAt, digits);
    }
    return writer.accept(memory, offset, captured, wire, time, nanos);
  }

  /** True once -G's files reached -W's limit: tcpdump says "Maximum file limit reached: N". */
  boolean limitReached() {
    return limitReached;
  }

  int fileLimit() {
    return fileLimit;
  }

  private void open(long epochSecond, int width) throws IOException {
    openedAt = epochSecond;
    Path path = name(Instant.ofEpochSecond(epochSecond), count, width);
    var channel =
        FileChannel.open(
            path,
            StandardOpenOption.WRITE,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING);
    writer = new CaptureFileWriter(channel, format, linkType, snapLength, interfaceName, 1 << 20);
  }

  /**
   * tcpdump's MakeFilename: strftime when -G is given, then the count, zero-padded to {@code width}
   * digits (none for the first file when {@code width} is 0).
   */
  private Path name(Instant time, int number, int width) {
    String name = seconds > 0 ? strftime(pattern, time.atZone(zone)) : pattern;
    if (number == 0 && width == 0) {
      return Path.of(name);
    }
    return Path.of(name + String.format("%0" + Math.max(1, width) + "d", number));
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
    writer.flush();
  }

  @Override
  public void close() throws IOException {
    if (writer != null) {
      writer.close();
      writer = null;
    }
  }
}
