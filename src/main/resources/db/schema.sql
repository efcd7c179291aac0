-- The demo schema, shared by the embedded MariaDB (run at every start, so every statement is idempotent)
-- and docker-compose's MySQL 8 (run once at first start). Keep to syntax both servers accept.

CREATE TABLE IF NOT EXISTS customers (
  id          INT          NOT NULL AUTO_INCREMENT PRIMARY KEY,
  first_name  VARCHAR(50),
  last_name   VARCHAR(50),
  email       VARCHAR(100),
  gender      VARCHAR(50),
  club_status VARCHAR(8),
  comments    VARCHAR(200),
  create_ts   TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
  update_ts   TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
);

-- loan requests as they arrive on Kafka `loan_request`; (cust_ids, loan_id) is the idempotency key
CREATE TABLE IF NOT EXISTS loanrequest (
  cust_ids    INT          NOT NULL,
  loan_id     VARCHAR(64)  NOT NULL,
  loan_amount INT          NOT NULL,
  first_name  VARCHAR(50),
  last_name   VARCHAR(50),
  country     VARCHAR(64),
  phone       VARCHAR(32),
  received_ts TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (cust_ids, loan_id)
);

-- approved loans; one row per (cust_ids, loan_id) however often the approval arrives.
-- published_ts is set once the row is on Kafka `disbursement`: a repeated approval re-publishes only a row
-- whose publication a crash interrupted
CREATE TABLE IF NOT EXISTS loan_disburse (
  cust_ids     INT          NOT NULL,
  loan_id      VARCHAR(64)  NOT NULL,
  loan_amount  INT          NOT NULL,
  monthly_inst INT          NOT NULL,
  approved_ts  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
  published_ts TIMESTAMP    NULL,
  approved_by  VARCHAR(64)  NULL,
  PRIMARY KEY (cust_ids, loan_id)
);

-- Audit (issue 18): who approved (the HTTP user, or a Kafka approval's approved_by); approved_ts is when. A database
-- created before this column existed gets it here: MySQL 8 has no ADD COLUMN IF NOT EXISTS, so the ALTER is built
-- only when information_schema lacks the column (a no-op statement otherwise) — plain statements both servers run.
SET @sluice_ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE loan_disburse ADD COLUMN approved_by VARCHAR(64) NULL', 'DO 0')
  FROM information_schema.columns
  WHERE table_schema = DATABASE() AND table_name = 'loan_disburse' AND column_name = 'approved_by');
PREPARE sluice_stmt FROM @sluice_ddl;
EXECUTE sluice_stmt;
DEALLOCATE PREPARE sluice_stmt;

-- loans submitted over HTTP (POST /api/loans), recorded before they are published to Kafka `loan_request`: a loan
-- here and not yet in loanrequest is "submitted", in loanrequest "received". A second identical submission finds
-- its row and publishes again (loanrequest keeps one row), so a crash between this insert and Kafka loses nothing.
CREATE TABLE IF NOT EXISTS loan_submission (
  cust_ids     INT          NOT NULL,
  loan_id      VARCHAR(64)  NOT NULL,
  loan_amount  INT          NOT NULL,
  first_name   VARCHAR(50),
  last_name    VARCHAR(50),
  country      VARCHAR(64),
  phone        VARCHAR(32),
  submitted_by VARCHAR(64)  NOT NULL,
  submitted_ts TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (cust_ids, loan_id)
);

-- every sale once: event_id comes from the record, else from topic/partition/offset
CREATE TABLE IF NOT EXISTS sales (
  event_id VARCHAR(128) NOT NULL PRIMARY KEY,
  item     VARCHAR(64)  NOT NULL,
  amount   BIGINT       NOT NULL,
  time     BIGINT       NOT NULL
);

-- one final row per tumbling window and item ('*' = all items)
CREATE TABLE IF NOT EXISTS sales_summary (
  window_start BIGINT      NOT NULL,
  window_end   BIGINT      NOT NULL,
  item         VARCHAR(64) NOT NULL,
  total_amount BIGINT      NOT NULL,
  count        BIGINT      NOT NULL,
  PRIMARY KEY (window_start, item)
);

-- one row per CDC topic once a complete snapshot of the customers table is on it (written by the CDC leader after
-- the snapshot's last record was acknowledged): instances that do not stream CDC open their customer table only then
CREATE TABLE IF NOT EXISTS cdc_snapshot (
  topic        VARCHAR(249) NOT NULL PRIMARY KEY,
  completed_ts TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- one row per CDC topic, rewritten by the CDC leader at every start with a fresh token: the table is captured by
-- Debezium with customers, so when the route sees the token come back, every customers change committed before the
-- start is on the topic — only then does the customer table open (ratings waiting since before the start would
-- otherwise be enriched with rows the restart has not streamed yet). Its events are not written to any topic.
CREATE TABLE IF NOT EXISTS cdc_watermark (
  topic      VARCHAR(249) NOT NULL PRIMARY KEY,
  token      VARCHAR(64)  NOT NULL
);

-- one row per VIP alert (rating_id): pending -> sending -> sent, or failed once dead-lettered; lets each
-- rating be posted to Slack at most once across re-deliveries, restarts and instances
CREATE TABLE IF NOT EXISTS slack_alert (
  rating_id  VARCHAR(64) NOT NULL PRIMARY KEY,
  state      VARCHAR(16) NOT NULL,
  updated_ts TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
);

-- Window state is not in the database: the windows run on Kafka Streams (state stores with changelog topics).

-- the operator console's actions on dead letters (issue 22): one row per letter — its (dlq topic, partition, offset)
-- is the key — inserted before a replay is published, so that a letter two operators replay at once is published
-- once: the second insert fails. action = replay | discard | resend (a VIP alert's letter, re-sent); published_ts is
-- set once Kafka took the replayed record (a replay Kafka refused deletes its row: it may be replayed again)
CREATE TABLE IF NOT EXISTS dead_letter_action (
  dlq_topic     VARCHAR(249) NOT NULL,
  dlq_partition INT          NOT NULL,
  dlq_offset    BIGINT       NOT NULL,
  action        VARCHAR(16)  NOT NULL,
  target_topic  VARCHAR(249) NULL,
  acted_by      VARCHAR(64)  NOT NULL,
  acted_ts      TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
  published_ts  TIMESTAMP    NULL,
  PRIMARY KEY (dlq_topic, dlq_partition, dlq_offset)
);
