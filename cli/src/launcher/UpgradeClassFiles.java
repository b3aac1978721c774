import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites a jar's class files older than Java 6 (version 50) as Java 8 ones (version 52), with the
 * stack maps the newer verifier needs computed by the JDK's class-file API; nothing else changes.
 *
 * <p>Why: the JDK's AOT cache (JEP 483) holds only classes it can link ahead of time, which rules
 * out class files verified by the old verifier. picocli ships Java 5 class files, so every {@code
 * wharf} command parsed, verified and interpreted picocli's ~170 classes at start-up; rewritten,
 * they come from the cache like the rest (about a third of {@code wharf --version}'s CPU time).
 *
 * <p>Run by the {@code wharf} launcher with the JDK 25 it found, in source-file mode: {@code java
 * UpgradeClassFiles.java IN.jar OUT.jar}. Exit 0 with OUT written (or "nothing to upgrade" and no
 * OUT), 1 on failure (the launcher then keeps the original jar).
 */
public final class UpgradeClassFiles {
  private static final int OLDEST_LINKABLE = 50;
  private static final int TARGET = ClassFile.JAVA_8_VERSION;

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: java UpgradeClassFiles.java IN.jar OUT.jar");
      System.exit(2);
    }
    Path in = Path.of(args[0]);
    Path out = Path.of(args[1]);
    // Stack maps need the class hierarchy: the JDK's, then the jar's own classes.
    try (var jarClasses = new URLClassLoader(new URL[] {in.toUri().toURL()}, null)) {
      var resolver =
          ClassHierarchyResolver.defaultResolver()
              .orElse(ClassHierarchyResolver.ofResourceParsing(jarClasses));
      var classFiles = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(resolver));
      int upgraded = 0;
      try (var jar = new ZipInputStream(Files.newInputStream(in));
          var rewritten = new ZipOutputStream(Files.newOutputStream(out))) {
        for (ZipEntry entry; (entry = jar.getNextEntry()) != null; ) {
          byte[] bytes = jar.readAllBytes();
          if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
            ClassModel model = classFiles.parse(bytes);
            if (model.majorVersion() < OLDEST_LINKABLE) {
              // Passing every method body through makes the API write it again, with stack maps.
              bytes =
                  classFiles.transformClass(
                      model,
                      ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                          .andThen(ClassTransform.endHandler(c -> c.withVersion(TARGET, 0))));
              upgraded++;
            }
          }
          var copy = new ZipEntry(entry.getName());
          copy.setTime(entry.getTime());
          rewritten.putNextEntry(copy);
          rewritten.write(bytes);
          rewritten.closeEntry();
        }
      }
      if (upgraded == 0) {
        Files.delete(out);
        System.out.println("nothing to upgrade in " + in);
      } else {
        System.out.println("upgraded " + upgraded + " class files of " + in);
      }
    } catch (RuntimeException e) {
      Files.deleteIfExists(out);
      System.err.println("cannot upgrade " + in + ": " + e);
      System.exit(1);
    }
  }
}
