package dev.wharf.http.files;

import java.io.File;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * File names read and made as UTF-8, whatever locale the JVM started in. Stateless; any thread.
 *
 * <p>A Linux file name is bytes. The JDK turns them into a String, and back, with the character set
 * of the locale it started in ({@code sun.jnu.encoding}), which under {@code LC_ALL=C} (usual in
 * containers, cron and systemd) is ASCII: a name such as {@code héllo.txt} then cannot be made into
 * a {@link Path} at all, and a listed one reads as {@code h\uFFFD\uFFFDllo.txt}. Setting that
 * property with {@code -D} has no effect (JDK 25). A {@code file:} URI, though, carries a path's
 * bytes themselves, percent-encoded, in both directions; through it names go as UTF-8 bytes, as the
 * web writes them. Names that are not valid UTF-8 stay as the JDK reads them.
 */
final class FileNames {
  /** Whether the JDK already reads names as UTF-8 (Windows keeps names as UTF-16 anyway). */
  private static final boolean NATIVE_UTF8 =
      File.separatorChar == '\\' || isUtf8(System.getProperty("sun.jnu.encoding"));

  private FileNames() {}

  /** The entry {@code name} of {@code directory}, its name written as UTF-8 bytes. */
  static Path resolve(Path directory, String name) {
    if (NATIVE_UTF8 || isAscii(name)) {
      return directory.resolve(name);
    }
    String base = directory.toAbsolutePath().toUri().getRawPath();
    String separator = base.endsWith("/") ? "" : "/";
    return Path.of(URI.create("file://" + base + separator + SafePaths.encode(name)));
  }

  /** The last name of {@code path}, read as UTF-8 where its bytes are UTF-8. */
  static String name(Path path) {
    String name = path.getFileName().toString();
    // ASCII reads alike in every charset the JDK may use for names; anything else (U+FFFD under
    // C, or Latin-1's reading of UTF-8 bytes) is read again from the bytes.
    if (NATIVE_UTF8 || isAscii(name)) {
      return name;
    }
    String raw = path.toAbsolutePath().toUri().getRawPath();
    if (raw.endsWith("/")) {
      raw = raw.substring(0, raw.length() - 1); // A directory's URI ends in a slash.
    }
    return SafePaths.decode(raw.substring(raw.lastIndexOf('/') + 1)).orElse(name);
  }

  private static boolean isUtf8(String charset) {
    try {
      return charset != null && Charset.forName(charset).equals(StandardCharsets.UTF_8);
    } catch (IllegalArgumentException unknown) {
      return false;
    }
  }

  private static boolean isAscii(String name) {
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
