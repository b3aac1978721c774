package dev.wharf.http.files;

import dev.wharf.http.fields.FieldValues;
import dev.wharf.http.fields.Tokens;
import dev.wharf.http.server.Handler;
import dev.wharf.http.server.ServerRequest;
import dev.wharf.http.server.ServerResponse;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Cross-origin resource sharing (the Fetch standard's CORS protocol) in front of another handler:
 * every response names the allowed origin and exposes the headers a script needs to resume or
 * validate a download; a preflight request is answered here, before the handler (and before any
 * authentication it does, since browsers never send credentials with a preflight).
 *
 * <pre>{@code
 * Handler shared = Cors.allow("*", List.of("GET", "HEAD", "OPTIONS"), files);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class Cors implements Handler {

  /** How long a browser may cache a preflight's answer, in seconds. */
  public static final int MAX_AGE_SECONDS = 600;

  /** Response headers a script may read besides the CORS-safelisted ones. */
  static final String EXPOSED = "Content-Length, Content-Range, ETag, Last-Modified, Accept-Ranges";

  private final String origin;
  private final String methods;
  private final Handler next;

  private Cors(String origin, Collection<String> methods, Handler next) {
    this.origin = checkOrigin(origin);
    if (methods.isEmpty() || !methods.stream().allMatch(Tokens::isToken)) {
      throw new IllegalArgumentException("methods are tokens such as GET: " + methods);
    }
    this.methods = String.join(", ", methods);
    this.next = Objects.requireNonNull(next, "handler");
  }

  /**
   * A handler that allows {@code origin} ({@code *} for any) to read the responses of {@code
   * handler}, and answers preflights for {@code methods}.
   *
   * @throws IllegalArgumentException if {@code origin} is neither {@code *}, {@code null} nor an
   *     origin such as {@code https://example.com:8443}
   */
  public static Handler allow(String origin, Collection<String> methods, Handler handler) {
    return new Cors(origin, List.copyOf(methods), handler);
  }

  /**
   * Returns {@code origin} if it can stand in {@code Access-Control-Allow-Origin}: {@code *},
   * {@code null}, or scheme, host and optional port with nothing after.
   *
   * @throws IllegalArgumentException otherwise, saying what an origin looks like
   */
  public static String checkOrigin(String origin) {
    Objects.requireNonNull(origin, "origin");
    if (origin.equals("*") || origin.equals("null")) {
      return origin;
    }
    String problem = "not an origin: '" + origin + "' (an origin is like https://example.com:8443)";
    try {
      URI uri = new URI(origin);
      if (uri.getScheme() == null
          || uri.getHost() == null
          || uri.getRawUserInfo() != null
          || !uri.getRawPath().isEmpty()
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null) {
        throw new IllegalArgumentException(problem);
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(problem, e);
    }
    return origin;
  }

  @Override
  public void handle(ServerRequest request, ServerResponse response) throws Exception {
    response.header("Access-Control-Allow-Origin", origin);
    if (!origin.equals("*")) {
      // Caches must not hand this answer to a page of another origin.
      response.header("Vary", "Origin");
    }
    if (isPreflight(request)) {
      response.header("Access-Control-Allow-Methods", methods);
      allowedHeaders(request)
          .ifPresent(
              requested -> {
                response.header("Access-Control-Allow-Headers", requested);
                response.header("Vary", "Access-Control-Request-Headers");
              });
      response.header("Access-Control-Max-Age", Integer.toString(MAX_AGE_SECONDS));
      response.status(204).end();
      return;
    }
    response.header("Access-Control-Expose-Headers", EXPOSED);
    next.handle(request, response);
  }

  /** An OPTIONS request a browser sends before the real one: it names the method it will use. */
  static boolean isPreflight(ServerRequest request) {
    return request.method().equals("OPTIONS")
        && request.headers().contains("Origin")
        && request.headers().contains("Access-Control-Request-Method");
  }

  /**
   * The requested headers, echoed: a static file server has no reason to refuse any. Left out when
   * they are not a plain list of field names, so nothing odd is copied into our answer.
   */
  private static Optional<String> allowedHeaders(ServerRequest request) {
    List<String> values = request.headers().all("Access-Control-Request-Headers");
    if (values.isEmpty()) {
      return Optional.empty();
    }
    var names = new StringBuilder();
    for (String name : FieldValues.list(values)) { // Empty elements are skipped (§5.6.1).
      if (!Tokens.isToken(name)) {
        return Optional.empty();
      }
      names.append(names.isEmpty() ? "" : ", ").append(name);
    }
    return names.isEmpty() ? Optional.empty() : Optional.of(names.toString());
  }
}
