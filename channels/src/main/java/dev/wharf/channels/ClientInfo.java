package dev.wharf.channels;

import java.util.Objects;

/**
 * Who is subscribed, as presence shows it: the connection's id (chosen by the server, unique per
 * connection) and the user it authenticated as ({@code ""} when anonymous). Immutable.
 */
public record ClientInfo(String client, String user) {
  public ClientInfo {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(user, "user");
  }
}
