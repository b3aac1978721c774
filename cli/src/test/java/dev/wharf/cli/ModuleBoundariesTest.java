package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.core.EventLoop;
import dev.wharf.http.Headers;
import dev.wharf.websocket.WebSocket;
import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.StringEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.lang.constant.ClassDesc;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.AnnotatedElement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What dev.wharf.cli's descriptor promises, seen from inside the module (surefire and failsafe
 * patch the tests into it on the module path; on the class path the first test fails): it exports
 * nothing, it opens to picocli exactly the packages of the classes picocli reflects on, and no
 * class of it reaches a package that another module does not export to it, neither in its code nor
 * by a class name in a string (as {@code Class.forName} takes). The scan reads the module's own
 * class files, as built, not the tests patched in.
 */
class ModuleBoundariesTest {
  private static final Module CLI = Main.class.getModule();
  private static final Module PICOCLI = picocli.CommandLine.class.getModule();

  @Test
  void theTestsRunInsideTheNamedCliModule() {
    assertThat(CLI.getName()).isEqualTo("dev.wharf.cli");
    assertThat(getClass().getModule()).isSameAs(CLI);
    assertThat(PICOCLI.getName()).isEqualTo("info.picocli");
    assertThat(CLI.canRead(EventLoop.class.getModule())).isTrue();
  }

  @Test
  void aProgramExportsNothingButItsLoggingSetUpToJavaLogging() {
    // java.util.logging instantiates the configuration and the handler by reflection.
    assertThat(CLI.getDescriptor().exports())
        .singleElement()
        .satisfies(
            export -> {
              assertThat(export.source()).isEqualTo("dev.wharf.cli.logging");
              assertThat(export.targets()).containsOnly("java.logging");
            });
    assertThat(CLI.isExported(Main.class.getPackageName())).isFalse();
    assertThat(CLI.isExported("dev.wharf.cli.logging")).isFalse();
  }

  @Test
  void picocliMayReflectOnTheCommandPackagesAndNoOthers() throws IOException {
    var reflectedOn = new TreeSet<String>();
    for (String name : classNames()) {
      Class<?> type = Class.forName(CLI, name);
      if (picocliReflectsOn(type)) {
        reflectedOn.add(type.getPackageName());
      }
    }
    assertThat(reflectedOn)
        .contains("dev.wharf.cli", "dev.wharf.cli.serve", "dev.wharf.cli.tls", "dev.wharf.cli.dns");

    var opened = new TreeMap<String, Set<String>>();
    CLI.getDescriptor().opens().forEach(open -> opened.put(open.source(), open.targets()));
    assertThat(opened.keySet()).containsExactlyElementsOf(reflectedOn);
    assertThat(opened.values())
        .allSatisfy(targets -> assertThat(targets).containsOnly("info.picocli"));
    for (String pkg : CLI.getPackages()) {
      assertThat(CLI.isOpen(pkg, PICOCLI)).as(pkg).isEqualTo(reflectedOn.contains(pkg));
    }
  }

  @Test
  void noClassReachesAPackageItsModuleKeepsFromCli() throws IOException {
    Map<String, Module> owners = new HashMap<>();
    for (Module module : CLI.getLayer().modules()) {
      module.getPackages().forEach(pkg -> owners.put(pkg, module));
    }
    var reached = new ArrayList<String>();
    var refused = new ArrayList<String>();
    try (ModuleReader reader = builtModule().open()) {
      for (String file : classFiles(reader)) {
        byte[] bytes;
        try (InputStream in = reader.open(file).orElseThrow()) {
          bytes = in.readAllBytes();
        }
        for (Reference ref : references(bytes)) {
          Module owner = owners.get(ref.pkg());
          if (owner == null) {
            // A string such as "java.util.logging.SimpleFormatter.format" names no class; code
            // always names a package some module holds.
            assertThat(ref.inString()).as("%s names %s, in no module", file, ref.pkg()).isTrue();
            continue;
          }
          reached.add(ref.pkg());
          boolean allowed =
              owner == CLI
                  || (owner.isExported(ref.pkg(), CLI) && (ref.inString() || CLI.canRead(owner)))
                  || (ref.inString() && NAMED_FOR_THE_JDK.contains(ref.name()));
          if (!allowed) {
            refused.add(file + " -> " + ref.pkg() + " (" + owner.getName() + ")");
          }
        }
      }
    }
    // The scan sees what it must: code references, the reflective sun.misc.Signal and the
    // selector provider named for the JDK.
    assertThat(reached)
        .contains("dev.wharf.core", "dev.wharf.http.client", "sun.misc", "sun.nio.ch");
    assertThat(refused).isEmpty();
  }

