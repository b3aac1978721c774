package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The generated picocli models ({@code GeneratedModels}, one per package) are the annotated ones:
 * written from the annotations as they are now, and equal to what picocli's reflection makes of
 * them, attribute by attribute, in their usage help, and in the fields an argument sets.
 */
class CommandModelsTest {
  private static final Path SOURCES = Path.of("src/main/java");

  @Test
  void theGeneratedModelsAreUpToDateWithTheAnnotations() throws IOException {
    if (Boolean.getBoolean("wharf.models.write")) {
      CommandModelsGenerator.update(SOURCES, true);
    }
    List<String> stale = CommandModelsGenerator.update(SOURCES, false);
    assertThat(stale)
        .as(
            "generated models older than the annotations; ./wharf writes them again as it builds,"
                + " or ./mvnw -pl cli -am test -Dtest=CommandModelsTest -Dwharf.models.write=true"
                + " -Dsurefire.failIfNoSpecifiedTests=false")
        .isEmpty();
  }

  @Test
  void everyCommandsGeneratedModelIsPicocliAnnotatedOne() throws Exception {
    for (Class<?> type : Main.class.getAnnotation(Command.class).subcommands()) {
      if (type == CommandLine.HelpCommand.class) {
        continue;
      }
      String name = type.getAnnotation(Command.class).name();
      CommandSpec generated = GeneratedModels.command(name);
      assertThat(generated).as(name).isNotNull();
      assertThat(generated.userObject()).isExactlyInstanceOf(type);
      var constructor = type.getDeclaredConstructor();
      constructor.setAccessible(true);
      CommandSpec reflected = CommandSpec.forAnnotatedObject(constructor.newInstance());
      assertSame(name, reflected, generated);
    }
  }

  @Test
  void theStandardHelpOptionsArePicocliOwn() {
    CommandSpec reflected =
        CommandSpec.create()
            .mixinStandardHelpOptions(true)
            .mixins()
            .get("mixinStandardHelpOptions");
    assertSame("mixinStandardHelpOptions", reflected, StandardHelp.mixin());
  }

  @Test
  void theRootIsMainsAnnotatedCommandWithoutItsSubcommands() {
    CommandSpec reflected = CommandSpec.forAnnotatedObject(new Main());
    CommandSpec root = Main.root();
    assertThat(root.name()).isEqualTo(reflected.name());
    assertThat(root.versionProvider()).isInstanceOf(reflected.versionProvider().getClass());
    assertEachEqual("wharf", attributes(root.options()), attributes(reflected.options()));
    assertThat(root.positionalParameters()).isEmpty();
    assertThat(reflected.positionalParameters()).isEmpty();
  }

  @Test
  void theWholeCommandLineIsMainsAnnotatedOne() {
    var reflected = new CommandLine(new Main());
    CommandLine whole = Main.commandLine();
    assertThat(whole.getUsageMessage(CommandLine.Help.Ansi.OFF))
        .isEqualTo(reflected.getUsageMessage(CommandLine.Help.Ansi.OFF));
    assertThat(List.copyOf(whole.getSubcommands().keySet()))
        .isEqualTo(List.copyOf(reflected.getSubcommands().keySet()));
    for (String name : reflected.getSubcommands().keySet()) {
      assertThat(whole.getSubcommands().get(name).getUsageMessage(CommandLine.Help.Ansi.OFF))
          .as(name)
          .isEqualTo(
              reflected.getSubcommands().get(name).getUsageMessage(CommandLine.Help.Ansi.OFF));
    }
    assertEachEqual(
        "wharf",
        attributes(whole.getCommandSpec().options()),
        attributes(reflected.getCommandSpec().options()));
    assertThat(((Main) whole.getCommandSpec().userObject()).spec).isSameAs(whole.getCommandSpec());
  }

  @Test
  void mainPicksTheGeneratedModelOfTheCommandNamed() {
    CommandLine line = Main.commandLine("get", "-s", "http://x/");
    CommandSpec get = line.getSubcommands().get("get").getCommandSpec();
    assertThat(line.getSubcommands()).containsOnlyKeys("get");
    assertThat(get.userObject()).isInstanceOf(dev.wharf.cli.get.GetCommand.class);
    assertThat(get.options()).allMatch(option -> option.userObject() == null);
    // and the whole command line, for anything else, every command's model and picocli's help
    assertThat(Main.commandLine("--help").getSubcommands()).containsKeys("serve", "get", "help");
  }

