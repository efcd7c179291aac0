#!/usr/bin/env bash
# Measures the dev-stack lifecycle of the standalone jar, as a user runs it:
#   fresh start -> health UP; ES version; demo customers; a Slack post; SIGTERM; restart on the same data;
#   kill -9; restart. Prints one line per check. Needs target/sluice.jar (mvn -B package) and a JDK >= 21.
# Usage: scripts/dev-stack-lifecycle.sh   (uses ./target/lifecycle-data, default ports 9092/3307/9200/8089/9876)
set -uo pipefail
cd "$(dirname "$0")/.."
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
DATA=target/lifecycle-data
JAR=target/sluice.jar
LOG=target/lifecycle.log
PID=

now() { date +%s.%N; }
since() { echo "scale=1; ($(now) - $1) / 1" | bc; }
sql() { "$JAVA" -cp "$JAR" scripts/Sql.java jdbc:mariadb://localhost:3307/demo sluice sluice "$1" 2>/dev/null; }

start() {
  local t0; t0=$(now)
  "$JAVA" -Dsluice.devstack.data-dir="$DATA" -jar "$JAR" >>"$LOG" 2>&1 &
  PID=$!
  for _ in $(seq 1 360); do
    if curl -s -m 2 localhost:9876/observe/health | grep -q '^{"status":"UP"'; then
      echo "health UP after $(since "$t0") s"; return 0
    fi
    kill -0 "$PID" 2>/dev/null || { echo "FAILED: Sluice exited (see $LOG)"; exit 1; }
    sleep 0.25
  done
  echo "FAILED: health not UP within 90 s"; exit 1
}

stop() { # $1 = TERM | KILL
  local kids t0; kids=$(pgrep -P "$PID" | tr '\n' ' ')
  declare -A names; for k in $kids; do names[$k]=$(ps -o comm= -p "$k"); done
  t0=$(now)
  kill -"$1" "$PID"; wait "$PID" 2>/dev/null
  echo "SIG$1: Sluice exited after $(since "$t0") s"
  for k in $kids; do
    local name=${names[$k]}
    for _ in $(seq 1 60); do kill -0 "$k" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$k" 2>/dev/null; then echo "  child $k ($name) still running 15 s later"
    else echo "  child $k ($name) gone $(since "$t0") s after the signal"; fi
  done
}

facts() {
  echo "  ES version: $(curl -s localhost:9200/ | sed -n 's/.*"number":"\([^"]*\)".*/\1/p')"
  echo "  demo.customers rows: $(sql 'SELECT COUNT(*) FROM customers')"
  echo "  Slack messages kept by the receiver: $(curl -s localhost:8089/messages | grep -o '"received_at"' | wc -l)"
  echo "  ES docs in lifecycle-probe: $(curl -s localhost:9200/lifecycle-probe/_count | sed -n 's/.*"count":\([0-9]*\).*/\1/p')"
}

rm -rf "$DATA" "$LOG"
echo "== fresh start (empty $DATA)"
start
curl -s -XPOST localhost:8089/services/T/B/X -H 'Content-Type: application/json' -d '{"text":"lifecycle check"}' >/dev/null
curl -s -XPUT 'localhost:9200/lifecycle-probe/_doc/1?refresh=true' -H 'Content-Type: application/json' -d '{"x":1}' >/dev/null
sql "INSERT INTO customers (first_name, last_name, email, club_status) VALUES ('Life', 'Cycle', 'lc@example.com', 'gold')" >/dev/null
facts
RSS=$(for p in $PID $(pgrep -P "$PID"); do ps -o rss= -p "$p"; done | awk '{s+=$1} END {printf "%.0f", s/1024}')
echo "  resident memory, Sluice + children: ${RSS} MB"
stop TERM
echo "== restart on the same data"
start
facts
stop KILL
echo "== restart after kill -9"
start
facts
stop TERM
