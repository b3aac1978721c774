# Sourced by bench/run and bench/plaintext-server: the JDK to run and the server JVM's options.

# Prints the java of the newest JDK 25+, found as ./wharf and ./mvnw find it.
find_java() {
  local home
  home=$(FIND_JAVA_WHO=bench bash "$(dirname "${BASH_SOURCE[0]}")/../.mvn/find-java.bash") || return 1
  printf '%s/bin/java\n' "$home"
}

# The same flags for every server JVM: Netty's recommended access to Unsafe and JDK internals (its
# fastest direct buffers), native access for the epoll library, a fixed heap.
: "${SERVER_JVM_OPTS:=-Xms1g -Xmx1g -XX:+UseG1GC --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true}"
