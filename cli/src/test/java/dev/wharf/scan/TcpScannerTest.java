package dev.wharf.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The epoll prober (FFM, one socket connected port after port) against NIO's, in this JVM, on
 * listeners and closed ports of the test's own: with a window smaller than the ports, each of the
 * epoll prober's sockets is refused, reused and finally opened.
 */
@Timeout(120)
class TcpScannerTest {
  private final EventLoopGroup group = new EventLoopGroup(1, "scan-test", true);
  private final List<ServerSocket> listeners = new ArrayList<>();

  @AfterEach
  void close() throws IOException {
    for (ServerSocket listener : listeners) {
      listener.close();
    }
    group.shutdownGracefully(Duration.ofSeconds(5)).join();
  }

  @Test
  void theEpollProberRunsWhereTheTestsRun() {
    // The tests run on Linux with native access for dev.wharf.cli, as ./wharf starts it: the
    // comparisons below compare two probers, not NIO with itself.
    assertThat(TcpScanner.epollAvailable()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "::1"})
  void bothProbersFindTheSameOpenAndClosedPorts(String host) throws Exception {
    InetAddress address = InetAddress.getByName(host);
    var expected = new TreeMap<Integer, PortState>();
    for (int i = 0; i < 3; i++) {
      var listener = new ServerSocket();
      listener.bind(new InetSocketAddress(address, 0));
      listeners.add(listener);
      expected.put(listener.getLocalPort(), PortState.OPEN);
    }
    for (int i = 0; i < 40; i++) {
      // A port just bound and let go: nothing listens there.
      try (var gone = new ServerSocket()) {
        gone.bind(new InetSocketAddress(address, 0));
        expected.putIfAbsent(gone.getLocalPort(), PortState.CLOSED);
      }
    }
    PortList ports = PortList.of(expected.keySet().stream().mapToInt(Integer::intValue).toArray());
    var settings = new TcpScanner.Settings(4, 0, Duration.ofSeconds(5), Duration.ZERO);

    Map<Integer, PortState> epoll = states(new TcpScanner(group, settings, true), address, ports);
    Map<Integer, PortState> nio = states(new TcpScanner(group, settings, false), address, ports);

    assertThat(epoll).isEqualTo(expected);
    assertThat(nio).isEqualTo(expected);
  }

  @Test
  void everyResultIsReportedOnceAndTheProgressCountsUpToAll() throws Exception {
    InetAddress address = InetAddress.getLoopbackAddress();
    var listener = new ServerSocket(0, 50, address);
    listeners.add(listener);
    PortList ports = PortList.parse("1-2000," + listener.getLocalPort());
    var settings = new TcpScanner.Settings(64, 0, Duration.ofSeconds(5), Duration.ZERO);
    var last = new java.util.concurrent.atomic.AtomicInteger();
    var calls = new java.util.concurrent.atomic.AtomicInteger();

    List<PortResult> results =
        new TcpScanner(group, settings, true)
            .scan(
                address,
                ports,
                (finished, total) -> {
                  calls.incrementAndGet();
                  last.accumulateAndGet(finished, Math::max);
                  assertThat(total).isEqualTo(ports.size());
                });

    assertThat(results).hasSize(ports.size()).doesNotContainNull();
    assertThat(results.stream().mapToInt(PortResult::port).toArray()).isEqualTo(ports.ports());
    assertThat(results)
        .filteredOn(result -> result.port() == listener.getLocalPort())
        .singleElement()
        .extracting(PortResult::state)
        .isEqualTo(PortState.OPEN);
    assertThat(calls.get()).isEqualTo(ports.size());
    assertThat(last.get()).isEqualTo(ports.size());
  }

  private static Map<Integer, PortState> states(
      TcpScanner scanner, InetAddress address, PortList ports) throws Exception {
    return scanner.scan(address, ports, TcpScanner.Progress.NONE).stream()
        .collect(Collectors.toMap(PortResult::port, PortResult::state, (a, b) -> a, TreeMap::new));
  }
}
