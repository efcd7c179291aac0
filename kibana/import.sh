#!/bin/sh
# Imports the Sluice data views and dashboard into Kibana (the kibana-setup service in docker-compose.yml).
# POSIX sh + curl only, so it runs in curlimages/curl. Safe to re-run: overwrite=true replaces the objects.
#   KIBANA_URL   default http://localhost:5601
#   NDJSON       default: sluice-dashboard.ndjson next to this script
set -eu

KIBANA_URL=${KIBANA_URL:-http://localhost:5601}
NDJSON=${NDJSON:-$(dirname "$0")/sluice-dashboard.ndjson}

# Wait until Kibana reports its overall status level as "available" (GET /api/status, status.overall.level).
# Overall is the worst of all core services and plugins, so one degraded plugin can keep it from ever
# saying "available": after 5 minutes, try the import anyway and let its answer decide.
tries=0
until curl -fsS "$KIBANA_URL/api/status" 2>/dev/null \
        | sed -n 's/.*"overall":{\([^}]*\)}.*/\1/p' | grep -q '"level":"available"'; do
    tries=$((tries + 1))
    if [ "$tries" -ge 60 ]; then
        echo "Kibana at $KIBANA_URL is still not \"available\" after 5 minutes; importing anyway" >&2
        break
    fi
    echo "waiting for Kibana at $KIBANA_URL ..."
    sleep 5
done

# Import; the file must keep its .ndjson extension, Kibana checks it.
echo "importing $NDJSON into $KIBANA_URL"
response=$(curl -sS -X POST "$KIBANA_URL/api/saved_objects/_import?overwrite=true" \
    -H "kbn-xsrf: true" --form "file=@$NDJSON")
echo "$response"

# Kibana answers 200 with "success":false when some objects failed; anything else is a failure too.
case "$response" in
    *'"success":true'*) echo "imported: dashboard at /app/dashboards#/view/sluice-dashboard (http://localhost:5601 from the host)" ;;
    *) echo "import failed" >&2; exit 1 ;;
esac
