package dev.wharf.http.h2.hpack;

import java.util.HexFormat;

/** Hex strings as the RFC prints them ("8286 8441 ..."), spaces allowed. */
final class Hex {
  private Hex() {}

  static byte[] decode(String hex) {
    return HexFormat.of().parseHex(hex.replace(" ", "").replace("\n", ""));
  }

  static String encode(byte[] octets) {
    return HexFormat.of().formatHex(octets);
  }
}
