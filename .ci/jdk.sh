# Sourced by ./tollgate, ./test and .ci/run: picks a JDK >= 21 (the machine default may be 17).
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1; }
pick_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME")" -ge 21 ] 2>/dev/null; then return; fi
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64 /usr/lib/jvm/*; do
    if [ -x "$d/bin/java" ] && [ "$(java_major "$d")" -ge 21 ] 2>/dev/null; then export JAVA_HOME="$d"; return; fi
  done
  echo "Tollgate needs a JDK >= 21; none found under /usr/lib/jvm. Set JAVA_HOME." >&2
  exit 1
}
pick_jdk
export PATH="$JAVA_HOME/bin:$PATH"
if [ "$(java_major "$JAVA_HOME")" -ge 24 ]; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
