package dev.wharf.packets.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * IPv4 options (RFC 791 §3.1, RFC 2113's router alert) in the words tcpdump's print-ip.c uses, so
 * that {@code -v} and {@code --json} agree with it: {@code "RR 10.0.0.1, 0.0.0.0"}, {@code
 * "timestamp TS{TSONLY 123@ ^ 0@}"}, {@code "NOP"}, {@code "EOL"}, {@code "unknown 130"}. Bad
 * lengths and pointers are marked inside the option's words, as tcpdump marks them. Stateless.
 */
final class Ipv4Options {
  private Ipv4Options() {}

  /** The options in {@code length} bytes from {@code offset}, all of them captured. */
  static List<String> decode(Bytes b, int offset, int length) {
    var options = new ArrayList<String>();
    int at = offset;
    int end = offset + length;
    while (at < end) {
      int code = b.u8(at);
      var text = new StringBuilder(name(code));
      options.add(null); // replaced below, once the option's words are known
      int optionLength = code == 0 || code == 1 ? 1 : at + 1 < end ? b.u8(at + 1) : 0;
      boolean stop = false;
      if (optionLength < 1 || (code > 1 && optionLength < 2) || optionLength > end - at) {
        text.append(" [bad length ").append(optionLength).append(']');
        stop = true; // Where the next option starts is unknown: print-ip.c stops too.
      } else {
        switch (code) {
          case 0 -> stop = true; // End of option list: the rest is padding.
          case 68 -> timestamp(b, at, optionLength, text);
          case 7, 131, 137 -> route(b, at, optionLength, text);
          case 148 -> routerAlert(b, at, optionLength, text);
          default -> {
            // NOP, security and unknown options: their name says all tcpdump says.
          }
        }
      }
      options.set(options.size() - 1, text.toString());
      if (stop) {
        break;
      }
      at += optionLength;
    }
    return List.copyOf(options);
  }

  private static String name(int code) {
    return switch (code) {
      case 0 -> "EOL";
      case 1 -> "NOP";
      case 68 -> "timestamp";
      case 130 -> "security";
      case 7 -> "RR";
      case 137 -> "SSRR";
      case 131 -> "LSRR";
      case 148 -> "RA";
      case 82 -> "traceroute";
      default -> "unknown " + code;
    };
  }

  /** Record route, loose and strict source route: each address, a comma after those filled in. */
  private static void route(Bytes b, int at, int length, StringBuilder text) {
    if (length < 3) {
      text.append(" [bad length ").append(length).append(']');
      return;
    }
    if (((length + 1) & 3) != 0) {
      text.append(" [bad length ").append(length).append(']');
    }
    int pointer = b.u8(at + 2) - 1;
    if (pointer < 3 || ((pointer + 1) & 3) != 0 || pointer > length + 1) {
      text.append(" [bad ptr ").append(b.u8(at + 2)).append(']');
    }
    for (int slot = 3; slot + 4 <= length; slot += 4) {
      text.append(' ').append(b.ipv4(at + slot));
      if (pointer > slot) {
        text.append(',');
      }
    }
  }

  /** RFC 791's timestamp: {@code TS{TSONLY 123@ ^ 0@}}, the caret where the pointer is. */
  private static void timestamp(Bytes b, int at, int length, StringBuilder text) {
    if (length < 4) {
      text.append("[bad length ").append(length).append(']');
      return;
    }
    text.append(" TS{");
    int flag = b.u8(at + 3) & 0x0f;
    int hop = flag == 0 ? 4 : 8;
    if (((length - 4) & (hop - 1)) != 0) {
      text.append("[bad length ").append(length).append(']');
    }
    int pointer = b.u8(at + 2) - 1;
    if (pointer < 4 || ((pointer - 4) & (hop - 1)) != 0 || pointer > length + 1) {
      text.append("[bad ptr ").append(b.u8(at + 2)).append(']');
    }
    int slot = 0;
    String kind =
        switch (flag) {
          case 0 -> "TSONLY";
          case 1 -> "TS+ADDR";
          case 3 -> "PRESPEC";
          default -> null;
        };
    if (kind == null) {
      text.append("[bad ts type ").append(flag).append(']');
    } else {
      text.append(kind);
      for (slot = 4; slot < length; slot += hop) {
        text.append(pointer == slot ? " ^ " : " ");
        if (slot + hop > length) {
          text.append("[|ts]"); // the last slot is cut short by the option's length
          break;
        }
        text.append(b.u32(at + slot + hop - 4)).append('@');
        text.append(hop == 8 ? b.ipv4(at + slot) : "");
      }
    }
    text.append(pointer == slot ? " ^ " : "");
    int overflow = b.u8(at + 3) >> 4;
    text.append(overflow != 0 ? " [" + overflow + " hops not recorded]} " : "}");
  }

  /** RFC 2113's router alert: its value, where not 0 ("examine packet"). */
  private static void routerAlert(Bytes b, int at, int length, StringBuilder text) {
    if (length < 4) {
      text.append(" [bad length ").append(length).append(']');
    } else if (b.u16(at + 2) != 0) {
      text.append(" value ").append(b.u16(at + 2));
    }
  }
}
