package dev.wharf.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AccessLogEntryTest {

  @Test
  void anIpv6ClientIsLoggedCompressed() {
    var entry =
        new AccessLogEntry(
            new InetSocketAddress("::1", 50000), Instant.EPOCH, "GET / HTTP/1.1", 200, 5, "");
    assertThat(entry.commonLogFormat())
        .startsWith("::1 - - [")
        .endsWith("\"GET / HTTP/1.1\" 200 5");
  }

  /** The time is what java.time's English formatter writes, in any zone (offsets to the minute). */
  @Test
  void theTimeIsTheCommonLogFormatsInTheZoneGiven() {
    var random = new java.util.Random(2000);
    long first = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
    long last = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (String name :
        new String[] {
          "UTC", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Chatham", "Europe/Paris"
        }) {
      var zone = java.time.ZoneId.of(name);
      var oracle =
          java.time.format.DateTimeFormatter.ofPattern(
                  "dd/MMM/yyyy:HH:mm:ss Z", java.util.Locale.US)
              .withZone(zone);
      for (int i = 0; i < 20_000; i++) {
        Instant time = Instant.ofEpochSecond(random.nextLong(first + 86_400, last - 86_400));
        assertThat(AccessLogEntry.commonLogTime(time, zone)).isEqualTo(oracle.format(time));
      }
    }
    assertThat(
            AccessLogEntry.commonLogTime(
                Instant.parse("2000-10-10T20:55:36Z"), java.time.ZoneOffset.ofHours(-7)))
        .isEqualTo("10/Oct/2000:13:55:36 -0700");
  }
}
