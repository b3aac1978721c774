package dev.wharf.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;

/**
 * picocli's standard help options ({@code -h}/{@code --help}, {@code -V}/{@code --version}), as
 * {@code mixinStandardHelpOptions = true} adds them, built without reflection: picocli builds them
 * from the annotations of a class of its own at every start, the first use of the JDK's annotation
 * proxies there (issue 16). Spelled as picocli's {@code AutoHelpMixin} spells them, variables and
 * all; {@code CommandModelsTest} holds the two equal.
 */
public final class StandardHelp {
  private StandardHelp() {}

  /** The mixin picocli names {@code mixinStandardHelpOptions}. */
  public static CommandSpec mixin() {
    var spec = CommandSpec.create();
    spec.addOption(
        flag("helpRequested", "${picocli.help.name.0:--h}", "${picocli.help.name.1:---help}")
            .usageHelp(true)
            .descriptionKey("mixinStandardHelpOptions.help")
            .description("Show this help message and exit.")
            .build());
    spec.addOption(
        flag(
                "versionRequested",
                "${picocli.version.name.0:--V}",
                "${picocli.version.name.1:---version}")
            .versionHelp(true)
            .descriptionKey("mixinStandardHelpOptions.version")
            .description("Print version information and exit.")
            .build());
    return spec;
  }

  /**
   * A boolean option holding its own value, false at first, labelled after {@code field} as picocli
   * labels the annotated field.
   */
  private static OptionSpec.Builder flag(String field, String... names) {
    var flag = new Flag();
    return OptionSpec.builder(names)
        .type(boolean.class)
        .auxiliaryTypes(boolean.class)
        .paramLabel("<" + field + ">")
        .getter(flag)
        .setter(flag)
        .hasInitialValue(true)
        .initialValue(false);
  }

  /** Where a flag's value is kept: picocli reads the request off the parse, not from here. */
  private static final class Flag implements IGetter, ISetter {
    private Object value = false;

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get() {
      return (T) value;
    }

    @Override
    public <T> T set(T value) {
      T old = get();
      this.value = value;
      return old;
    }
  }
}
