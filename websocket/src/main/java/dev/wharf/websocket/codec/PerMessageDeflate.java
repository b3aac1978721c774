package dev.wharf.websocket.codec;

import java.util.List;
import java.util.Optional;

/**
 * Negotiates permessage-deflate (RFC 7692 §7): the server picks the first offer it can honour, the
 * client checks the server's answer. Stateless and thread-safe.
 *
 * <p>Window limits are honoured both ways: a server accepts {@code server_max_window_bits} of 8..15
 * and says so in its answer (§7.1.2.1), a client offers {@code client_max_window_bits} and
 * compresses with the window the server then names (§7.1.2.2); {@link MessageDeflater} keeps to it.
 * Our own decompressor has a 32 KiB window, which reads what any smaller window wrote, so we never
 * ask the peer for a smaller one.
 */
public final class PerMessageDeflate {
  private PerMessageDeflate() {}

  public static final String NAME = "permessage-deflate";

  /**
   * What was agreed, from one side's point of view.
   *
   * @param localNoContextTakeover our compressor starts afresh for every message
   * @param peerNoContextTakeover the peer's compressor does, so our decompressor may too
   * @param localWindowBits the largest window our compressor may use, 8..15
   * @param header the Sec-WebSocket-Extensions value (the server's response)
   */
  public record Agreement(
      boolean localNoContextTakeover,
      boolean peerNoContextTakeover,
      int localWindowBits,
      String header) {}

