# Sourced by run.sh and test.sh: finds a JDK 21 or newer and exports JAVA_HOME (and PATH) for it.
# Order: $JAVA_HOME, the java on PATH, Temurin 25 where these machines keep it, any JDK under /usr/lib/jvm.

java_major() {
  # prints the feature version of the java binary $1 (e.g. 17, 21, 25), or 0
  local v
  v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1)
  case "$v" in
    1.*) echo 1 ;;
    '') echo 0 ;;
    *) echo "${v%%.*}" ;;
  esac
}

find_jdk() {
  local candidate
  for candidate in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")" 2>/dev/null)" \
      /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] \
        && [ "$(java_major "$candidate/bin/java")" -ge 21 ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! JAVA_HOME=$(find_jdk); then
  echo "No JDK 21+ found: set JAVA_HOME to a JDK 21 or newer (default java here: $(java -version 2>&1 | head -n1))" >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
