package dev.wharf.cli.serve;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ctrl-C for a command whose stop takes a while ({@code serve} waits for requests in flight): the
 * first SIGINT exits as the JVM does by default, running the shutdown hooks (the graceful stop),
 * and a second one while they run ends the process at once, as python's http.server and most
 * servers do. Both exit with 130, as shells expect after SIGINT. SIGTERM keeps the JVM's handling.
 *
 * <p>A shutdown hook cannot see the second SIGINT (the JVM ignores signals once it is exiting);
 * only a signal handler can, and the one API for it is {@code sun.misc.Signal} (module
 * jdk.unsupported). It is reached by reflection because javac warns of any use of it, and {@code
 * -Werror} makes that an error; where it is missing the first Ctrl-C still stops gracefully.
 */
final class CtrlCTwice {
  /** The exit status after SIGINT: 128 + its number 2. */
  static final int EXIT = 130;

  private CtrlCTwice() {}

  /**
   * Installs the handler; false when it could not be (no {@code sun.misc.Signal}), and then Ctrl-C
   * only stops gracefully.
   */
  static boolean install() {
    var count = new AtomicInteger();
    try {
      Class<?> signalType = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      InvocationHandler onSignal =
          (proxy, method, args) ->
              switch (method.getName()) {
                case "handle" -> {
                  interrupted(count.incrementAndGet());
                  yield null;
                }
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "Ctrl-C twice";
              };
      Object handler =
          Proxy.newProxyInstance(
              handlerType.getClassLoader(), new Class<?>[] {handlerType}, onSignal);
      Object interrupt = signalType.getConstructor(String.class).newInstance("INT");
      signalType.getMethod("handle", signalType, handlerType).invoke(null, interrupt, handler);
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** On a thread of its own for each signal, so a second one comes while the first exits. */
  private static void interrupted(int count) {
    if (count == 1) {
      System.exit(EXIT); // Runs the shutdown hooks: the graceful stop.
    } else {
      Runtime.getRuntime().halt(EXIT); // The user will not wait: no hooks.
    }
  }
}