  @Test
  void anUnknownNameHasNoModel() {
    assertThat(GeneratedModels.command("nope")).isNull();
    assertThat(GeneratedModels.command("help")).isNull();
  }

  @Test
  void theSpecFieldOfACommandIsItsModel() throws Exception {
    CommandSpec serve = GeneratedModels.command("serve");
    Field spec = serve.userObject().getClass().getDeclaredField("spec");
    spec.setAccessible(true);
    assertThat(spec.get(serve.userObject())).isSameAs(serve);
  }

  @Test
  void anArgumentSetsTheFieldPicocliWouldSet() throws Exception {
    // Every option of every command, given a value on the command line of both models: each sets
    // the same field to the same value (a swapped binding would show here).
    int compared = 0;
    for (Class<?> type : Main.class.getAnnotation(Command.class).subcommands()) {
      if (type == CommandLine.HelpCommand.class) {
        continue;
      }
      String name = type.getAnnotation(Command.class).name();
      CommandSpec generated = GeneratedModels.command(name);
      for (OptionSpec option : generated.options()) {
        if (option.usageHelp() || option.versionHelp() || option.arity().max() == 0) {
          continue;
        }
        String value = sampleValue(option);
        if (value == null) {
          continue;
        }
        var generatedLine = new CommandLine(GeneratedModels.command(name));
        var constructor = type.getDeclaredConstructor();
        constructor.setAccessible(true);
        var reflectedLine = new CommandLine(constructor.newInstance());
        var argList = new ArrayList<String>();
        argList.add(option.longestName() + "=" + value);
        for (PositionalParamSpec positional : generated.positionalParameters()) {
          for (int i = 0; i < positional.arity().min(); i++) {
            argList.add("x" + i);
          }
        }
        String[] args = argList.toArray(String[]::new);
        boolean parsed;
        try {
          reflectedLine.parseArgs(args);
          parsed = true;
        } catch (CommandLine.ParameterException e) {
          parsed = false;
        }
        if (!parsed) {
          continue; // a value this option refuses (or one that needs a positional too)
        }
        generatedLine.parseArgs(args);
        compared++;
        assertThat(fields(generatedLine.getCommandSpec().userObject()))
            .as("%s %s", name, String.join(" ", args))
            .isEqualTo(fields(reflectedLine.getCommandSpec().userObject()));
      }
    }
    assertThat(compared).as("options given a value on both").isGreaterThan(120);
  }

  /** A value an option of this type accepts, or null when there is no simple one. */
  private static String sampleValue(OptionSpec option) {
    Class<?> type = option.auxiliaryTypes()[0];
    if (type.isEnum()) {
      return type.getEnumConstants()[type.getEnumConstants().length - 1].toString();
    }
    return switch (type.getName()) {
      case "int", "java.lang.Integer", "long", "java.lang.Long" -> "7";
      case "double", "java.lang.Double" -> "7.5";
      case "java.lang.String", "java.nio.file.Path" -> "x7";
      default -> "7";
    };
  }

  /** Every option's and positional's field's value, as text, by name (mixins' too). */
  private static List<String> fields(Object object) throws IllegalAccessException {
    var values = new ArrayList<String>();
    for (Field field : object.getClass().getDeclaredFields()) {
      if (!field.isAnnotationPresent(CommandLine.Option.class)
          && !field.isAnnotationPresent(CommandLine.Parameters.class)
          && !field.isAnnotationPresent(CommandLine.Mixin.class)) {
        continue;
      }
      field.setAccessible(true);
      Object value = field.get(object);
      if (field.isAnnotationPresent(CommandLine.Mixin.class) && value != null) {
        values.add(field.getName() + "=" + fields(value));
      } else {
        values.add(field.getName() + "=" + text(value));
      }
    }
    return values;
  }

  private static String text(Object value) {
    if (value instanceof Object[] array) {
      return Arrays.deepToString(array);
    }
    return String.valueOf(value);
  }

