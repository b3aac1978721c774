package dev.wharf.cli;

import dev.wharf.testkit.ExternalProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A python3 process alone in a user and network namespace of its own ({@code unshare -r -n}: no
 * root needed), its loopback up and an nftables table {@code inet t} with an input chain {@code
 * in}, holding sockets and rules there as the test asks, one command a line:
 *
 * <pre>
 * listen NAME PORT          a TCP listener on 127.0.0.1:PORT
 * connect NAME PORT         a non-blocking connect to 127.0.0.1:PORT (it may stay in SYN-SENT)
 * accept NAME LISTENER      the next connection LISTENER has (waits up to 20 s)
 * shutdown NAME             shutdown(SHUT_WR): our FIN
 * close NAME                close()
 * port NAME                 the local port of NAME
 * nft ARGS...               nft ARGS (rules: add rule inet t in tcp dport 7 drop; flush chain inet t in)
 * </pre>
 *
 * Each answers {@code ok [VALUE]} or {@code error: WHY}. {@link #inside} runs other commands in the
 * same namespaces (nsenter), so that they see these sockets and only these. {@link #close} ends it;
 * its sockets and the namespace go with it.
 */
public final class NamespacePeer implements AutoCloseable {
  private static final String SCRIPT =
      """
      import os, shlex, socket, subprocess, sys
      held = {}
      def run(words):
          what, args = words[0], words[1:]
          if what == "listen":
              s = socket.socket()
              s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
              s.bind(("127.0.0.1", int(args[1])))
              s.listen(16)
              held[args[0]] = s
          elif what == "connect":
              s = socket.socket()
              s.setblocking(False)
              s.connect_ex(("127.0.0.1", int(args[1])))
              held[args[0]] = s
          elif what == "accept":
              listener = held[args[1]]
              listener.settimeout(20)
              held[args[0]] = listener.accept()[0]
          elif what == "shutdown":
              held[args[0]].shutdown(socket.SHUT_WR)
          elif what == "close":
              held.pop(args[0]).close()
          elif what == "port":
              return str(held[args[0]].getsockname()[1])
          elif what == "nft":
              done = subprocess.run(["nft"] + args, capture_output=True, text=True)
              if done.returncode != 0:
                  raise Exception(done.stderr.strip())
          else:
              raise Exception("unknown command " + what)
          return ""
      print("ready", os.getpid(), flush=True)
      for line in sys.stdin:
          try:
              print(("ok " + run(shlex.split(line))).strip(), flush=True)
          except Exception as e:
              print("error:", e, flush=True)
      """;

  private final ExternalProcess process;
  private final long pid;

  private NamespacePeer(ExternalProcess process, long pid) {
    this.process = process;
    this.pid = pid;
  }

  /** Starts it; returns once its namespace is set up. */
  public static NamespacePeer start() throws IOException {
    String setup =
        "ip link set lo up && nft add table inet t"
            + " && nft add chain inet t in '{ type filter hook input priority 0; }'"
            + " && exec /usr/bin/python3 -c \"$0\"";
    var process = ExternalProcess.command("unshare", "-r", "-n", "sh", "-c", setup, SCRIPT).start();
    try {
      String ready = process.awaitLine(Duration.ofSeconds(20));
      if (ready == null || !ready.startsWith("ready ")) {
        throw new IOException("the namespace did not start: " + ready + " " + process.errors());
      }
      return new NamespacePeer(process, Long.parseLong(ready.substring(6).trim()));
    } catch (IOException | RuntimeException | Error e) {
      process.close();
      throw e;
    }
  }

  /** Runs one command; returns its value (empty when none); fails with its error. */
  public String send(String command) throws IOException {
    process.send(command + "\n");
    String answer = process.awaitLine(Duration.ofSeconds(30));
    if (answer == null || !(answer.equals("ok") || answer.startsWith("ok "))) {
      throw new AssertionError(command + ": " + answer + " " + process.errors());
    }
    return answer.substring(2).trim();
  }

  /** What runs a command in the peer's namespaces: {@code nsenter ... COMMAND}. */
  public List<String> inside(String... command) {
    var full =
        new ArrayList<>(
            List.of("nsenter", "-t", Long.toString(pid), "-U", "-n", "--preserve-credentials"));
    full.addAll(List.of(command));
    return full;
  }

  /** The python process's id (what ss -p names as the sockets' owner). */
  public long pid() {
    return pid;
  }

  @Override
  public void close() {
    process.close();
  }
}
