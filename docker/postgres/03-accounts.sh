#!/bin/bash
# Accounts for Sluice on docker-compose's PostgreSQL (the embedded PostgreSQL makes the same ones over JDBC, see
# io.sluice.devstack.postgres.EmbeddedPostgres): the app gets DML on the demo tables only; CDC gets REPLICATION, the
# snapshot's SELECT, and the publication Debezium streams from (CREATE PUBLICATION needs the table's owner, so it is
# made here). Runs once, on the first start of an empty volume, after 01-schema.sql and 02-demo-customers.sql.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v app="$SLUICE_DB_USER" -v app_password="$SLUICE_DB_PASSWORD" \
     -v cdc="$SLUICE_CDC_USER" -v cdc_password="$SLUICE_CDC_PASSWORD" \
     -v db="$POSTGRES_DB" -v publication="${SLUICE_CDC_PUBLICATION:-sluice_customers}" <<'SQL'
-- the seed names its ids: move the sequence past them, or the next insert would clash
SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT MAX(id) FROM customers));
CREATE ROLE :"app" LOGIN PASSWORD :'app_password';
CREATE ROLE :"cdc" LOGIN REPLICATION PASSWORD :'cdc_password';
GRANT CONNECT ON DATABASE :"db" TO :"app", :"cdc";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app", :"cdc";
GRANT SELECT, INSERT, UPDATE, DELETE ON customers, loanrequest, loan_disburse, loan_submission, sales, sales_summary,
  cdc_snapshot, cdc_watermark, slack_alert, dead_letter_action TO :"app";
GRANT USAGE ON SEQUENCE customers_id_seq TO :"app";
GRANT SELECT ON customers, cdc_watermark TO :"cdc";
GRANT CREATE ON DATABASE :"db" TO :"cdc";
-- cdc_watermark: the CDC leader's start-up mark, which the customer table waits for (see schema.sql)
CREATE PUBLICATION :"publication" FOR TABLE customers, cdc_watermark;
SQL
