package dev.wharf.http.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Routes by method and path: exact paths first, then the longest matching prefix ({@code
 * /static/*}).
 *
 * <p>Filled with {@link #add} on one thread (the builder's); a server gets a {@link #snapshot()},
 * which refuses {@link #add} and so never changes: its lookups are safe on any thread, and a route
 * added to the builder later reaches only servers bound after it.
 */
final class Routes {
  /**
   * A handler, whether it blocks (then it runs on a virtual thread), and whether it reads its body
   * as a stream, up to {@code maxBodyBytes}, instead of whole.
   */
  record Route(Handler handler, boolean blocking, boolean streaming, long maxBodyBytes) {
    Route(Handler handler, boolean blocking) {
      this(handler, blocking, false, -1);
    }
  }

  /** What a lookup found. */
  sealed interface Match permits Found, WrongMethod, NotFound {}

  record Found(Route route) implements Match {}

  record WrongMethod(Set<String> allowed) implements Match {}

  record NotFound() implements Match {}

  private static final NotFound NOT_FOUND = new NotFound();

  // Routes are kept wrapped in their Found, so a lookup that succeeds makes nothing.
  private final Map<String, Map<String, Found>> exact;
  private final List<Map.Entry<String, Map<String, Found>>> prefixes;
  private final boolean frozen;
  private boolean anyStreaming;

  /** Empty routes, to be filled with {@link #add}. */
  Routes() {
    this.exact = new LinkedHashMap<>();
    this.prefixes = new ArrayList<>();
    this.frozen = false;
  }

  private Routes(Routes from) {
    var exactCopy = new LinkedHashMap<String, Map<String, Found>>();
    from.exact.forEach((path, byMethod) -> exactCopy.put(path, Map.copyOf(byMethod)));
    this.exact = Collections.unmodifiableMap(exactCopy);
    this.prefixes =
        from.prefixes.stream().map(e -> Map.entry(e.getKey(), Map.copyOf(e.getValue()))).toList();
    this.anyStreaming = from.anyStreaming;
    this.frozen = true;
  }

  /** An immutable copy of these routes as they are now, for a server to keep. */
  Routes snapshot() {
    return frozen ? this : new Routes(this);
  }

  void add(String method, String path, Route route) {
    if (frozen) {
      throw new IllegalStateException("a server's routes do not change: add to its builder");
    }
    if (!path.startsWith("/") && !path.equals("*")) {
      throw new IllegalArgumentException("a route path starts with /: " + path);
    }
    Map<String, Found> byMethod;
    if (path.endsWith("/*")) {
      String prefix = path.substring(0, path.length() - 1);
      byMethod =
          prefixes.stream()
              .filter(e -> e.getKey().equals(prefix))
              .map(Map.Entry::getValue)
              .findFirst()
              .orElseGet(
                  () -> {
                    var fresh = new LinkedHashMap<String, Found>();
                    prefixes.add(Map.entry(prefix, fresh));
                    // Longest first. Not Comparator.comparingInt: its lambda is serializable,
                    // made at run time by altMetafactory, which the AOT cache does not keep
                    // (2.7 ms of every serve's start).
                    prefixes.sort(
                        (a, b) -> Integer.compare(b.getKey().length(), a.getKey().length()));
                    return fresh;
                  });
    } else {
      byMethod = exact.computeIfAbsent(path, p -> new LinkedHashMap<>());
    }
    anyStreaming |= route.streaming();
    if (byMethod.putIfAbsent(method, new Found(route)) != null) {
      throw new IllegalArgumentException("two routes for " + method + " " + path);
    }
  }

  /** Whether any route streams its body (else no request needs a lookup before its body). */
  boolean anyStreaming() {
    return anyStreaming;
  }

  Match find(String method, String path) {
    Map<String, Found> byMethod = exact.get(path);
    if (byMethod == null) {
      byMethod = longestPrefix(path);
    }
    if (byMethod == null) {
      return NOT_FOUND;
    }
    Found found = byMethod.get(method);
    if (found == null && method.equals("HEAD")) {
      found = byMethod.get("GET"); // RFC 9110 §9.3.2: HEAD is GET without the content.
    }
    if (found != null) {
      return found;
    }
    return new WrongMethod(allowed(byMethod));
  }

  /**
   * The routes of the longest prefix that {@code path} starts with (they are kept longest first).
   */
  private Map<String, Found> longestPrefix(String path) {
    for (Map.Entry<String, Map<String, Found>> prefix : prefixes) {
      if (path.startsWith(prefix.getKey())) {
        return prefix.getValue();
      }
    }
    return null;
  }

  /** Methods some route answers, for {@code OPTIONS *}. */
  Set<String> allMethods() {
    var all = new TreeSet<String>();
    exact.values().forEach(m -> all.addAll(allowed(m)));
    prefixes.forEach(e -> all.addAll(allowed(e.getValue())));
    return all;
  }

  private static Set<String> allowed(Map<String, Found> byMethod) {
    var allowed = new TreeSet<>(byMethod.keySet());
    if (allowed.contains("GET")) {
      allowed.add("HEAD");
    }
    allowed.add("OPTIONS");
    return allowed;
  }
}
