package dev.wharf.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;

/**
 * Handlers for POSIX signals ({@code INT}, {@code HUP}), for commands that answer them as servers
 * do: a second Ctrl-C, a reload on SIGHUP. The one API for it is {@code sun.misc.Signal} (module
 * jdk.unsupported); it is reached by reflection because javac warns of any use of it and {@code
 * -Werror} makes that an error. The JVM calls each handler on a thread of its own.
 *
 * <p>Stateless; any thread.
 */
public final class Signals {
  private Signals() {}

  /**
   * Runs {@code handler} each time the process gets signal {@code name} ("INT", "HUP"); false when
   * it could not be installed (no {@code sun.misc.Signal}, or a signal the JVM keeps for itself),
   * and then the signal keeps its default effect.
   */
  public static boolean on(String name, Runnable handler) {
    try {
      Class<?> signalType = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      InvocationHandler onSignal =
          (proxy, method, args) ->
              switch (method.getName()) {
                case "handle" -> {
                  handler.run();
                  yield null;
                }
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "SIG" + name + " handler";
              };
      Object proxy =
          Proxy.newProxyInstance(
              handlerType.getClassLoader(), new Class<?>[] {handlerType}, onSignal);
      Object signal = signalType.getConstructor(String.class).newInstance(name);
      signalType.getMethod("handle", signalType, handlerType).invoke(null, signal, proxy);
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return false;
    }
  }
}
