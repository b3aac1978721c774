package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.classfile.ClassFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The launcher's rewrite of picocli's Java 5 class files (cli/src/launcher/UpgradeClassFiles.java,
 * so the AOT cache can hold them): every class comes out linkable, verifies, and the command line
 * built on it prints exactly what it prints on the original jar.
 */
@Timeout(180)
class UpgradeClassFilesIT {
  private static final Path TOOL = Path.of("src/launcher/UpgradeClassFiles.java");

  @TempDir Path dir;

  @Test
  void picocliRewrittenVerifiesAndTheCommandLinePrintsTheSame() throws Exception {
    Path original =
        Path.of(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path rewritten = dir.resolve("picocli.jar");
    Process tool =
        new ProcessBuilder(java(), TOOL.toString(), original.toString(), rewritten.toString())
            .redirectErrorStream(true)
            .start();
    String said = new String(tool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(tool.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(tool.exitValue()).as(said).isZero();
    assertThat(said).startsWith("upgraded ");

    try (var jar = new ZipFile(rewritten.toFile())) {
      var versions =
          jar.stream()
              .filter(e -> e.getName().endsWith(".class") && !e.getName().startsWith("META-INF/"))
              .map(e -> majorVersion(jar, e))
              .distinct()
              .toList();
      assertThat(versions).containsExactly(ClassFile.JAVA_8_VERSION);
    }

    // The same module path but for picocli; every class picocli's help and parsing use is loaded
    // and verified by the type-checking verifier (stack maps wrong: VerifyError, exit 1).
    String modulePath = System.getProperty("jdk.module.path");
    String swapped =
        String.join(
            File.pathSeparator,
            List.of(modulePath.split(File.pathSeparator)).stream()
                .map(p -> Path.of(p).equals(original) ? rewritten.toString() : p)
                .toList());
    assertThat(swapped).contains(rewritten.toString());
    for (List<String> args : List.of(List.of("--help"), List.of("get", "--help"))) {
      assertThat(run(swapped, args)).as("%s", args).isEqualTo(run(modulePath, args));
    }
  }

  private static int majorVersion(ZipFile jar, java.util.zip.ZipEntry entry) {
    try (var in = jar.getInputStream(entry)) {
      return ClassFile.of().parse(in.readAllBytes()).majorVersion();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String java() {
    return ProcessHandle.current().info().command().orElseThrow();
  }

  /** Exit code and output of {@code wharf ARGS} on this module path. */
  private static String run(String modulePath, List<String> args) throws Exception {
    var command =
        new ArrayList<>(
            List.of(
                java(),
                "-Xshare:off",
                "--enable-native-access=dev.wharf.websocket,dev.wharf.inspect,dev.wharf.packets",
                "-p",
                modulePath,
                "-m",
                "dev.wharf.cli/" + Main.class.getName()));
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() + "\n" + out;
  }
}
