package dev.wharf.cli.tls;

import java.nio.file.Path;
import java.util.List;

/** Makes or loads the kept certificate in a directory and prints it; run as its own process. */
public final class MakeSelfSigned {
  private MakeSelfSigned() {}

  public static void main(String[] args) throws Exception {
    var kept = SelfSignedCertificate.loadOrCreate(Path.of(args[0]), List.of("localhost"));
    System.out.println((kept.created() ? "created " : "loaded ") + kept.sha256());
  }
}
