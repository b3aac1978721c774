package dev.wharf.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Exact paths first, then the longest prefix, whatever order the routes were added in. */
class RoutesTest {
  private static Routes.Route route() {
    return new Routes.Route((request, response) -> {}, false);
  }

  @Test
  void theLongestPrefixWinsInEveryOrderOfAdding() {
    List<List<String>> orders =
        List.of(
            List.of("/*", "/static/*", "/static/img/*"),
            List.of("/static/img/*", "/static/*", "/*"),
            List.of("/static/*", "/*", "/static/img/*"));
    for (List<String> order : orders) {
      var routes = new Routes();
      var byPrefix = new HashMap<String, Routes.Route>();
      for (String prefix : order) {
        Routes.Route route = route();
        byPrefix.put(prefix, route);
        routes.add("GET", prefix, route);
      }
      Routes.Route exact = route();
      routes.add("GET", "/static/img/logo.png", exact);
      Routes frozen = routes.snapshot();
      for (Routes r : List.of(routes, frozen)) {
        assertThat(found(r, "/static/img/a.png"))
            .as("%s", order)
            .isSameAs(byPrefix.get("/static/img/*"));
        assertThat(found(r, "/static/a.css")).as("%s", order).isSameAs(byPrefix.get("/static/*"));
        assertThat(found(r, "/index.html")).as("%s", order).isSameAs(byPrefix.get("/*"));
        assertThat(found(r, "/static/img/logo.png")).as("%s", order).isSameAs(exact);
      }
    }
  }

  @Test
  void aMethodWithoutARouteIsToldWhichAreAllowed() {
    var routes = new Routes();
    routes.add("GET", "/files/*", route());
    assertThat(routes.find("POST", "/files/a"))
        .isEqualTo(new Routes.WrongMethod(Set.of("GET", "HEAD", "OPTIONS")));
    assertThat(routes.find("GET", "/other")).isInstanceOf(Routes.NotFound.class);
  }

  private static Routes.Route found(Routes routes, String path) {
    return ((Routes.Found) routes.find("GET", path)).route();
  }
}