  /** The two models alike: usage, attributes, mixins and subcommands. */
  private static void assertSame(String name, CommandSpec reflected, CommandSpec generated) {
    assertThat(usage(generated)).as(name + " usage").isEqualTo(usage(reflected));
    assertThat(generated.name()).as(name).isEqualTo(reflected.name());
    assertThat(generated.mixinStandardHelpOptions())
        .as(name)
        .isEqualTo(reflected.mixinStandardHelpOptions());
    assertThat(generated.mixins().keySet())
        .as(name + " mixins")
        .isEqualTo(reflected.mixins().keySet());
    assertEachEqual(name, attributes(generated.options()), attributes(reflected.options()));
    assertEachEqual(
        name,
        attributes(generated.positionalParameters()),
        attributes(reflected.positionalParameters()));
    assertThat(generated.subcommands().keySet())
        .as(name + " subcommands")
        .isEqualTo(reflected.subcommands().keySet());
    for (String sub : reflected.subcommands().keySet()) {
      assertSame(
          name + " " + sub,
          reflected.subcommands().get(sub).getCommandSpec(),
          generated.subcommands().get(sub).getCommandSpec());
    }
    assertThat(generated.usageMessage().footer()).isEqualTo(reflected.usageMessage().footer());
    assertThat(generated.usageMessage().sortOptions())
        .isEqualTo(reflected.usageMessage().sortOptions());
    assertThat(String.valueOf(generated.versionProvider() == null))
        .isEqualTo(String.valueOf(reflected.versionProvider() == null));
  }

  /** One argument at a time, so that a failure shows the one that differs. */
  private static void assertEachEqual(String name, List<String> generated, List<String> reflected) {
    for (int i = 0; i < Math.min(generated.size(), reflected.size()); i++) {
      assertThat(generated.get(i)).as("%s, argument %d", name, i).isEqualTo(reflected.get(i));
    }
    assertThat(generated).as(name).hasSameSizeAs(reflected);
  }

  private static String usage(CommandSpec spec) {
    return new CommandLine(spec).getUsageMessage(CommandLine.Help.Ansi.OFF);
  }

  private static List<String> attributes(List<? extends ArgSpec> args) {
    var all = new ArrayList<String>();
    for (ArgSpec arg : args) {
      var a = new ArrayList<String>();
      if (arg instanceof OptionSpec option) {
        a.add("names=" + Arrays.toString(option.names()));
        a.add("usageHelp=" + option.usageHelp());
        a.add("versionHelp=" + option.versionHelp());
        a.add("negatable=" + option.negatable());
        a.add("order=" + option.order());
        a.add("fallbackValue=" + option.fallbackValue());
      } else if (arg instanceof PositionalParamSpec positional) {
        a.add("index=" + positional.index() + (positional.index().isUnspecified() ? "?" : ""));
      }
      a.add("arity=" + arg.arity() + (arg.arity().isUnspecified() ? "?" : ""));
      a.add("required=" + arg.required());
      a.add("description=" + Arrays.toString(arg.description()));
      a.add("descriptionKey=" + arg.descriptionKey());
      a.add("paramLabel=" + arg.paramLabel());
      a.add("hideParamSyntax=" + arg.hideParamSyntax());
      a.add("type=" + arg.type());
      a.add("auxiliaryTypes=" + Arrays.toString(arg.auxiliaryTypes()));
      a.add("converters=" + Stream.of(arg.converters()).map(c -> c.getClass().getName()).toList());
      a.add("split=" + arg.splitRegex() + "/" + arg.splitRegexSynopsisLabel());
      a.add("hidden=" + arg.hidden());
      a.add("defaultValue=" + arg.defaultValue());
      a.add("showDefaultValue=" + arg.showDefaultValue());
      a.add("completionCandidates=" + list(arg.completionCandidates()));
      a.add("interactive=" + arg.interactive());
      a.add("scopeType=" + arg.scopeType());
      a.add("inherited=" + arg.inherited());
      a.add("mapFallbackValue=" + arg.mapFallbackValue());
      a.add("hasInitialValue=" + arg.hasInitialValue());
      a.add("initialValue=" + text(arg.initialValue()));
      a.add("parameterConsumer=" + arg.parameterConsumer());
      a.add("preprocessor=" + arg.preprocessor().getClass().getName());
      a.add("value=" + text(arg.getValue()));
      all.add(String.join("; ", a));
    }
    return all;
  }

  private static List<String> list(Iterable<String> values) {
    var list = new ArrayList<String>();
    if (values != null) {
      values.forEach(list::add);
    }
    return list;
  }
}