  @Test
  void aPublicClassOfCoreInternalIsRefusedToCli() throws ReflectiveOperationException {
    Module core = EventLoop.class.getModule();
    assertThat(core.isExported("dev.wharf.core.internal", CLI)).isFalse();
    var constructor =
        Class.forName("dev.wharf.core.internal.BufferPool").getConstructor(int.class, int.class);
    assertThatThrownBy(() -> constructor.newInstance(1024, 1))
        .isInstanceOf(IllegalAccessException.class)
        .hasMessageContaining("does not export dev.wharf.core.internal to module dev.wharf.cli");
    // The HTTP codec is exported to cli (wharf trace reads first lines with it); HPACK to no one.
    assertThat(Headers.class.getModule().isExported("dev.wharf.http.codec", CLI)).isTrue();
    assertThat(Headers.class.getModule().isExported("dev.wharf.http.h2.hpack", CLI)).isFalse();
  }

  @Test
  void theSignalModuleIsRequiredSoThatItIsResolvedOnTheModulePath() {
    // A "requires static" would compile as well and leave jdk.unsupported out of the graph that
    // `java -m dev.wharf.cli` resolves: CtrlCTwice would then find no sun.misc.Signal.
    assertThat(CLI.getDescriptor().requires())
        .filteredOn(requires -> requires.name().equals("jdk.unsupported"))
        .singleElement()
        .satisfies(requires -> assertThat(requires.modifiers()).isEmpty());
  }

  @Test
  void nativeAccessIsEnabledForTheDeflaterTheNetlinkSocketAndThePacketSockets() {
    // As the launcher grants it (--enable-native-access=dev.wharf.websocket,dev.wharf.inspect,
    // dev.wharf.packets); without it the first small-window deflate prints a warning, sockets
    // falls back to /proc, and ping cannot open its socket.
    assertThat(WebSocket.class.getModule().isNativeAccessEnabled()).isTrue();
    assertThat(ModuleLayer.boot().findModule("dev.wharf.inspect"))
        .hasValueSatisfying(inspect -> assertThat(inspect.isNativeAccessEnabled()).isTrue());
    assertThat(ModuleLayer.boot().findModule("dev.wharf.packets"))
        .hasValueSatisfying(packets -> assertThat(packets.isNativeAccessEnabled()).isTrue());
    // dns serve's UDP loop (recvmmsg): without it, a warning at start.
    assertThat(ModuleLayer.boot().findModule("dev.wharf.dns"))
        .hasValueSatisfying(dns -> assertThat(dns.isNativeAccessEnabled()).isTrue());
  }

  /** Picocli instantiates it (a command, mixin, converter, version provider) or sets its fields. */
  private static boolean picocliReflectsOn(Class<?> type) {
    return Stream.of(type.getInterfaces()).anyMatch(ModuleBoundariesTest::isPicocli)
        || hasPicocliAnnotation(type)
        || Stream.of(type.getDeclaredFields()).anyMatch(ModuleBoundariesTest::hasPicocliAnnotation)
        || Stream.of(type.getDeclaredMethods())
            .anyMatch(ModuleBoundariesTest::hasPicocliAnnotation);
  }

