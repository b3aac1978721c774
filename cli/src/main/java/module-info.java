/**
 * The {@code wharf} command line: picocli commands over Wharf's engine, HTTP and WebSocket modules.
 *
 * <p>A program, not a library: it exports nothing but its logging set-up, to java.logging, which
 * instantiates it. The launcher runs it as {@code -m dev.wharf.cli/dev.wharf.cli.Main}; the
 * packages whose classes picocli builds commands from (annotated fields, mixins, the version
 * provider, the size converter) are opened to picocli alone, {@code dev.wharf.cli.io} to no one.
 */
@SuppressWarnings("requires-automatic")
module dev.wharf.cli {
  requires dev.wharf.core;
  requires dev.wharf.http;
  requires dev.wharf.websocket;
  requires dev.wharf.channels; // serve --channels, sub, pub
  requires dev.wharf.inspect; // wharf sockets, wharf audit
  requires dev.wharf.dns; // wharf dns
  requires dev.wharf.packets; // wharf ping, wharf trace
  requires dev.wharf.load; // wharf bench
  requires java.logging; // Main sets up java.util.logging's one-line format
  requires info.picocli;
  // Only to make a self-signed certificate for "serve --tls": the certificate builder (pkix, which
  // requires bcutil transitively) and the X.509 ASN.1 types it takes (bcprov, which pkix requires
  // but does not pass on).
  // Signals: sun.misc.Signal, reached by reflection (serve's second Ctrl-C, dns serve's SIGHUP).
  // Not "requires static": a static dependency is not resolved at run time, and on the module path
  // only modules some descriptor requires are, so without this line Class.forName would not find
  // it and those signals would keep their default effect.
  requires jdk.unsupported;
  // serve --admin: /metrics through the Prometheus Java client (automatic modules: their jars
  // name themselves in the manifest), and uPlot's WebJar, whose files the dashboard serves (a
  // jar of resources only, named after its file; required so that it is resolved at run time).
  requires io.prometheus.metrics.core;
  requires io.prometheus.metrics.config; // the metric builders and the writer read it
  requires io.prometheus.metrics.model;
  requires io.prometheus.writer.text;
  requires uplot;

  // serve --tls's self-signed certificate: module dev.wharf.certs (BouncyCastle), read from
  // target/lib-tls in a layer of its own when one is made, and not from the module path.
  uses dev.wharf.core.tls.CertificateIssuer;

  // java.util.logging instantiates the command's configuration and handler by reflection.
  exports dev.wharf.cli.logging to
      java.logging;

  opens dev.wharf.cli to
      info.picocli;
  opens dev.wharf.cli.admin to
      info.picocli;
  opens dev.wharf.cli.audit to
      info.picocli;
  opens dev.wharf.cli.bench to
      info.picocli;
  opens dev.wharf.cli.channels to
      info.picocli;
  opens dev.wharf.cli.dns to
      info.picocli;
  opens dev.wharf.cli.get to
      info.picocli;
  opens dev.wharf.cli.packets to
      info.picocli;
  opens dev.wharf.cli.scan to
      info.picocli;
  opens dev.wharf.cli.serve to
      info.picocli;
  opens dev.wharf.cli.socket to
      info.picocli;
  opens dev.wharf.cli.sockets to
      info.picocli;
  opens dev.wharf.cli.tls to
      info.picocli;
  opens dev.wharf.cli.ws to
      info.picocli;
}
