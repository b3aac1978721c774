package dev.wharf.cli.channels;

import dev.wharf.channels.Channels;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * The URL of a channels endpoint as {@code sub} and {@code pub} take it: {@code ws://} or {@code
 * wss://} ({@code http://} and {@code https://} mean the same), the path {@code /ws/channels} when
 * none is given. Stateless.
 */
final class ChannelsUrl {
  private ChannelsUrl() {}

  static URI parse(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + text);
    }
    String scheme =
        uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    String ws =
        switch (scheme) {
          case "ws", "http" -> "ws";
          case "wss", "https" -> "wss";
          default ->
              throw new IllegalArgumentException(
                  "expected a ws:// or wss:// URL (as ws://127.0.0.1:8000), got " + text);
        };
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("no host in " + text);
    }
    String path =
        uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/")
            ? Channels.PATH
            : uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    return URI.create(ws + "://" + uri.getRawAuthority() + path + query);
  }
}
