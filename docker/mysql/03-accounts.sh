#!/bin/bash
# Accounts for Sluice on docker-compose's MySQL (the embedded MariaDB makes the same ones over JDBC):
# the app gets DML on demo only; CDC gets what Debezium needs to snapshot and read the binlog.
set -euo pipefail
mysql --protocol=socket -uroot -p"$MYSQL_ROOT_PASSWORD" <<SQL
CREATE USER IF NOT EXISTS '${SLUICE_DB_USER}'@'%' IDENTIFIED BY '${SLUICE_DB_PASSWORD}';
GRANT SELECT, INSERT, UPDATE, DELETE ON demo.* TO '${SLUICE_DB_USER}'@'%';
CREATE USER IF NOT EXISTS '${SLUICE_CDC_USER}'@'%' IDENTIFIED BY '${SLUICE_CDC_PASSWORD}';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '${SLUICE_CDC_USER}'@'%';
FLUSH PRIVILEGES;
SQL