  /**
   * The server's choice among the client's offers, or empty to decline them all.
   *
   * @param offers the Sec-WebSocket-Extensions values of the request
   * @param serverNoContextTakeover whether the server wants to compress each message afresh (less
   *     memory per connection, less compression)
   * @param clientNoContextTakeover whether to ask the client to do the same
   */
  public static Optional<Agreement> accept(
      List<String> offers, boolean serverNoContextTakeover, boolean clientNoContextTakeover) {
    List<ExtensionHeader.Extension> parsed;
    try {
      parsed = ExtensionHeader.parse(offers);
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // An unparseable header: go on without extensions.
    }
    for (ExtensionHeader.Extension offer : parsed) {
      if (offer.name().equals(NAME)) {
        Optional<Agreement> agreed =
            acceptOne(offer, serverNoContextTakeover, clientNoContextTakeover);
        if (agreed.isPresent()) {
          return agreed;
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<Agreement> acceptOne(
      ExtensionHeader.Extension offer, boolean serverNoContext, boolean clientNoContext) {
    boolean serverNoContextTakeover = serverNoContext;
    boolean clientNoContextTakeover = clientNoContext;
    int serverWindowBits = -1;
    var seen = new java.util.HashSet<String>();
    for (ExtensionHeader.Param param : offer.params()) {
      // RFC 7692 §7.1: an offer with a parameter twice, or an unknown one, is declined.
      if (!seen.add(param.name())) {
        return Optional.empty();
      }
      switch (param.name()) {
        case "server_no_context_takeover" -> {
          if (param.value().isPresent()) {
            return Optional.empty();
          }
          serverNoContextTakeover = true;
        }
        case "client_no_context_takeover" -> {
          if (param.value().isPresent()) {
            return Optional.empty();
          }
          clientNoContextTakeover = true;
        }
        case "server_max_window_bits" -> {
          serverWindowBits = windowBits(param.value());
          if (serverWindowBits < 0) {
            return Optional.empty();
          }
        }
        case "client_max_window_bits" -> {
          // The client may limit its own window; we need not say anything (§7.1.2.2).
          if (param.value().isPresent() && windowBits(param.value()) < 0) {
            return Optional.empty();
          }
        }
        default -> {
          return Optional.empty();
        }
      }
    }
    var header = new StringBuilder(NAME);
    if (serverNoContextTakeover) {
      header.append("; server_no_context_takeover");
    }
    if (clientNoContextTakeover) {
      header.append("; client_no_context_takeover");
    }
    if (serverWindowBits > 0) {
      // RFC 7692 §7.1.2.1: accepting the limit means answering with it (the same value here).
      header.append("; server_max_window_bits=").append(serverWindowBits);
    }
    return Optional.of(
        new Agreement(
            serverNoContextTakeover,
            clientNoContextTakeover,
            serverWindowBits > 0 ? serverWindowBits : MessageDeflater.MAX_WINDOW_BITS,
            header.toString()));
  }

  /** 8..15, or -1 when the value is missing or out of range. */
  private static int windowBits(Optional<String> value) {
    if (value.isEmpty()) {
      return -1;
    }
    String v = value.get();
    if (v.length() > 2 || v.isEmpty() || !v.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    int bits = Integer.parseInt(v);
    return bits >= 8 && bits <= 15 ? bits : -1;
  }

  /**
   * The client's offer. It always offers {@code client_max_window_bits}, as browsers do: the server
   * may then name a smaller window for our compressor (RFC 7692 §7.1.2.2).
   *
   * @param serverMaxWindowBits 8..15 to ask the server for a smaller window, 0 to leave it
   */
  public static String offer(
      boolean clientNoContextTakeover, boolean serverNoContextTakeover, int serverMaxWindowBits) {
    var offer = new StringBuilder(NAME);
    if (clientNoContextTakeover) {
      offer.append("; client_no_context_takeover");
    }
    if (serverNoContextTakeover) {
      offer.append("; server_no_context_takeover");
    }
    if (serverMaxWindowBits != 0) {
      offer.append("; server_max_window_bits=").append(serverMaxWindowBits);
    }
    return offer.append("; client_max_window_bits").toString();
  }

  /**
   * Checks the server's answer to our offer (RFC 7692 §7.1) and says what was agreed from the
   * client's side; empty when the server accepted no extension.
   *
   * @throws WebSocketException (1010) if the answer is not one we can accept; the client must then
   *     fail the connection
   */
  public static Optional<Agreement> checkResponse(
      List<String> responseValues, boolean clientNoContextTakeover) {
    if (responseValues.isEmpty()) {
      return Optional.empty();
    }
    List<ExtensionHeader.Extension> parsed;
    try {
      parsed = ExtensionHeader.parse(responseValues);
    } catch (IllegalArgumentException e) {
      throw refuse("malformed Sec-WebSocket-Extensions: " + e.getMessage());
    }
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    if (parsed.size() > 1 || !parsed.get(0).name().equals(NAME)) {
      throw refuse("the server accepted extensions we did not offer: " + responseValues);
    }
    boolean localNoContext = clientNoContextTakeover;
    boolean peerNoContext = false;
    int localWindowBits = MessageDeflater.MAX_WINDOW_BITS;
    var seen = new java.util.HashSet<String>();
    for (ExtensionHeader.Param param : parsed.get(0).params()) {
      if (!seen.add(param.name())) {
        throw refuse("parameter " + param.name() + " given twice");
      }
      switch (param.name()) {
        case "server_no_context_takeover" -> peerNoContext = true;
        case "client_no_context_takeover" -> localNoContext = true;
        case "server_max_window_bits" -> {
          if (windowBits(param.value()) < 0) {
            throw refuse("bad server_max_window_bits " + param.value().orElse(""));
          }
        }
        case "client_max_window_bits" -> {
          // RFC 7692 §7.1.2.2: we offered it bare; the answer must name the window, 8..15.
          localWindowBits = windowBits(param.value());
          if (localWindowBits < 0) {
            throw refuse("bad client_max_window_bits " + param.value().orElse(""));
          }
        }
        default -> throw refuse("unknown parameter " + param.name());
      }
    }
    return Optional.of(new Agreement(localNoContext, peerNoContext, localWindowBits, NAME));
  }

  private static WebSocketException refuse(String message) {
    return new WebSocketException(CloseCodes.MANDATORY_EXTENSION, message);
  }
}
