# find-java.bash: finds the newest Java 25+ on this machine. Sourced by ./wharf (which must not
# fork: it runs before every command) and run by ./mvnw (Maven itself must run on Java 25+: the
# JDK jar tool that Maven's jar plugin calls to package module-info.class reads class files of
# its own Java version only, and ours are Java 25's).
#
# Java is looked for in this order; the newest 25+ wins, earlier places win a tie:
#   WHARF_JAVA_HOME   if set, it is used and nothing else is considered
#   JAVA_HOME, `java` on PATH,
#   /usr/lib/jvm/*, /opt/java/*, /Library/Java/JavaVirtualMachines/*/Contents/Home,
#   ~/.sdkman/candidates/java/*, ~/.jdks/*
# Sourced, it defines find_java, which sets best_java (the java executable) and best_version, or
# calls die. Run, it prints the JDK's home directory, or a line on stderr and exits 1.

readonly min_major=25

# ---- finding Java ----

# Sets major, minor and patch from a version string such as 25.0.3, 26-ea, 1.8.0_392 or 25.
# (Results go to globals rather than through $(...): every fork costs a millisecond or more, and
# the launcher runs before every command.)
parse_version() {
  local v=${1%%[+-]*} rest
  v=${v//_/.}
  IFS=. read -r major minor patch rest <<<"$v.0.0.0"
  if [[ $major == 1 && -n $minor ]]; then # 1.8.0 means 8
    major=$minor minor=$patch patch=0
  fi
  [[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ && $patch =~ ^[0-9]+$ ]] || return 1
  major=$((10#$major)) minor=$((10#$minor)) patch=$((10#$patch))
}

# Sets version to that of the java at $1: from its home's `release` file when there is one
# (reading it is free), else from `java -version` (tens of milliseconds).
read_java_version() {
  local java=$1 home line
  home=${java%/*}
  home=${home%/*}
  version=
  if [[ -r $home/release ]]; then
    while IFS= read -r line; do
      if [[ $line == JAVA_VERSION=* ]]; then
        version=${line#JAVA_VERSION=}
        version=${version//\"/}
        break
      fi
    done <"$home/release"
  fi
  if [[ -z $version ]]; then
    line=$("$java" -version 2>&1) || return 1
    [[ $line =~ version\ \"([^\"]+)\" ]] || return 1
    version=${BASH_REMATCH[1]}
  fi
}

best_java='' best_key=-1 best_version='' java_home_java=''

# Considers the java executable $1; with a second argument (tie), it also wins a tie with the
# best so far but JAVA_HOME's (the java on PATH, looked at after the folders, wins as if looked at
# before them).
consider() {
  local java=$1 version major minor patch key
  [[ -x $java && ! -d $java ]] || return 0
  read_java_version "$java" || return 0
  parse_version "$version" || return 0
  ((major >= min_major)) || return 0
  key=$((major * 1000000 + minor * 1000 + patch))
  if ((key > best_key)) ||
    { [[ -n ${2:-} && $best_java != "$java_home_java" ]] && ((key == best_key)); }; then
    best_java=$java best_key=$key best_version=$version
  fi
}

find_java() {
  if [[ -n ${WHARF_JAVA_HOME:-} ]]; then
    consider "$WHARF_JAVA_HOME/bin/java"
    [[ -n $best_java ]] ||
      die "WHARF_JAVA_HOME=$WHARF_JAVA_HOME is not a Java $min_major or newer (needs bin/java)"
    return
  fi
  if [[ -n ${JAVA_HOME:-} ]]; then
    java_home_java=$JAVA_HOME/bin/java
    consider "$java_home_java"
  fi
  local dir on_path=''
  local -a path_dirs
  IFS=: read -r -a path_dirs <<<"$PATH"
  for dir in "${path_dirs[@]}"; do
    if [[ -x ${dir:-.}/java && ! -d ${dir:-.}/java ]]; then
      on_path=${dir:-.}/java
      break
    fi
  done
  # The JDK folders below, then the java on PATH, unless it is one of them: Debian's /usr/bin/java
  # is a link (through /etc/alternatives) to one in /usr/lib/jvm, which -ef tells without the fork
  # of readlink (6 ms of every start). Either way the newest wins, the PATH's on a tie.
  local home on_path_seen=0
  for home in /usr/lib/jvm/* /opt/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home \
    "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [[ -L $home && $home == */current ]] && continue # sdkman's link to one of the others
    if [[ -n $on_path && $on_path -ef $home/bin/java ]]; then
      on_path_seen=1
      consider "$home/bin/java" tie
    else
      consider "$home/bin/java"
    fi
  done
  if [[ -n $on_path ]] && ((!on_path_seen)); then
    # Follow a link to the JDK, to find its release file.
    [[ -L $on_path ]] && on_path=$(readlink -f "$on_path" 2>/dev/null || printf '%s' "$on_path")
    consider "$on_path" tie
  fi
  [[ -n $best_java ]] ||
    die "no Java $min_major or newer found (looked in JAVA_HOME, PATH, /usr/lib/jvm," \
      "/opt/java, /Library/Java/JavaVirtualMachines, ~/.sdkman, ~/.jdks);" \
      "install one or set WHARF_JAVA_HOME"
}

# Run rather than sourced: print the home of the Java found.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  die() {
    printf '%s: %s\n' "${FIND_JAVA_WHO:-find-java}" "$*" >&2
    exit 1
  }
  find_java
  printf '%s\n' "${best_java%/bin/java}"
fi
