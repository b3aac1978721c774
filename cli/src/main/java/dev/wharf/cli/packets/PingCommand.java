package dev.wharf.cli.packets;

import dev.wharf.cli.HostPort;
import dev.wharf.packets.AddressText;
import dev.wharf.packets.PacketSocketException;
import dev.wharf.packets.PingEvent;
import dev.wharf.packets.Pinger;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wharf ping}: ICMP or ICMPv6 echo as iputils' ping, or TCP handshakes with --tcp. */
@Command(
    name = "ping",
    mixinStandardHelpOptions = true,
    description = {
      "Sends ICMP (ICMPv6) echo requests to HOST and prints each reply and a summary as iputils'"
          + " ping does, through an unprivileged ping socket where net.ipv4.ping_group_range"
          + " allows it, else a raw socket (CAP_NET_RAW). Linux only.",
      "With --tcp HOST:PORT, times TCP handshakes instead (no privilege needed), for networks"
          + " that drop ICMP.",
      "Exit codes as ping's: 0 when anything answered, 1 when nothing did, 2 for other errors."
    })
public final class PingCommand implements Callable<Integer> {
  static final int NO_REPLY = 1;
  static final int OTHER_ERROR = 2;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "HOST",
      description = "Host name or address; HOST:PORT ([IPV6]:PORT) with --tcp.")
  String host;

  @Option(
      names = "-c",
      paramLabel = "COUNT",
      description = "Stop after COUNT requests (default: until Ctrl-C).")
  Long count;

  @Option(
      names = "-i",
      paramLabel = "SECONDS",
      description = "Wait SECONDS between requests (default: 1; at least 0.002).")
  double intervalSeconds = 1;

  @Option(
      names = "-s",
      paramLabel = "BYTES",
      description = "Data bytes per request (default: 56; 64 with the ICMP header).")
  int payloadBytes = 56;

  @Option(
      names = "-W",
      paramLabel = "SECONDS",
      description = "How long to wait for a reply when none came yet (default: 10).")
  double waitSeconds = 10;

  @Option(names = "-t", paramLabel = "TTL", description = "IP time to live (hop limit), 1-255.")
  Integer ttl;

  @Option(names = "-4", description = "IPv4 only.")
  boolean ipv4;

  @Option(names = "-6", description = "IPv6 only.")
  boolean ipv6;

  @Option(names = "-n", description = "Numeric output: no reverse look-up of addresses.")
  boolean numeric;

  @Option(names = "--tcp", description = "Time TCP handshakes to HOST:PORT instead of ICMP.")
  boolean tcp;

  @Option(
      names = "-v",
      description =
          "Verbose: say on stderr which socket was used (SOCK_DGRAM, a ping socket, or SOCK_RAW),"
              + " as iputils' ping -v names its sockets' type.")
  boolean verbose;

  @Option(
      names = "-q",
      description =
          "Quiet: no line per reply or error, only the first line and the summary, as ping -q.")
  boolean quiet;

  /** What the command line asked for, checked. */
  record Options(
      String host,
      int port,
      long count,
      Duration interval,
      int payloadBytes,
      Duration replyWait,
      int ttl,
      boolean ipv4,
      boolean ipv6,
      boolean numeric,
      boolean tcp,
      boolean verbose,
      boolean quiet) {}

  /** Parses and checks the arguments; starts nothing. */
  Options options() {
    if (ipv4 && ipv6) {
      throw new IllegalArgumentException("-4 and -6 exclude each other");
    }
    if (count != null && count < 1) {
      throw new IllegalArgumentException("-c must be at least 1, got " + count);
    }
    if (!(intervalSeconds >= 0.002) || intervalSeconds > 86_400) {
      throw new IllegalArgumentException(
          "-i must be 0.002 to 86400 seconds, got " + intervalSeconds);
    }
    if (payloadBytes < 0 || payloadBytes > 65_507) {
      throw new IllegalArgumentException("-s must be 0 to 65507 bytes, got " + payloadBytes);
    }
    if (!(waitSeconds > 0) || waitSeconds > 86_400) {
      throw new IllegalArgumentException(
          "-W must be above 0 and at most 86400, got " + waitSeconds);
    }
    if (ttl != null && (ttl < 1 || ttl > 255)) {
      throw new IllegalArgumentException("-t must be 1 to 255, got " + ttl);
    }
    String target = host;
    int port = 0;
    if (tcp) {
      HostPort parsed = HostPort.parse(host, "");
      if (parsed.host().isEmpty() || parsed.port() == 0) {
        throw new IllegalArgumentException(
            "--tcp needs HOST:PORT with a port 1-65535, got " + host);
      }
      target = parsed.host();
      port = parsed.port();
    } else {
      target = HostPort.host(host);
    }
    return new Options(
        target,
        port,
        count == null ? 0 : count,
        Duration.ofNanos(Math.round(intervalSeconds * 1e9)),
        payloadBytes,
        Duration.ofNanos(Math.round(waitSeconds * 1e9)),
        ttl == null ? 0 : ttl,
        ipv4,
        ipv6,
        numeric,
        tcp,
        verbose,
        quiet);
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Options options;
    InetAddress address;
    try {
      options = options();
    } catch (IllegalArgumentException e) {
      err.println("wharf ping: " + e.getMessage());
      err.flush();
      return OTHER_ERROR;
    }
    try {
      address = resolve(options);
    } catch (UnknownHostException e) {
      err.println("wharf ping: " + e.getMessage());
      err.flush();
      return OTHER_ERROR;
    }
    var run = new PingRun(options, address, out, err);
    try {
      return options.tcp() ? run.tcp() : run.icmp();
    } catch (PacketSocketException e) {
      err.println("wharf ping: " + e.getMessage());
      err.flush();
      return OTHER_ERROR;
    }
  }

  private static InetAddress resolve(Options options) throws UnknownHostException {
    InetAddress[] all;
    try {
      all = InetAddress.getAllByName(options.host());
    } catch (UnknownHostException e) {
      throw new UnknownHostException(options.host() + ": Name or service not known");
    }
    Optional<InetAddress> chosen =
        Arrays.stream(all)
            .filter(a -> !options.ipv4() || a instanceof Inet4Address)
            .filter(a -> !options.ipv6() || a instanceof Inet6Address)
            .findFirst();
    return chosen.orElseThrow(
        () ->
            new UnknownHostException(
                options.host() + ": Address family for hostname not supported"));
  }

  /** One run: the loop of sends and waits, its statistics, and the Ctrl-C summary. */
  private static final class PingRun {
    private final Options options;
    private final InetAddress address;
    private final PrintWriter out;
    private final PrintWriter err;
    private final PingStatistics statistics = new PingStatistics();
    private final boolean literal;
    private volatile long start; // when the first request went, as ping's start_time
    private volatile long lastSend;

    PingRun(Options options, InetAddress address, PrintWriter out, PrintWriter err) {
      this.options = options;
      this.address = address;
      this.out = out;
      this.err = err;
      this.literal = isLiteral(options.host());
    }

    int icmp() throws PacketSocketException {
      try (Pinger pinger = Pinger.open(address, options.payloadBytes(), options.ttl())) {
        if (options.verbose()) {
          // Which of the two net.ipv4.ping_group_range and CAP_NET_RAW allowed: the first
          // question when a ping works as root and not as a user, or the other way round.
          err.println(
              pinger.isRaw()
                  ? "wharf ping: socket: SOCK_RAW (a raw socket, CAP_NET_RAW)"
                  : "wharf ping: socket: SOCK_DGRAM (an unprivileged ping socket)");
          err.flush();
        }
        String shown = AddressText.of(address);
        if (pinger.isIpv6()) {
          out.printf(
              "PING %s(%s) %d data bytes%n", options.host(), name(address), options.payloadBytes());
        } else {
          out.printf(
              "PING %s (%s) %d(%d) bytes of data.%n",
              options.host(), shown, options.payloadBytes(), options.payloadBytes() + 28);
        }
        out.flush();
        return loop(
            sequence -> {
              try {
                pinger.send(sequence);
              } catch (PacketSocketException e) {
                // As ping's pinger(): a request the kernel refused (a local firewall's EPERM)
                // counts as sent and lost; only other errors are said, on stderr.
                if (!e.isPermissionDenied()) {
                  err.println("wharf ping: " + e.getMessage());
                  err.flush();
                }
              }
              return null;
            },
            deadline -> pinger.await(deadline));
      }
    }

    int tcp() throws PacketSocketException {
      var target = new InetSocketAddress(address, options.port());
      out.printf(
          "TCP PING %s (%s) port %d%n", options.host(), AddressText.of(address), options.port());
      out.flush();
      var pending = new java.util.ArrayDeque<PingEvent>();
      return loop(
          sequence -> {
            pending.add(handshake(target, sequence));
            return null;
          },
          deadline -> Optional.ofNullable(pending.poll()));
    }

    /** One TCP connect, timed; a refusal is an error, silence until -W is a loss. */
    private PingEvent handshake(InetSocketAddress target, int sequence) {
      long started = System.nanoTime();
      try (var socket = new Socket()) {
        socket.connect(target, (int) Math.max(1, options.replyWait().toMillis()));
        return new PingEvent.EchoReply(
            address, sequence & 0xffff, 0, -1, Duration.ofNanos(System.nanoTime() - started));
      } catch (ConnectException e) {
        return new PingEvent.IcmpError(address, sequence & 0xffff, "Connection refused");
      } catch (SocketTimeoutException e) {
        return null;
      } catch (IOException e) {
        return new PingEvent.IcmpError(address, sequence & 0xffff, e.getMessage());
      }
    }

    interface Sender {
      Void send(int sequence) throws PacketSocketException;
    }

    interface Receiver {
      Optional<PingEvent> await(long deadlineNanos) throws PacketSocketException;
    }

    /**
     * iputils' main loop: a request every interval until the count; then, as ping's schedule_exit,
     * wait for the outstanding replies max(2 × the longest round trip, interval) when some came
     * back, else -W. Ctrl-C prints the summary from a shutdown hook.
     */
    private int loop(Sender sender, Receiver receiver) throws PacketSocketException {
      Thread summaryOnCtrlC =
          new Thread(
              () -> {
                synchronized (statistics) {
                  out.print(summary());
                  out.flush();
                  Runtime.getRuntime().halt(statistics.exitCode());
                }
              },
              "wharf-ping-summary");
      Runtime.getRuntime().addShutdownHook(summaryOnCtrlC);
      long interval = options.interval().toNanos();
      start = System.nanoTime();
      lastSend = start;
      long nextSend = start;
      int sequence = 0;
      while (true) {
        long now = System.nanoTime();
        boolean allSent = options.count() > 0 && statistics.transmitted() >= options.count();
        if (!allSent && now - nextSend >= 0) {
          sequence++;
          synchronized (statistics) {
            statistics.sent();
            lastSend = now;
          }
          sender.send(sequence);
          nextSend += interval;
          continue;
        }
        if (options.count() > 0 && statistics.received() + statistics.errors() >= options.count()) {
          break;
        }
        long deadline;
        if (allSent) {
          long linger =
              statistics.received() > 0
                  ? Math.max(2 * statistics.max().toNanos(), interval)
                  : options.replyWait().toNanos();
          deadline = lastSend + linger;
          if (now - deadline >= 0) {
            break;
          }
        } else {
          deadline = nextSend;
        }
        Optional<PingEvent> event = receiver.await(deadline);
        if (event.isPresent()) {
          print(event.get());
        } else if (options.tcp() && !allSent) {
          // A TCP probe that timed out has nothing to show; wait for the next one's turn.
          sleepUntil(deadline);
        }
      }
      try {
        Runtime.getRuntime().removeShutdownHook(summaryOnCtrlC);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C came meanwhile: the hook prints the summary.
        return statistics.exitCode();
      }
      synchronized (statistics) {
        out.print(summary());
        out.flush();
      }
      return statistics.exitCode();
    }

    private void print(PingEvent event) {
      synchronized (statistics) {
        switch (event) {
          case PingEvent.EchoReply reply -> {
            boolean duplicate = statistics.replied(reply.sequence(), reply.roundTrip());
            var line = new StringBuilder();
            if (options.tcp()) {
              line.append("connected to ")
                  .append(name(reply.from()))
                  .append(" port ")
                  .append(options.port())
                  .append(": tcp_seq=")
                  .append(reply.sequence());
            } else {
              line.append(reply.bytes())
                  .append(" bytes from ")
                  .append(name(reply.from()))
                  .append(": icmp_seq=")
                  .append(reply.sequence());
              if (reply.ttl() >= 0) {
                line.append(" ttl=").append(reply.ttl());
              }
            }
            if (timed()) {
              line.append(" time=").append(PingStatistics.time(reply.roundTrip()));
            }
            if (duplicate) {
              line.append(" (DUP!)");
            }
            if (!options.quiet()) {
              out.println(line);
            }
          }
          case PingEvent.IcmpError error -> {
            statistics.error();
            if (!options.quiet()) {
              out.println(
                  "From "
                      + name(error.from())
                      + (options.tcp() ? " tcp_seq=" : " icmp_seq=")
                      + error.sequence()
                      + " "
                      + error.description());
            }
          }
        }
        out.flush();
      }
    }

    /** ping times replies only when the payload holds its timestamp (16 bytes or more). */
    private boolean timed() {
      return options.tcp() || options.payloadBytes() >= 16;
    }

    private String summary() {
      String title =
          options.tcp() ? options.host() + ":" + options.port() + " tcp" : options.host();
      return statistics.summary(title, Duration.ofNanos(Math.max(0, lastSend - start)), timed());
    }

    /** As ping's pr_addr: the address alone for a literal or -n, else "name (address)". */
    private String name(InetAddress from) {
      String text = AddressText.of(from);
      if (literal || options.numeric()) {
        return text;
      }
      try {
        String reverse = InetAddress.getByAddress(from.getAddress()).getHostName();
        return reverse.equals(from.getHostAddress()) ? text : reverse + " (" + text + ")";
      } catch (UnknownHostException e) {
        return text;
      }
    }

    private static boolean isLiteral(String host) {
      return host.matches("[0-9.]+") || host.contains(":");
    }

    private static void sleepUntil(long deadline) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        try {
          Thread.sleep(Duration.ofNanos(left));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new UncheckedIOException(new IOException("interrupted"));
        }
      }
    }
  }
}