  private static boolean hasPicocliAnnotation(AnnotatedElement element) {
    return Arrays.stream(element.getAnnotations())
        .anyMatch(annotation -> isPicocli(annotation.annotationType()));
  }

  private static boolean isPicocli(Class<?> type) {
    return type.getModule() == PICOCLI;
  }

  /** dev.wharf.cli as built (target/classes or the jar), without the tests patched into it. */
  private static ModuleReference builtModule() {
    var location =
        CLI.getLayer()
            .configuration()
            .findModule(CLI.getName())
            .orElseThrow()
            .reference()
            .location()
            .orElseThrow();
    return ModuleFinder.of(Path.of(location)).find(CLI.getName()).orElseThrow();
  }

  private static List<String> classNames() throws IOException {
    try (ModuleReader reader = builtModule().open()) {
      return classFiles(reader).stream()
          .map(file -> file.substring(0, file.length() - ".class".length()).replace('/', '.'))
          .toList();
    }
  }

  private static List<String> classFiles(ModuleReader reader) throws IOException {
    try (Stream<String> files = reader.list()) {
      return files
          .filter(file -> file.endsWith(".class") && !file.equals("module-info.class"))
          .toList();
    }
  }

  /**
   * A package a class file names: in its code (classes, descriptors, signatures) or a string (then
   * {@code name} is the class's whole name).
   */
  private record Reference(String pkg, boolean inString, String name) {}

  /**
   * Class names cli hands to java.base as strings, for java.base to load itself: the JDK's own
   * epoll selector provider, named in the property {@code SelectorProvider.provider()} reads
   * ({@link Main#nameTheSelectorProvider()}). Its package stays closed to cli, which never touches
   * it.
   */
  private static final Set<String> NAMED_FOR_THE_JDK = Set.of(Main.EPOLL_SELECTOR_PROVIDER);

  /** A class in a descriptor or signature: {@code Ljava/lang/String;}, {@code Ljava/util/List<}. */
  private static final Pattern IN_DESCRIPTOR = Pattern.compile("L((?:[\\w$]+/)+)[\\w$]+[;<]");

  /** A binary class name in a string, as Class.forName takes it: {@code sun.misc.Signal}. */
  private static final Pattern CLASS_NAME = Pattern.compile("((?:[a-z_]\\w*\\.)+)[A-Z][\\w$]*");

  private static Set<Reference> references(byte[] classFile) {
    var pool = ClassFile.of().parse(classFile).constantPool();
    var literals = new HashSet<Integer>(); // the text of string constants: no descriptors
    pool.forEach(
        entry -> {
          if (entry instanceof StringEntry string) {
            literals.add(string.utf8().index());
          }
        });
    var found = new HashSet<Reference>();
    for (var entry : pool) {
      switch (entry) {
        case ClassEntry type ->
            packageOf(type.asSymbol()).ifPresent(p -> found.add(new Reference(p, false, null)));
        case Utf8Entry text when !literals.contains(text.index()) -> {
          var matcher = IN_DESCRIPTOR.matcher(text.stringValue());
          while (matcher.find()) {
            found.add(new Reference(withoutLast(matcher.group(1)).replace('/', '.'), false, null));
          }
        }
        case StringEntry string -> {
          var matcher = CLASS_NAME.matcher(string.stringValue());
          if (matcher.matches()) {
            found.add(new Reference(withoutLast(matcher.group(1)), true, string.stringValue()));
          }
        }
        default -> {}
      }
    }
    return found;
  }

  private static String withoutLast(String prefixWithSeparator) {
    return prefixWithSeparator.substring(0, prefixWithSeparator.length() - 1);
  }

  private static Optional<String> packageOf(ClassDesc type) {
    while (type.isArray()) {
      type = type.componentType();
    }
    return type.isPrimitive() ? Optional.empty() : Optional.of(type.packageName());
  }
}
