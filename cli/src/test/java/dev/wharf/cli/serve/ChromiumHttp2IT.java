package dev.wharf.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.channels.protocol.Json;
import dev.wharf.cli.Child;
import dev.wharf.cli.DevTools;
import dev.wharf.cli.EndToEnd;
import dev.wharf.cli.HeadlessChromium;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A browser over HTTP/2: headless Chromium loads a page of 100 assets (images, scripts, style
 * sheets) from {@code wharf serve --tls}, trusting serve's own self-signed certificate by its key
 * ({@code --ignore-certificate-errors-spki-list}, not by ignoring every error). Chromium's network
 * events (the DevTools protocol's {@code Network.responseReceived}) show each response came over
 * {@code h2} on one connection; the page shows every asset loaded; serve's access log shows
 * HTTP/2.0 for each; and the kernel shows one connection to serve's port.
 */
@Timeout(180)
class ChromiumHttp2IT extends EndToEnd {
  private static final int IMAGES = 34;
  private static final int SCRIPTS = 33;
  private static final int STYLES = 33;

  @Test
  void chromiumLoadsAHundredAssetsOverOneHttp2Connection() throws Exception {
    Path www = Files.createDirectory(dir.resolve("www"));
    List<String> assets = writePage(www);
    assertThat(assets).hasSize(100);
    Path out = dir.resolve("serve.out");
    Child serve = wharf(null, out, serveOnLoopbackArgs(www, "--tls"));
    int port = servedPort(out, "https");
    String origin = "https://127.0.0.1:" + port;

    Path profile = Files.createDirectory(dir.resolve("chromium-profile"));
    var chromium =
        HeadlessChromium.open(
            "about:blank",
            profile,
            dir.resolve("chromium.log"),
            List.of(
                "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1",
                "--ignore-certificate-errors-spki-list=" + spkiHash(selfSignedCertificate())));
    try (DevTools devTools = DevTools.attach(profile)) {
      String page = devTools.openInNewContext("about:blank");
      devTools.call(page, "Network.enable", "{}");
      devTools.call(page, "Page.navigate", "{\"url\":" + Json.quote(origin + "/") + "}");
      devTools.await(
          page,
          "every asset loaded",
          "window.scriptsRun === "
              + SCRIPTS
              + " && document.styleSheets.length === "
              + STYLES
              + " && [...document.images].filter(i => i.complete && i.naturalWidth === 8).length"
              + " === "
              + IMAGES
              + " && getComputedStyle(document.getElementById('last')).width === '"
              + STYLES
              + "px'");

      // The page's own view: Resource Timing's protocol of each asset.
      assertThat(
              Json.stringValue(
                  devTools.evaluate(
                      page,
                      "JSON.stringify([...new Set(performance.getEntriesByType('resource')"
                          + ".map(e => e.nextHopProtocol))])")))
          .isEqualTo("[\"h2\"]");
      String others =
          devTools.evaluate(
              page,
              "JSON.stringify(performance.getEntriesByType('resource')"
                  + ".map(e => new URL(e.name).pathname).filter(p => !p.startsWith('/a/')))");
      assertThat(
              devTools.evaluate(
                  page,
                  "performance.getEntriesByType('resource')"
                      + ".filter(e => new URL(e.name).pathname.startsWith('/a/')).length"))
          .as("the assets' resource entries (other entries: %s)", others)
          .isEqualTo("100");

      // The network's view: every response of our origin, its protocol and connection.
      List<Map<String, String>> responses = new ArrayList<>();
      for (var event : devTools.events("Network.responseReceived")) {
        var response = Json.fields(Json.fields(event.get("params")).get("response"));
        String url = Json.stringValue(response.get("url"));
        // The page and its assets; not what Chromium may ask for on its own (a favicon).
        if (url.equals(origin + "/") || url.startsWith(origin + "/a/")) {
          responses.add(response);
        }
      }
      Set<String> urls =
          responses.stream()
              .map(r -> Json.stringValue(r.get("url")).substring(origin.length()))
              .collect(Collectors.toSet());
      assertThat(urls).contains("/").containsAll(assets).hasSize(101);
      assertThat(responses)
          .allSatisfy(
              r -> {
                assertThat(Json.stringValue(r.get("protocol"))).isEqualTo("h2");
                assertThat(r.get("status")).isEqualTo("200");
              });
      assertThat(responses.stream().map(r -> r.get("connectionId")).distinct().toList())
          .as("the connections that carried the page and its assets")
          .hasSize(1);

      // The server's view: each request logged as HTTP/2.0. (Counting serve's sockets with ss
      // would flake: Chromium may open a spare connection it never uses; the connection ids above
      // are the browser's own account of what carried the requests.)
      serve.awaitErr("\"GET /a/[^ ]+ HTTP/2\\.0\" 200 ", 100);
      assertThat(serve.errLines().stream().filter(l -> l.contains("\"GET / HTTP/2.0\" 200 ")))
          .hasSize(1);
      assertThat(serve.errLines().stream().filter(l -> l.contains(" HTTP/1.1\"")))
          .as("nothing over HTTP/1.1")
          .isEmpty();
    } finally {
      chromium.stop(); // before JUnit removes the profile it writes to
    }
    assertThat(chromium.members()).isEmpty();
  }

  /**
   * index.html with 34 images, 33 scripts and 33 style sheets under /a/; their paths. Each script
   * counts itself in {@code window.scriptsRun}; the last style sheet sets #last's width.
   */
  private static List<String> writePage(Path www) throws Exception {
    Path a = Files.createDirectory(www.resolve("a"));
    List<String> paths = new ArrayList<>();
    var html =
        new StringBuilder(
            "<!doctype html><html><head><meta charset=utf-8><title>h2</title>"
                + "<link rel=icon href=\"data:,\">");
    for (int i = 0; i < STYLES; i++) {
      String name = "style-" + i + ".css";
      Files.writeString(
          a.resolve(name), "#last { width: " + (i + 1) + "px; } .s" + i + " { color: #123; }\n");
      html.append("<link rel=stylesheet href=\"/a/").append(name).append("\">");
      paths.add("/a/" + name);
    }
    for (int i = 0; i < SCRIPTS; i++) {
      String name = "script-" + i + ".js";
      Files.writeString(a.resolve(name), "window.scriptsRun = (window.scriptsRun || 0) + 1;\n");
      html.append("<script src=\"/a/").append(name).append("\"></script>");
      paths.add("/a/" + name);
    }
    html.append("</head><body><div id=last></div>");
    for (int i = 0; i < IMAGES; i++) {
      String name = "image-" + i + ".svg";
      Files.writeString(
          a.resolve(name),
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"8\">"
              + "<rect width=\"8\" height=\"8\" fill=\"#"
              + String.format("%06x", i * 7919)
              + "\"/></svg>\n");
      html.append("<img src=\"/a/").append(name).append("\" alt=\"").append(i).append("\">");
      paths.add("/a/" + name);
    }
    html.append("</body></html>\n");
    Files.writeString(www.resolve("index.html"), html);
    return paths;
  }

  /** The certificate serve --tls made for itself, kept under XDG_DATA_HOME. */
  private Path selfSignedCertificate() {
    return dataHome().resolve("wharf/tls/self-signed.crt");
  }

  /** What --ignore-certificate-errors-spki-list names a key by: base64 of SHA-256 of its SPKI. */
  private static String spkiHash(Path certificate) throws Exception {
    try (InputStream in = Files.newInputStream(certificate)) {
      var cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
      byte[] spki = cert.getPublicKey().getEncoded(); // X.509 SubjectPublicKeyInfo, DER
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(spki));
    }
  }
}
