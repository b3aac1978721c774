package dev.wharf.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A size as people write it on a command line: {@code 512}, {@code 64K}, {@code 10MiB}, {@code 2G}
 * (powers of 1024, as curl's and nginx's sizes).
 */
public final class ByteSize implements ITypeConverter<Long> {
  @Override
  public Long convert(String text) {
    return parse(text);
  }

  static long parse(String text) {
    String t = text.trim().toUpperCase(Locale.ROOT);
    int shift = 0;
    for (String[] unit :
        new String[][] {
          {"KIB", "10"},
          {"MIB", "20"},
          {"GIB", "30"},
          {"TIB", "40"},
          {"K", "10"},
          {"M", "20"},
          {"G", "30"},
          {"T", "40"},
          {"B", "0"}
        }) {
      if (t.endsWith(unit[0])) {
        t = t.substring(0, t.length() - unit[0].length()).trim();
        shift = Integer.parseInt(unit[1]);
        break;
      }
    }
    long value;
    try {
      value = Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw new TypeConversionException("not a size: '" + text + "' (try 100M or 2G)");
    }
    if (value < 0 || (shift > 0 && value > (Long.MAX_VALUE >> shift))) {
      throw new TypeConversionException("size out of range: '" + text + "'");
    }
    return value << shift;
  }

  /**
   * A WebSocket message or frame limit from a flag: held whole in one array, so 1 byte to 2G.
   *
   * @throws IllegalArgumentException naming the flag, when out of range
   */
  public static long messageLimit(String flag, long bytes) {
    if (bytes < 1 || bytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(flag + " must be between 1 byte and 2G");
    }
    return bytes;
  }

  /** {@code 1.5 MiB}: the way progress bars and messages show sizes. */
  public static String format(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double value = bytes;
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
