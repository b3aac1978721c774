package dev.wharf.cli.dns;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.Transport;
import dev.wharf.dns.DnsQuery;
import dev.wharf.dns.DnsResolver;
import dev.wharf.dns.DnsResponse;
import dev.wharf.dns.NoAnswerException;
import dev.wharf.dns.ResolvConf;
import dev.wharf.dns.codec.Question;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wharf dns}: dig's query side, over UDP with TCP fallback. */
@Command(
    name = "dns",
    mixinStandardHelpOptions = true,
    subcommands = DnsServeCommand.class,
    description = {
      "Asks a DNS server one question and prints the answer as dig does: header, flags, the"
          + " OPT pseudosection, question, answer, authority and additional sections, query time,"
          + " server and size. The words may come in any order, as dig's: NAME, TYPE (A, AAAA,"
          + " MX, TXT, TYPE65534, ...), CLASS, @SERVER[:PORT] (an IPv6 server as @::1 or"
          + " @[::1]:5353) and +options.",
      "The servers come from /etc/resolv.conf unless @SERVER names one. The query goes over UDP"
          + " with a random id and source port; an answer that comes back truncated is asked"
          + " again over TCP. Answers that do not match the question are dropped.",
      "Options: +short (only the answers' data), +tcp, +norec (RD clear), +dnssec (DO set),"
          + " +noedns, +bufsize=N, +time=SECONDS (per try), +tries=N.",
      "Exit status as dig's: 0 for an answer (NXDOMAIN too), 9 when no server answered, 2 for a"
          + " mistake in the command line, 1 for another failure."
    })
public final class DnsCommand implements Callable<Integer> {
  /** dig's exit status when no server replied. */
  static final int NO_REPLY = 9;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      arity = "0..*",
      paramLabel = "WORD",
      description = "NAME, TYPE, CLASS, @SERVER[:PORT] and +options, in any order.")
  List<String> words = new ArrayList<>();

  @Option(names = "-x", paramLabel = "ADDRESS", description = "Reverse lookup (PTR) of an address.")
  String reverse;

  @Option(names = "-p", paramLabel = "PORT", description = "The server's port (default 53).")
  Integer port;

  @Option(names = "-t", paramLabel = "TYPE", description = "The record type, as a word would.")
  String type;

  @Option(names = "--json", description = "Print the response as one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    DnsArgs args = DnsArgs.parse(words, reverse, port, type, json);
    ResolvConf conf = ResolvConf.system();
    List<InetSocketAddress> servers =
        args.server().isPresent()
            ? servers(args.server().get(), args.port())
            : withPort(conf, args);
    PrintWriter out = spec.commandLine().getOut();
    try (var group = new EventLoopGroup(1, "wharf-dns", true);
        DnsResolver resolver =
            DnsResolver.builder(group)
                .servers(servers)
                .timeout(
                    args.timeoutSeconds() > 0
                        ? Duration.ofSeconds(args.timeoutSeconds())
                        : conf.timeout())
                .attempts(args.tries() > 0 ? args.tries() : conf.attempts())
                .build()) {
      DnsQuery query =
          DnsQuery.of(new Question(args.name(), args.type(), args.dnsClass()))
              .withRecursionDesired(args.recurse())
              .withEdns(args.ednsPayload(), args.dnssec())
              .withTcp(args.tcp());
      DnsResponse response;
      try {
        response = resolver.query(query).get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof NoAnswerException noAnswer) {
          PrintWriter err = spec.commandLine().getErr();
          err.println("wharf dns: " + noAnswer.getMessage());
          err.flush();
          return NO_REPLY;
        }
        throw e;
      }
      ZonedDateTime when = ZonedDateTime.now();
      if (args.json()) {
        out.print(DnsJson.of(response, when));
      } else if (args.shortOutput()) {
        out.print(DigText.brief(response.message()));
      } else {
        boolean retried = !args.tcp() && response.transport() == Transport.TCP;
        out.print(
            DigText.full(
                String.join(
                    " ",
                    spec.commandLine()
                        .getParseResult()
                        .originalArgs()
                        .subList(1, spec.commandLine().getParseResult().originalArgs().size())),
                response,
                retried,
                when));
      }
      out.flush();
      return 0;
    }
  }

  /** Every address of the server named on the command line (a name is looked up first). */
  private static List<InetSocketAddress> servers(String host, int port) throws IOException {
    try {
      var servers = new ArrayList<InetSocketAddress>();
      for (InetAddress address : InetAddress.getAllByName(host)) {
        servers.add(new InetSocketAddress(address, port));
      }
      return servers;
    } catch (UnknownHostException e) {
      throw new IOException("couldn't get address for '" + host + "': not found", e);
    }
  }

  private static List<InetSocketAddress> withPort(ResolvConf conf, DnsArgs args) {
    var servers = new ArrayList<InetSocketAddress>();
    for (InetSocketAddress server : conf.servers()) {
      servers.add(new InetSocketAddress(server.getAddress(), args.port()));
    }
    return servers;
  }
}
