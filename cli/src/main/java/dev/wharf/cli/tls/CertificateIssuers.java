package dev.wharf.cli.tls;

import dev.wharf.core.tls.CertificateIssuer;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolutionException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds the {@link CertificateIssuer} that makes {@code serve --tls}'s self-signed certificate:
 * module {@code dev.wharf.certs} with BouncyCastle, which the build copies into {@code
 * target/lib-tls}, beside the command's jar and apart from its module path ({@code target/lib}). On
 * the module path, BouncyCastle's three signed jars (11 MB, 8,000 entries) were opened at every
 * start of every command, by the first search for a service, and their classes linked into the AOT
 * cache: 20 ms of {@code serve}'s start to its first response and 3.6 MB of its memory (issue 16),
 * for a certificate made once a year. Here they are opened only when one is made.
 *
 * <p>Where the module is on the module path or the class path after all (the tests, a program that
 * put it there), that one is used.
 */
final class CertificateIssuers {
  /** The folder, beside the command's jar (or classes), that holds the issuer and BouncyCastle. */
  static final String FOLDER = "lib-tls";

  static final String MODULE = "dev.wharf.certs";

  private CertificateIssuers() {}

  /** The issuer: on the command's own path, or else loaded from {@link #FOLDER}. */
  static CertificateIssuer find() throws GeneralSecurityException {
    ClassLoader loader = CertificateIssuers.class.getClassLoader();
    Optional<CertificateIssuer> onPath =
        ServiceLoader.load(CertificateIssuer.class, loader).findFirst();
    if (onPath.isPresent()) {
      return onPath.get();
    }
    Path folder = besideTheCommand();
    if (!Files.isDirectory(folder)) {
      throw missing(folder, "no such folder");
    }
    try {
      Module cli = CertificateIssuers.class.getModule();
      Optional<CertificateIssuer> found =
          cli.isNamed() ? inALayer(cli.getLayer(), folder) : onAClassPath(loader, folder);
      return found.orElseThrow(() -> missing(folder, "no " + MODULE + " there"));
    } catch (FindException | ResolutionException | IOException e) {
      throw missing(folder, e.getMessage());
    }
  }

  /** On the module path (./wharf): a layer over the command's, with the folder's modules. */
  private static Optional<CertificateIssuer> inALayer(ModuleLayer parent, Path folder) {
    Configuration configuration =
        parent
            .configuration()
            .resolveAndBind(ModuleFinder.of(folder), ModuleFinder.of(), Set.of(MODULE));
    ModuleLayer layer =
        parent.defineModulesWithOneLoader(configuration, ClassLoader.getSystemClassLoader());
    return ServiceLoader.load(layer, CertificateIssuer.class).findFirst();
  }

  /**
   * On the class path ({@code java -jar wharf-cli.jar}): the folder's jars, read through a loader
   * of their own, whose parent has the core's interface.
   */
  private static Optional<CertificateIssuer> onAClassPath(ClassLoader parent, Path folder)
      throws IOException {
    var urls = new ArrayList<URL>();
    try (Stream<Path> jars = Files.list(folder)) {
      for (Path jar : (Iterable<Path>) jars.filter(p -> p.toString().endsWith(".jar"))::iterator) {
        urls.add(jar.toUri().toURL());
      }
    } catch (MalformedURLException e) {
      throw new IOException(e);
    }
    // Never closed: the issuer's classes are loaded from it as long as the command runs.
    var jars = new URLClassLoader("wharf-certs", urls.toArray(URL[]::new), parent);
    return ServiceLoader.load(CertificateIssuer.class, jars).findFirst();
  }

  /** {@link #FOLDER} beside where this class came from: target/wharf-cli.jar or target/classes. */
  static Path besideTheCommand() throws GeneralSecurityException {
    CodeSource source = CertificateIssuers.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      throw new GeneralSecurityException("cannot tell where the command's jar is");
    }
    try {
      Path location = Path.of(source.getLocation().toURI());
      return location.resolveSibling(FOLDER);
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new GeneralSecurityException("cannot tell where the command's jar is", e);
    }
  }

  private static GeneralSecurityException missing(Path folder, String why) {
    return new GeneralSecurityException(
        "cannot make a self-signed certificate: BouncyCastle and "
            + MODULE
            + " are not in "
            + folder
            + " ("
            + why
            + "); give a certificate with --cert and --key, or rebuild");
  }
}
