-- The demo schema for PostgreSQL (sluice.db.url jdbc:postgresql:...): the same tables, columns and keys as schema.sql,
-- in PostgreSQL's syntax; run at every start of the embedded PostgreSQL, so every statement is idempotent.
-- Timestamps are TIMESTAMPTZ(0): Debezium sends those as the same ISO-8601 strings, to the second, as MariaDB's TIMESTAMP, so the CDC
-- records keep their field types. update_ts is bumped by a trigger (MariaDB's ON UPDATE CURRENT_TIMESTAMP), below.

CREATE TABLE IF NOT EXISTS customers (
  id          SERIAL       PRIMARY KEY,
  first_name  VARCHAR(50),
  last_name   VARCHAR(50),
  email       VARCHAR(100),
  gender      VARCHAR(50),
  club_status VARCHAR(8),
  comments    VARCHAR(200),
  create_ts   TIMESTAMPTZ(0) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  update_ts   TIMESTAMPTZ(0) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- update_ts follows every UPDATE that changes the row, as MariaDB's ON UPDATE CURRENT_TIMESTAMP does (an UPDATE that
-- sets the same values leaves it alone there too); a CDC record of a change then carries when it was made
CREATE OR REPLACE FUNCTION customers_touch_update_ts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW IS DISTINCT FROM OLD AND NEW.update_ts IS NOT DISTINCT FROM OLD.update_ts THEN
    NEW.update_ts := CURRENT_TIMESTAMP;
  END IF;
  RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS customers_update_ts ON customers;

CREATE TRIGGER customers_update_ts BEFORE UPDATE ON customers
  FOR EACH ROW EXECUTE FUNCTION customers_touch_update_ts();

CREATE TABLE IF NOT EXISTS loanrequest (
  cust_ids    INT          NOT NULL,
  loan_id     VARCHAR(64)  NOT NULL,
  loan_amount INT          NOT NULL,
  first_name  VARCHAR(50),
  last_name   VARCHAR(50),
  country     VARCHAR(64),
  phone       VARCHAR(32),
  received_ts TIMESTAMPTZ(0) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (cust_ids, loan_id)
);

CREATE TABLE IF NOT EXISTS loan_disburse (
  cust_ids     INT          NOT NULL,
  loan_id      VARCHAR(64)  NOT NULL,
  loan_amount  INT          NOT NULL,
  monthly_inst INT          NOT NULL,
  approved_ts  TIMESTAMPTZ(0) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  published_ts TIMESTAMPTZ(0) NULL,
  approved_by  VARCHAR(64)  NULL,
  PRIMARY KEY (cust_ids, loan_id)
);

CREATE TABLE IF NOT EXISTS loan_submission (
  cust_ids     INT          NOT NULL,
  loan_id      VARCHAR(64)  NOT NULL,
  loan_amount  INT          NOT NULL,
  first_name   VARCHAR(50),
  last_name    VARCHAR(50),
  country      VARCHAR(64),
  phone        VARCHAR(32),
  submitted_by VARCHAR(64)  NOT NULL,
  submitted_ts TIMESTAMPTZ(0) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (cust_ids, loan_id)
);

CREATE TABLE IF NOT EXISTS sales (
  event_id VARCHAR(128) NOT NULL PRIMARY KEY,
  item     VARCHAR(64)  NOT NULL,
  amount   BIGINT       NOT NULL,
  time     BIGINT       NOT NULL
);

CREATE TABLE IF NOT EXISTS sales_summary (
  window_start BIGINT      NOT NULL,
  window_end   BIGINT      NOT NULL,
  item         VARCHAR(64) NOT NULL,
  total_amount BIGINT      NOT NULL,
  count        BIGINT      NOT NULL,
  PRIMARY KEY (window_start, item)
);

CREATE TABLE IF NOT EXISTS cdc_snapshot (
  topic        VARCHAR(249) NOT NULL PRIMARY KEY,
  completed_ts TIMESTAMPTZ(0) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- the CDC leader's start-up watermark (see schema.sql); must be in the CDC publication with customers
CREATE TABLE IF NOT EXISTS cdc_watermark (
  topic      VARCHAR(249) NOT NULL PRIMARY KEY,
  token      VARCHAR(64)  NOT NULL
);

CREATE TABLE IF NOT EXISTS slack_alert (
  rating_id  VARCHAR(64) NOT NULL PRIMARY KEY,
  state      VARCHAR(16) NOT NULL,
  updated_ts TIMESTAMPTZ(0) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- the operator console's actions on dead letters: the letter's coordinates are the key, so that a letter two
-- operators replay at once is published once (see schema.sql)
CREATE TABLE IF NOT EXISTS dead_letter_action (
  dlq_topic     VARCHAR(249) NOT NULL,
  dlq_partition INT          NOT NULL,
  dlq_offset    BIGINT       NOT NULL,
  action        VARCHAR(16)  NOT NULL,
  target_topic  VARCHAR(249) NULL,
  acted_by      VARCHAR(64)  NOT NULL,
  acted_ts      TIMESTAMPTZ(0) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  published_ts  TIMESTAMPTZ(0) NULL,
  PRIMARY KEY (dlq_topic, dlq_partition, dlq_offset)
);

-- a delete then carries the whole old row to CDC, not only the key
ALTER TABLE customers REPLICA IDENTITY FULL;
