# Sourced by bench/run and bench/plaintext-server: the JDK to run and the server JVM's options.

java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

# Prints the first JDK 25+ among $JAVA_HOME, /usr/lib/jvm/* and `java` on PATH.
find_java() {
  local candidates=()
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
  for d in /usr/lib/jvm/*25* /usr/lib/jvm/*; do candidates+=("$d/bin/java"); done
  command -v java >/dev/null && candidates+=("$(command -v java)")
  for j in "${candidates[@]}"; do
    if [[ -x "$j" ]]; then
      local v
      v=$(java_major "$j" || true)
      if [[ "$v" =~ ^[0-9]+$ ]] && ((v >= 25)); then
        echo "$j"
        return 0
      fi
    fi
  done
  echo "bench: no JDK 25 or later found (set JAVA_HOME)" >&2
  return 1
}

# The same flags for every server JVM: Netty's recommended access to Unsafe and JDK internals (its
# fastest direct buffers), native access for the epoll library, a fixed heap.
: "${SERVER_JVM_OPTS:=-Xms1g -Xmx1g -XX:+UseG1GC --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true}"
